using System.Globalization;
using ChatBot.Core.Breaks;
using ChatBot.Core.Configuration;
using ChatBot.Core.Schedules;
using ChatBot.Core.Telemetry;
using ChatBot.Data;
using Hangfire;
using Hangfire.AspNetCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>
    /// Scheduled breaks on Hangfire: recurring jobs per schedule slot, breaks as chains of delayed step jobs
    /// (replacing the in-process break runner), the <c>/drill schedule</c> commands, and <c>Breaks:Schedules</c>
    /// seeding. The jobs live where the bot's data does (<c>Storage:Provider</c>): in Hangfire's own SQLite file
    /// beside the bot's database (see <see cref="HangfireSqlite"/>), or in schema <c>Scheduling:Schema</c> of the
    /// bot's PostgreSQL database (see <see cref="HangfirePostgres"/>). Call after the Core and Data setup.
    /// </summary>
    public static IServiceCollection AddChatBotScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        var storagePath = configuration["Storage:Path"];
        var jobFile = configuration[$"{SchedulingOptions.Section}:{nameof(SchedulingOptions.JobStoragePath)}"];
        if (string.IsNullOrWhiteSpace(jobFile))
        {
            var directory = Path.GetDirectoryName(string.IsNullOrWhiteSpace(storagePath) ? "data/chatbot.db" : storagePath);
            jobFile = Path.Combine(string.IsNullOrEmpty(directory) ? "." : directory, "hangfire.db");
        }

        services.AddSingleton(new SqliteJobFile(Path.GetFullPath(jobFile)));
        return services.AddChatBotScheduling(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SchedulingOptions>>().Value;
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (storage.Provider == StorageProvider.Postgres)
            {
                return HangfirePostgres.Open(storage.ConnectionString!, options);
            }

            var jobFilePath = sp.GetRequiredService<SqliteJobFile>().Path;
            Directory.CreateDirectory(Path.GetDirectoryName(jobFilePath)!);
            return HangfireSqlite.Open(jobFilePath, options);
        });
    }

    /// <summary>
    /// Before the host starts (the job storage itself opens later, as its server starts): refuses a job file that
    /// exists but is not an SQLite database, naming <c>Scheduling:JobStoragePath</c>. Nothing to check on PostgreSQL.
    /// </summary>
    /// <exception cref="ConfigurationException">The job file is not an SQLite database.</exception>
    public static void CheckJobFile(IServiceProvider services)
    {
        if (services.GetService<SqliteJobFile>() is { } jobFile
            && services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider != StorageProvider.Postgres
            && !jobFile.IsSqliteOrNone())
        {
            throw new ConfigurationException(
                "Scheduling:JobStoragePath",
                $"Scheduling:JobStoragePath: the job file '{jobFile.Path}' is not an SQLite database. Move it away (a new one is created) or set Scheduling:JobStoragePath to another file.");
        }
    }

    /// <summary>The same, on a job storage of the caller's choosing (tests use Hangfire.InMemory).</summary>
    internal static IServiceCollection AddChatBotScheduling(this IServiceCollection services, Func<IServiceProvider, JobStorage> storage)
    {
        services.AddOptions<SchedulingOptions>().BindCheckedConfiguration(SchedulingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SchedulingOptions>, SchedulingOptions.Validator>();
        services.AddOptions<ScheduleSeedOptions>().BindCheckedConfiguration(ScheduleSeedOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScheduleSeedOptions>, ScheduleSeedValidator>();
        services.TryAddSingleton(TimeProvider.System);

        // Our own storage instance in DI (not only Hangfire's static JobStorage.Current), so clients, the
        // recurring job manager and the server all use it, and two hosts in one process never cross. Jobs are created
        // and run only through it, so the tracing filter joins Hangfire's global filters as it is built: touching
        // those filters sets up Hangfire's statics (~8 ms), which need not happen on the way to connected.
        services.AddSingleton(sp =>
        {
            JobTracingFilter.Register();
            return storage(sp);
        });
        // Likewise the activator: Hangfire's default is the static JobActivator.Current, which the last host
        // built in a process overwrites. Ours opens a fresh DI scope of this host for every job.
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<ITimeZoneResolver, SlotTimeZoneResolver>();
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogProvider(sp.GetRequiredService<ILoggerFactory>())));
        services.AddHangfireServer((sp, server) =>
        {
            var options = sp.GetRequiredService<IOptions<SchedulingOptions>>().Value;
            server.WorkerCount = options.WorkerCount;
            server.SchedulePollingInterval = options.SchedulePollingInterval;
            server.ShutdownTimeout = options.ShutdownTimeout;
            server.ServerName = HangfireServerHealthCheck.ServerName;
            server.TimeZoneResolver = sp.GetRequiredService<ITimeZoneResolver>();
        });

        // Hangfire gets its whole shutdown timeout to let running posts finish; the host must wait longer.
        // Read from raw configuration, not IOptions<SchedulingOptions>: HostOptions is resolved while the host
        // is built, and a bad Scheduling value must surface as the start-time validation error naming the key.
        services.AddOptions<HostOptions>().Configure<IConfiguration>((host, config) =>
        {
            // A value that doesn't parse is left to the options check, which names the key at start.
            var raw = config[$"{SchedulingOptions.Section}:{nameof(SchedulingOptions.ShutdownTimeout)}"];
            var hangfire = TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var parsed) ? parsed : new SchedulingOptions().ShutdownTimeout;
            var needed = hangfire + TimeSpan.FromSeconds(10);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });

        // Building the job storage opens Hangfire's SQLite file (or checks its PostgreSQL schema), ~50 ms. The command
        // handler depends on the break runner and the snooze scheduler, so they take the client lazily: a command that
        // makes no job (/drill list) right after a start does not wait for the job server's storage. PublicationOnly:
        // a storage that failed to open is tried again on the next use rather than remembered as failed.
        services.AddSingleton(sp => new Lazy<IBackgroundJobClient>(sp.GetRequiredService<IBackgroundJobClient>, LazyThreadSafetyMode.PublicationOnly));
        services.AddSingleton(sp => new Lazy<JobStorage>(sp.GetRequiredService<JobStorage>, LazyThreadSafetyMode.PublicationOnly));
        services.AddSingleton<IBreakRunner, HangfireBreakRunner>();
        services.AddTransient<BreakStepJob>();
        services.AddTransient<BreakSlotJob>();
        services.AddTransient<DigestJob>();
        services.AddTransient<SnoozeJob>();
        services.AddTransient<ReminderPassJob>();
        services.AddSingleton<Core.Ports.ISnoozeScheduler, HangfireSnoozeScheduler>();
        services.AddHostedService<ReminderPassRegistration>();

        // Only the check: the health check service itself comes with the host's service defaults.
        services.Configure<HealthCheckServiceOptions>(health => health.Registrations.Add(
            new HealthCheckRegistration("hangfire", sp => ActivatorUtilities.CreateInstance<HangfireServerHealthCheck>(sp), failureStatus: null, tags: [HealthTags.Ready])));

        services.AddSingleton<ScheduleRegistrar>();
        services.AddSingleton<IScheduleSync>(sp => sp.GetRequiredService<ScheduleRegistrar>());
        services.RemoveAll<IScheduleCommandHandler>();
        services.AddScoped<IScheduleCommandHandler, ScheduleCommandHandler>();
        services.AddHostedService<ScheduleStartupService>();
        services.AddHostedService<BreakResumeService>();
        return services;
    }
}
