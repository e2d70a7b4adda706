using ChatBot.Core.Drills;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBot.Host;

internal static class ChatBotHost
{
    /// <summary>
    /// Runs the host. A configuration error (bad option, broken drill catalogue) stops it before anything
    /// connects, with one line that names the key or file, and exit code 2.
    /// </summary>
    public static async Task<int> RunAsync(IHost host)
    {
        try
        {
            await host.RunAsync();
            return Environment.ExitCode;
        }
        catch (OptionsValidationException exception)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", exception.Failures));
            return 2;
        }
        catch (DrillCatalogException exception)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + exception.Message);
            return 2;
        }
    }
}
