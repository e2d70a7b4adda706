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
    /// <summary>
    /// The stores behind Core's ports on the database <c>Storage:Provider</c> names: the embedded SQLite file at
    /// <c>Storage:Path</c> (default), or PostgreSQL at <c>Storage:ConnectionString</c>.
    /// </summary>
    public static IServiceCollection AddChatBotData(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindCheckedConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<SqliteFileLock>();
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<PostgresDatabase>();
        services.AddSingleton<Database>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.Postgres
            ? sp.GetRequiredService<PostgresDatabase>()
            : sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<IBreakStore, BreakStore>();
        services.AddSingleton<ICompletionStore, CompletionStore>();
        services.AddSingleton<IAwayStore, AwayStore>();
        services.AddSingleton<IDirectMessageStore, DirectMessageStore>();
        services.AddSingleton<ISnoozeStore, SnoozeStore>();
        services.AddSingleton<IReminderStore, ReminderStore>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<IUserStore>(sp => sp.GetRequiredService<UserStore>());
        services.AddSingleton<IChannelStore>(sp => sp.GetRequiredService<UserStore>());
        services.AddSingleton<IScheduleStore, ScheduleStore>();
        services.TryAddSingleton<BotInstance>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IDigestStore, DigestStore>();
        services.AddHostedService<DatabaseInitializer>();
        services.AddHostedService<InstanceHeartbeat>();
        // Inbound claims and shard leases only on a database several instances share: one SQLite file has one process,
        // whose in-memory de-duplication suffices and which runs every shard. (A null factory result makes GetService
        // return null: the Slack client then de-duplicates in memory only, DiscordShardManager runs every shard.)
        services.AddSingleton<InboundClaimStore>();
        services.AddSingleton<IInboundClaimStore>(sp => IsShared(sp) ? sp.GetRequiredService<InboundClaimStore>() : null!);
        services.AddHostedService<InboundClaimPurge>();
        services.AddSingleton<IShardLeaseStore>(sp => IsShared(sp) ? ActivatorUtilities.CreateInstance<ShardLeaseStore>(sp) : null!);
        // Only the check: the health check service itself comes with the host's service defaults.
        services.Configure<HealthCheckServiceOptions>(health => health.Registrations.Add(
            new HealthCheckRegistration("database", sp => ActivatorUtilities.CreateInstance<DatabaseHealthCheck>(sp), failureStatus: null, tags: [HealthTags.Ready])));
        return services;
    }

    private static bool IsShared(IServiceProvider services) =>
        services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.Postgres;

    /// <summary>
    /// Takes the file lock, then creates or migrates the schema as the host starts, so a second process or a
    /// bad file stops the bot before it connects anywhere. (The composition root takes both even earlier,
    /// before any hosted service is built: see ChatBotHost.)
    /// </summary>
    private sealed class DatabaseInitializer(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => InitializeAsync(services);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// Readies the configured database: with SQLite takes the file lock (one process per file) first; then migrates.
    /// </summary>
    /// <exception cref="ChatBot.Core.Configuration.ConfigurationException">Another process holds the file, or the database is unusable.</exception>
    public static Task InitializeAsync(IServiceProvider services)
    {
        var database = services.GetRequiredService<Database>();
        if (database is SqliteDatabase)
        {
            services.GetRequiredService<SqliteFileLock>().Acquire();
        }

        return database.EnsureInitializedAsync();
    }
}
