using Hangfire;

namespace ChatBot.Scheduling.Tests.Fakes;

internal static class Jobs
{
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
                throw new TimeoutException($"Hangfire still had {busy} job(s) pending.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
