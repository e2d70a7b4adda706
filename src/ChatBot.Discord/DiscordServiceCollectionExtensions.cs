using ChatBot.Core;
using ChatBot.Core.Configuration;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using ChatBot.Discord.Gateway;
using ChatBot.Discord.Http;
using ChatBot.Discord.Interactions;
using ChatBot.Discord.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord;

public static class DiscordServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Discord adapter when the <c>Discord</c> section configures it (a bot token, or any key that
    /// only makes sense with one, so a forgotten token fails validation at start instead of silently
    /// disabling Discord). Registers one <see cref="DiscordPlatform"/> under every role it plays.
    /// </summary>
    public static IServiceCollection AddDiscord(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(DiscordOptions.SectionName);
        var configured = !string.IsNullOrWhiteSpace(section["BotToken"])
            || !string.IsNullOrWhiteSpace(section["PublicKey"])
            || !string.IsNullOrWhiteSpace(section["ApplicationId"])
            || section.GetSection("GuildIds").GetChildren().Any();
        if (!configured)
        {
            return services;
        }

        services.AddOptions<DiscordOptions>()
            .BindCheckedConfiguration(DiscordOptions.SectionName)
            .PostConfigure<IConfiguration>((options, config) =>
            {
                // Discord__ShardIds=0,2 (one variable) as well as Discord__ShardIds__0=0 (a list).
                var inline = config[DiscordOptions.SectionName + ":" + nameof(DiscordOptions.ShardIds)];
                options.ShardIds = [.. options.ShardIds.Concat(inline?.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [])];
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiscordOptions>, DiscordOptions.Validator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFatalErrorReporter, HostFatalErrorReporter>();

        services.AddSingleton(sp => new DiscordRestClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 16 }) { Timeout = TimeSpan.FromSeconds(30) },
            sp.GetRequiredService<IOptions<DiscordOptions>>(),
            sp.GetRequiredService<IFatalErrorReporter>(),
            sp.GetRequiredService<ILogger<DiscordRestClient>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new DiscordInteractionProcessor(
            sp.GetRequiredService<DiscordRestClient>(),
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<IOptions<DiscordOptions>>(),
            sp.GetRequiredService<ILogger<DiscordInteractionProcessor>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IGatewayInteractionSink>(sp => sp.GetRequiredService<DiscordInteractionProcessor>());
        services.AddSingleton(sp => new DiscordGatewayClient(
            sp.GetRequiredService<DiscordRestClient>(),
            sp.GetRequiredService<IOptions<DiscordOptions>>(),
            sp.GetRequiredService<IGatewayInteractionSink>(),
            sp.GetRequiredService<IFatalErrorReporter>(),
            sp.GetRequiredService<ILogger<DiscordGatewayClient>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DiscordCommandRegistrar>();
        services.AddSingleton<IStartupPreparation, GatewayBotPrefetch>();
        services.AddSingleton(sp => new DiscordShardManager(
            sp.GetRequiredService<DiscordRestClient>(),
            sp.GetRequiredService<DiscordGatewayClient>(),
            sp.GetRequiredService<IOptions<DiscordOptions>>(),
            sp.GetRequiredService<IGatewayInteractionSink>(),
            sp.GetRequiredService<IFatalErrorReporter>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IShardLeaseStore>()));
        services.AddSingleton<IPlatformConnection>(sp => sp.GetRequiredService<DiscordShardManager>());

        services.AddSingleton<DiscordPlatform>();
        services.AddKeyedSingleton<IChatPlatform>(ChatPlatform.Discord, (sp, _) => sp.GetRequiredService<DiscordPlatform>());
        // Only the check: the health check service itself comes with the host's service defaults.
        services.Configure<HealthCheckServiceOptions>(health => health.Registrations.Add(
            new HealthCheckRegistration("discord", sp => ActivatorUtilities.CreateInstance<DiscordHealthCheck>(sp), failureStatus: null, tags: [HealthTags.Ready])));

        services.AddSingleton<DiscordGatewayHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<DiscordGatewayHostedService>());

        if (!string.IsNullOrWhiteSpace(section["PublicKey"]))
        {
            services.AddSingleton<DiscordHttpInteractionsHostedService>();
            services.AddHostedService(sp => sp.GetRequiredService<DiscordHttpInteractionsHostedService>());
        }

        return services;
    }
}
