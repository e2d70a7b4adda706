using ChatBot.Core;
using ChatBot.Core.Schedules;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ChatBot.Scheduling.Tests.Fakes;

internal static class Jobs
{
    /// <summary>Fires the slot job of the channels scheduled at <paramref name="time"/> on <paramref name="days"/> in <paramref name="zone"/>, as its cron would.</summary>
    public static void TriggerSlot(IHost host, string zone, TimeOnly time, ScheduleDays days)
    {
        if (!TimeZones.TryFind(zone, out var found))
        {
            throw new ArgumentException($"Unknown zone {zone}.", nameof(zone));
        }

        host.Services.GetRequiredService<IRecurringJobManager>().Trigger(RecurringSlotJobs.Id(found, time, days));
    }

    /// <summary>
    /// Waits until Hangfire has nothing enqueued, scheduled or running: the point after which no more posts can
    /// come, so a test can assert "exactly once". Polls the storage (a condition wait with a failure timeout).
    /// </summary>
    public static async Task WaitForIdleAsync(JobStorage storage, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var monitoring = storage.GetMonitoringApi();
        var quietChecks = 0;
        while (true)
        {
            var busy = monitoring.ScheduledCount() + monitoring.ProcessingCount()
                + monitoring.Queues().Sum(q => q.Length);
            quietChecks = busy == 0 ? quietChecks + 1 : 0;
            if (quietChecks >= 3)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Hangfire still had {busy} job(s) pending: {Describe(storage)}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>
    /// Hangfire's counts and servers, then the jobs that keep it busy as "state id Type.Method(args), history: newest
    /// state (reason) &lt;- older…", for a time-out's message: jobs left scheduled point at the scheduler, left
    /// enqueued at the workers, scheduled again with a retry reason at the jobs themselves. Then where the last
    /// jobs' time went (<see cref="Recent"/>), this process's thread pool, and with <paramref name="connectionString"/>
    /// the PostgreSQL cluster's sessions (<see cref="Sessions"/>): for a run that is slow rather than stuck.
    /// </summary>
    /// <remarks>Never throws: a storage that cannot answer (disposed, stuck) must not hide the time-out it describes.</remarks>
    public static string Describe(JobStorage storage, string? connectionString = null)
    {
        string jobs;
        try
        {
            var monitoring = storage.GetMonitoringApi();
            var stats = monitoring.GetStatistics();
            var servers = monitoring.Servers().Select(s => $"{s.Name} ({s.WorkersCount} workers, heartbeat {s.Heartbeat:HH:mm:ss.fff})");
            jobs = $"scheduled {stats.Scheduled}, enqueued {stats.Enqueued}, processing {stats.Processing}, failed {stats.Failed}, "
                + $"succeeded {stats.Succeeded}; servers: {string.Join(", ", servers)}; pending: {string.Join("; ", Pending(monitoring))}"
                + $"; last succeeded: {string.Join("; ", Recent(monitoring))}";
        }
        catch (Exception exception)
        {
            jobs = $"(the job storage could not be read: {exception.GetType().Name}: {exception.Message})";
        }

        return $"{jobs}; thread pool: {ThreadPool.ThreadCount} threads, {ThreadPool.PendingWorkItemCount} work items queued"
            + (connectionString is null ? "" : $"; PostgreSQL: {Sessions(connectionString)}");
    }

    /// <summary>
    /// The last 10 succeeded jobs as "id Method(args): queued N ms, processing N ms, N ms in the method", UTC state
    /// times from Hangfire's history: time queued points at the workers' fetch or their number, processing time
    /// outside the method at Hangfire's state changes, time in the method at the job's own work.
    /// </summary>
    private static IEnumerable<string> Recent(Hangfire.Storage.IMonitoringApi monitoring) =>
        monitoring.SucceededJobs(0, 10).Select(j =>
        {
            var history = monitoring.JobDetails(j.Key)?.History ?? [];
            DateTime? At(string state) => history.FirstOrDefault(h => h.StateName == state)?.CreatedAt;
            static string Ms(TimeSpan? span) => span is { } s ? $"{s.TotalMilliseconds:F0} ms" : "?";
            var inMethod = history.FirstOrDefault(h => h.StateName == "Succeeded")?.Data is { } data && data.TryGetValue("PerformanceDuration", out var ms) ? ms : "?";
            return $"{j.Key} {j.Value.Job?.Method.Name}({string.Join(", ", j.Value.Job?.Args.Where(a => a is not CancellationToken) ?? [])}): "
                + $"queued {Ms(At("Processing") - At("Enqueued"))}, processing {Ms(At("Succeeded") - At("Processing"))}, {inMethod} ms in the method";
        });

    /// <summary>
    /// The cluster's client sessions grouped as "database state wait xN (longest in that state N ms)", and the count of
    /// lock requests waiting: a full cluster (max_connections), sessions idle in a transaction, or lock waits.
    /// </summary>
    private static string Sessions(string connectionString)
    {
        const string Sql = """
            SELECT coalesce(datname, '-') || ' ' || coalesce(state, '-') || ' ' || coalesce(wait_event_type || ':' || wait_event, 'on CPU')
                   || ' x' || count(*) || ' (longest ' || coalesce(round(extract(epoch FROM max(now() - state_change)) * 1000)::text, '?') || ' ms)'
            FROM pg_stat_activity WHERE backend_type = 'client backend'
            GROUP BY datname, state, wait_event_type, wait_event ORDER BY count(*) DESC
            """;
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 }.ConnectionString);
            connection.Open();
            var sessions = new List<string>();
            using (var command = new NpgsqlCommand(Sql, connection))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    sessions.Add(reader.GetString(0));
                }
            }

            using var waits = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE NOT granted", connection);
            return $"sessions: {string.Join(", ", sessions)}; lock requests waiting: {waits.ExecuteScalar()}";
        }
        catch (Exception exception)
        {
            return $"(the cluster's sessions could not be read: {exception.GetType().Name}: {exception.Message})";
        }
    }

    /// <summary>The jobs that keep Hangfire busy, as "state id Type.Method(args), history: newest state (reason) &lt;- older…", for a time-out's message.</summary>
    private static IEnumerable<string> Pending(Hangfire.Storage.IMonitoringApi monitoring)
    {
        string Line(string state, string id, Hangfire.Common.Job? job) =>
            $"{state} {id} {job?.Type.Name}.{job?.Method.Name}({string.Join(", ", job?.Args.Where(a => a is not CancellationToken) ?? [])}), history: "
            + string.Join(" <- ", monitoring.JobDetails(id)?.History.Select(h => $"{h.StateName} ({h.Reason})") ?? []);

        return monitoring.ScheduledJobs(0, 20).Select(j => Line($"scheduled (due {j.Value.EnqueueAt:HH:mm:ss.fff})", j.Key, j.Value.Job))
            .Concat(monitoring.ProcessingJobs(0, 20).Select(j => Line("processing", j.Key, j.Value.Job)))
            .Concat(monitoring.Queues().SelectMany(q => monitoring.EnqueuedJobs(q.Name, 0, 20).Select(j => Line("enqueued in " + q.Name, j.Key, j.Value.Job))));
    }
}
