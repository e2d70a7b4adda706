using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Drills;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBot.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// The command core: drill catalogue (from <paramref name="catalogPath"/>), parser, router, breaks,
    /// streaks, and the in-process break runner (replaced by Hangfire when scheduling is added).
    /// Stores and platform adapters come from the other projects.
    /// </summary>
    public static IServiceCollection AddChatBotCore(this IServiceCollection services, string catalogPath)
    {
        services.AddOptions<BreaksOptions>().BindConfiguration(BreaksOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BreaksOptions>, BreaksOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => DrillCatalogLoader.LoadFile(catalogPath));
        services.AddHostedService<DrillCatalogCheck>();
        services.AddSingleton<ChatPlatforms>();
        services.AddSingleton<CommandParser>();
        services.AddSingleton<UserClock>();
        services.AddSingleton<BreakPoster>();
        services.AddSingleton<BreakService>();
        services.AddSingleton<StreakReplies>();
        services.AddSingleton<CompletionCommands>();
        services.AddSingleton<Digests.DigestService>();
        services.AddScoped<ICommandHandler, CommandRouter>();
        services.TryAddSingleton<IFatalErrorReporter, HostFatalErrorReporter>();

        services.AddSingleton<InProcessBreakRunner>();
        services.TryAddSingleton<IBreakRunner>(sp => sp.GetRequiredService<InProcessBreakRunner>());
        services.AddHostedService(sp => sp.GetRequiredService<InProcessBreakRunner>());
        return services;
    }

    /// <summary>Loads the catalogue as the host starts, so a broken file stops it at once with the file and entry named.</summary>
    private sealed class DrillCatalogCheck(DrillCatalog catalog) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(catalog);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
