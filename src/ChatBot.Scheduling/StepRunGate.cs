namespace ChatBot.Scheduling;

/// <summary>
/// Lets one run at a time of a break's step go on in this process. After a graceful restart the step that was in
/// flight comes back twice at once: Hangfire re-queues the aborted job, and <see cref="BreakResumeService"/> carries
/// the thread on. Without the gate the second run finds the first one's live claim, fails, and Hangfire retries it
/// a minute later (a failed job on the dashboard for nothing). With it, the second run waits for the first and
/// then finds the step posted. Runs on other instances still meet the claim (see <see cref="StepHeldException"/>).
/// </summary>
public sealed class StepRunGate
{
    private readonly Dictionary<(long BreakId, int Step), Entry> _entries = [];

    /// <summary>Waits until no other run of the step is inside; dispose the result to leave.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async Task<IDisposable> EnterAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        var key = (breakId, step);
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                _entries[key] = entry;
            }

            entry.Users++;
        }

        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(key, entry, entered: false);
            throw;
        }

        return new Exit(this, key, entry);
    }

    private void Leave((long, int) key, Entry entry, bool entered)
    {
        if (entered)
        {
            entry.Semaphore.Release();
        }

        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(key);
            }
        }
    }

    /// <summary>A step's semaphore and how many runs are inside or waiting (the entry goes when none are).</summary>
    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Exit(StepRunGate gate, (long, int) key, Entry entry) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                gate.Leave(key, entry, entered: true);
            }
        }
    }
}
