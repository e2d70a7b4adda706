using Hangfire.Storage;

namespace ChatBot.Scheduling;

/// <summary>
/// Named locks held in this process: one holder per name, not re-entrant (like Hangfire.Storage.SQLite's own lock,
/// which a second acquire of a held name waits on too). A release may come from another thread than the acquire
/// (an async job resumes elsewhere). A waiter is woken as soon as the name is free: the check and the wait happen
/// under one monitor, so a release cannot fall between them.
/// </summary>
internal sealed class InProcessLocks
{
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    /// <summary>Takes the lock on <paramref name="resource"/>; dispose the result (once or more) to release it.</summary>
    /// <exception cref="DistributedLockTimeoutException">Still held by another after <paramref name="timeout"/>.</exception>
    public IDisposable Acquire(string resource, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_held)
        {
            while (!_held.Add(resource))
            {
                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    throw new DistributedLockTimeoutException(resource);
                }

                Monitor.Wait(_held, TimeSpan.FromMilliseconds(Math.Min(remaining, int.MaxValue)));
            }
        }

        return new Release(this, resource);
    }

    private void Free(string resource)
    {
        lock (_held)
        {
            _held.Remove(resource);
            Monitor.PulseAll(_held);
        }
    }

    private sealed class Release(InProcessLocks owner, string resource) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Free(resource);
            }
        }
    }
}
