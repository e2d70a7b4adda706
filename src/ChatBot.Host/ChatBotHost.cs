using ChatBot.Core;
using ChatBot.Core.Drills;
using ChatBot.Data;
using ChatBot.Digest;
using ChatBot.Discord;
using ChatBot.Host.ConsoleChat;
using ChatBot.Scheduling;
using ChatBot.Slack;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBot.Host;

/// <summary>The composition root: what runs, in what order. Program.cs and the host tests both start here.</summary>
internal static class ChatBotHost
{
    public static HostApplicationBuilder CreateBuilder(
        string[] args,
        TextReader consoleInput,
        TextWriter consoleOutput,
        IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
        ChatBotConfiguration.Apply(builder.Configuration, builder.Environment.EnvironmentName, args);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Services.AddChatBotCore(Path.Combine(ChatBotConfiguration.ConfigDirectory, "drills.json"));
        builder.Services.AddChatBotData();
        builder.Services.AddChatBotDigestChart();
        builder.Services.AddChatBotScheduling(builder.Configuration);
        builder.Services.AddSlack(builder.Configuration);
        builder.Services.AddDiscord(builder.Configuration);

        if (ChatBotConfiguration.ConsoleChatWanted(builder.Configuration))
        {
            builder.AddConsoleChat(consoleInput, consoleOutput);
        }

        return builder;
    }

    /// <summary>
    /// Runs the host. A configuration error (bad option, broken drill catalogue) stops it before anything
    /// connects, with one line that names the key or file, and exit code 2.
    /// </summary>
    public static async Task<int> RunAsync(IHost host, TextWriter? errors = null)
    {
        errors ??= Console.Error;
        try
        {
            await host.RunAsync();
            return Environment.ExitCode;
        }
        catch (OptionsValidationException exception)
        {
            await errors.WriteLineAsync("Configuration error: " + string.Join(" ", exception.Failures));
            return 2;
        }
        catch (DrillCatalogException exception)
        {
            await errors.WriteLineAsync("Configuration error: " + exception.Message);
            return 2;
        }
    }
}
