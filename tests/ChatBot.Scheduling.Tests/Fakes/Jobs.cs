using ChatBot.Core;
using ChatBot.Core.Schedules;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
    /// enqueued at the workers, scheduled again with a retry reason at the jobs themselves.
    /// </summary>
    /// <remarks>Never throws: a storage that cannot answer (disposed, stuck) must not hide the time-out it describes.</remarks>
    public static string Describe(JobStorage storage)
    {
        try
        {
            var monitoring = storage.GetMonitoringApi();
            var stats = monitoring.GetStatistics();
            var servers = monitoring.Servers().Select(s => $"{s.Name} ({s.WorkersCount} workers, heartbeat {s.Heartbeat:HH:mm:ss.fff})");
            return $"scheduled {stats.Scheduled}, enqueued {stats.Enqueued}, processing {stats.Processing}, failed {stats.Failed}, "
                + $"succeeded {stats.Succeeded}; servers: {string.Join(", ", servers)}; pending: {string.Join("; ", Pending(monitoring))}";
        }
        catch (Exception exception)
        {
            return $"(the job storage could not be read: {exception.GetType().Name}: {exception.Message})";
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
