using ChatBot.Core.Configuration;
using ChatBot.Core.Digests;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Core;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBot.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>The stores behind Core's ports on the embedded SQLite database at <c>Storage:Path</c>.</summary>
    public static IServiceCollection AddChatBotData(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindCheckedConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<SqliteFileLock>();
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<IBreakStore, SqliteBreakStore>();
        services.AddSingleton<ICompletionStore, SqliteCompletionStore>();
        services.AddSingleton<IAwayStore, SqliteAwayStore>();
        services.AddSingleton<IDirectMessageStore, SqliteDirectMessageStore>();
        services.AddSingleton<ISnoozeStore, SqliteSnoozeStore>();
        services.AddSingleton<IReminderStore, SqliteReminderStore>();
        services.AddSingleton<SqliteUserStore>();
        services.AddSingleton<IUserStore>(sp => sp.GetRequiredService<SqliteUserStore>());
        services.AddSingleton<IChannelStore>(sp => sp.GetRequiredService<SqliteUserStore>());
        services.AddSingleton<IScheduleStore, SqliteScheduleStore>();
        services.TryAddSingleton<BotInstance>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IDigestStore, SqliteDigestStore>();
        services.AddHostedService<DatabaseInitializer>();
        services.AddHostedService<SqliteInstanceHeartbeat>();
        // Only the check: the health check service itself comes with the host's service defaults.
        services.Configure<HealthCheckServiceOptions>(health => health.Registrations.Add(
            new HealthCheckRegistration("database", sp => ActivatorUtilities.CreateInstance<DatabaseHealthCheck>(sp), failureStatus: null, tags: [HealthTags.Ready])));
        return services;
    }

    /// <summary>
    /// Takes the file lock, then creates or migrates the schema as the host starts, so a second process or a
    /// bad file stops the bot before it connects anywhere. (The composition root takes both even earlier,
    /// before any hosted service is built: see ChatBotHost.)
    /// </summary>
    private sealed class DatabaseInitializer(SqliteFileLock fileLock, SqliteDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            fileLock.Acquire();
            return database.EnsureInitializedAsync();
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
