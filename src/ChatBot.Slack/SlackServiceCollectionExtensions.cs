using ChatBot.Core;
using ChatBot.Core.Configuration;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBot.Slack;

public static class SlackServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Slack adapter when the <c>Slack</c> section configures it (any of BotToken, AppToken,
    /// SigningSecret set); otherwise Slack stays off. Socket Mode when <c>Slack:AppToken</c> is set, else
    /// HTTP mode. Needs an <see cref="ICommandHandler"/> (scoped or singleton) and an <see cref="IFatalErrorReporter"/>.
    /// </summary>
    public static IServiceCollection AddSlack(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SlackOptions.SectionName);
        var appToken = section[nameof(SlackOptions.AppToken)];
        if (string.IsNullOrWhiteSpace(section[nameof(SlackOptions.BotToken)])
            && string.IsNullOrWhiteSpace(appToken)
            && string.IsNullOrWhiteSpace(section[nameof(SlackOptions.SigningSecret)]))
        {
            return services;
        }

        services.AddOptions<SlackOptions>()
            .BindCheckedConfiguration(SlackOptions.SectionName)
            .PostConfigure<IConfiguration>((options, config) =>
            {
                // Slack__Admins=U1,U2 (one variable) as well as Slack__Admins__0=U1 (a list).
                var inline = config[SlackOptions.SectionName + ":" + nameof(SlackOptions.Admins)];
                options.Admins = options.Admins
                    .Concat(inline?.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [])
                    .Where(id => id.Length > 0)
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SlackOptions>, SlackOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<SlackApiClient>();
        services.AddSingleton<SlackBotTokenCheck>();
        services.AddSingleton<IStartupPreparation>(sp => sp.GetRequiredService<SlackBotTokenCheck>());
        services.AddSingleton<SlackCommandSummary>();
        services.AddSingleton<SlackInteractionDispatcher>();
        services.AddSingleton<SlackPlatform>();
        services.AddKeyedSingleton<IChatPlatform>(ChatPlatform.Slack, (sp, _) => sp.GetRequiredService<SlackPlatform>());
        // Only the check: the health check service itself comes with the host's service defaults.
        services.Configure<HealthCheckServiceOptions>(health => health.Registrations.Add(
            new HealthCheckRegistration("slack", sp => ActivatorUtilities.CreateInstance<SlackHealthCheck>(sp), failureStatus: null, tags: [HealthTags.Ready])));

        if (!string.IsNullOrWhiteSpace(appToken))
        {
            services.AddSingleton<SlackSocketModeClient>();
            services.AddSingleton<IPlatformConnection>(sp => sp.GetRequiredService<SlackSocketModeClient>());
            services.AddSingleton<SlackSocketModeHostedService>();
            services.AddHostedService(sp => sp.GetRequiredService<SlackSocketModeHostedService>());
        }
        else
        {
            services.AddSingleton<SlackHttpModeHostedService>();
            services.AddHostedService(sp => sp.GetRequiredService<SlackHttpModeHostedService>());
        }

        return services;
    }
}
