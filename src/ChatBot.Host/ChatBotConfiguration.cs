using ChatBot.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace ChatBot.Host;

/// <summary>
/// The configuration contract: config/appsettings.json, then appsettings.{Environment}.json, then user
/// secrets, then environment variables (Section__Key), then the command line.
/// </summary>
internal static class ChatBotConfiguration
{
    public static string ConfigDirectory => Path.Combine(AppContext.BaseDirectory, "config");

    public static void Apply(ConfigurationManager configuration, string environmentName, string[] args)
    {
        configuration.Sources.Clear();
        try
        {
            configuration
                .AddJsonFile(Path.Combine(ConfigDirectory, "appsettings.json"), optional: false)
                .AddJsonFile(Path.Combine(ConfigDirectory, $"appsettings.{environmentName}.json"), optional: true)
                .AddUserSecrets(typeof(ChatBotConfiguration).Assembly, optional: true)
                .AddEnvironmentVariables()
                .AddCommandLine(args);
        }
        catch (InvalidDataException exception)
        {
            // A settings file that isn't valid JSON: the message names the file, the inner one the line.
            throw new ConfigurationException("appsettings", $"{exception.Message} {exception.InnerException?.Message}".Trim(), exception);
        }
    }

    /// <summary>
    /// Checks what the generic host reads while it is being built, before any options validation can run:
    /// the log levels (<c>Logging:LogLevel:*</c> and <c>Logging:{Provider}:LogLevel:*</c>).
    /// </summary>
    /// <exception cref="ConfigurationException">A level that isn't one of the <see cref="LogLevel"/> names.</exception>
    public static void CheckHostSettings(IConfiguration configuration)
    {
        var logging = configuration.GetSection("Logging");
        var levelSections = logging.GetChildren()
            .Select(child => child.Key.Equals("LogLevel", StringComparison.OrdinalIgnoreCase) ? child : child.GetSection("LogLevel"));
        foreach (var level in levelSections.SelectMany(section => section.GetChildren()))
        {
            if (!string.IsNullOrEmpty(level.Value) && !Enum.TryParse<LogLevel>(level.Value, ignoreCase: true, out _))
            {
                throw new ConfigurationException(
                    level.Path,
                    $"{level.Path} must be one of {string.Join(", ", Enum.GetNames<LogLevel>())} (was '{level.Value}').");
            }
        }
    }

    /// <summary>With no platform token configured the bot runs the local console chat.</summary>
    public static bool ConsoleChatWanted(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration["Slack:BotToken"]) && string.IsNullOrWhiteSpace(configuration["Discord:BotToken"]);
}
