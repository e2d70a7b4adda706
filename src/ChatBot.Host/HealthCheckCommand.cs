using ChatBot.ServiceDefaults;
using Microsoft.Extensions.Configuration;

namespace ChatBot.Host;

/// <summary><c>ChatBot --healthcheck</c>: the container's HEALTHCHECK, with the bot's own configuration sources.</summary>
internal static class HealthCheckCommand
{
    public const string Argument = "--healthcheck";

    public static Task<int> RunAsync()
    {
        var configuration = new ConfigurationManager();
        ChatBotConfiguration.Apply(configuration, Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production", []);
        return OpsProbe.RunAsync(configuration, Console.Error);
    }
}
