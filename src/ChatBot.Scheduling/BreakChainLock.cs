using Hangfire;
using Hangfire.Storage;
using Hangfire.Storage.SQLite;

namespace ChatBot.Scheduling;

/// <summary>
/// The lock <see cref="BreakStepJob"/> holds while it schedules a break's next step, so that re-runs of a step do
/// not schedule it twice. On PostgreSQL, where several instances share the jobs, it is Hangfire's distributed lock.
/// On the SQLite job file, which one process uses at a time (it sits beside the bot's database, whose file lock the
/// process holds from start), a lock in this process does: Hangfire.Storage.SQLite's distributed lock is a row in
/// the job file, so every step cost three more writes there (clear expired rows, insert, delete), each waiting its
/// turn for the file's one writer with the other workers' job writes.
/// </summary>
public sealed class BreakChainLock(JobStorage storage)
{
    /// <summary>Locks in this process: the chain's key picks one. Held for a few milliseconds, so sharing is rare and harmless.</summary>
    private readonly SemaphoreSlim[]? _stripes = storage is SQLiteStorage
        ? [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))]
        : null;

    /// <summary>Takes the lock on <paramref name="resource"/>; dispose the result to release it.</summary>
    /// <exception cref="DistributedLockTimeoutException">Not taken within <paramref name="timeout"/>; the job fails and Hangfire retries it.</exception>
    public IDisposable Acquire(IStorageConnection connection, string resource, TimeSpan timeout)
    {
        if (_stripes is null)
        {
            return connection.AcquireDistributedLock(resource, timeout);
        }

        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(resource) % (uint)_stripes.Length)];
        return stripe.Wait(timeout) ? new Release(stripe) : throw new DistributedLockTimeoutException(resource);
    }

    private sealed class Release(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                stripe.Release();
            }
        }
    }
}
