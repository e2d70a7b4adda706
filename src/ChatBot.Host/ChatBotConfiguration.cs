using Microsoft.Extensions.Configuration;

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
        configuration
            .AddJsonFile(Path.Combine(ConfigDirectory, "appsettings.json"), optional: false)
            .AddJsonFile(Path.Combine(ConfigDirectory, $"appsettings.{environmentName}.json"), optional: true)
            .AddUserSecrets(typeof(ChatBotConfiguration).Assembly, optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args);
    }

    /// <summary>With no platform token configured the bot runs the local console chat.</summary>
    public static bool ConsoleChatWanted(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration["Slack:BotToken"]) && string.IsNullOrWhiteSpace(configuration["Discord:BotToken"]);
}
