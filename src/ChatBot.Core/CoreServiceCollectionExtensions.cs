using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Configuration;
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
    /// The command core: drill catalogue (from <paramref name="catalogPath"/>), parser, router, breaks and
    /// streaks. The <see cref="IBreakRunner"/> (Hangfire's, from <c>AddChatBotScheduling</c>), the stores and the
    /// platform adapters come from the other projects.
    /// </summary>
    public static IServiceCollection AddChatBotCore(this IServiceCollection services, string catalogPath)
    {
        services.AddOptions<BreaksOptions>().BindCheckedConfiguration(BreaksOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BreaksOptions>, BreaksOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => DrillCatalogLoader.LoadFile(catalogPath));
        services.AddHostedService<DrillCatalogCheck>();
        services.TryAddSingleton<BotInstance>();
        services.AddSingleton<ChatPlatforms>();
        services.AddSingleton<CommandParser>();
        services.AddSingleton<UserClock>();
        services.AddSingleton<BreakPoster>();
        services.AddSingleton<BreakService>();
        services.AddSingleton<StreakReplies>();
        services.AddSingleton<CompletionCommands>();
        services.AddSingleton<Digests.DigestService>();
        services.AddSingleton<AwayCommands>();
        services.AddSingleton<Personal.DirectMessagePoster>();
        services.AddSingleton<Personal.SnoozeService>();
        services.AddSingleton<Personal.ReminderService>();
        services.AddScoped<ICommandHandler, CommandRouter>();
        services.TryAddSingleton<IFatalErrorReporter, HostFatalErrorReporter>();
        return services;
    }

    /// <summary>Loads the catalogue as the host starts, so a broken file stops it at once with the file and entry named.</summary>
    private sealed class DrillCatalogCheck(DrillCatalog catalog) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(catalog);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
