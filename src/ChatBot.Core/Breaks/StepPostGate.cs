namespace ChatBot.Core.Breaks;

/// <summary>
/// <see cref="BreakPoster"/>'s turns: one post of a break's step at a time in this process. After a graceful restart
/// the step that was in flight comes back twice at once (Hangfire re-queues the aborted job, and the restart's resume
/// re-queues the thread). Without turns the second run found the first one's live claim and failed, to wait out the
/// job's retry back-off (tens of seconds) for nothing. With them, the second run waits for the first and then finds
/// the step posted (or posts it, if the first run failed). A run waits at most one claim lease
/// (<see cref="BreakPoster.ClaimLease"/>, on the bot's clock): past it, a post that hangs has lost its claim anyway,
/// and the waiter goes on as it would without turns. Posts on other instances still meet the claim.
/// </summary>
internal sealed class StepPostGate(TimeProvider clock)
{
    private readonly Dictionary<(long BreakId, int Step), Entry> _entries = [];

    /// <summary>
    /// Waits until no other run of the step is inside, or one claim lease has passed; dispose the result to leave.
    /// </summary>
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

        if (entry.Semaphore.Wait(0, CancellationToken.None))
        {
            return new Exit(this, key, entry, entered: true); // the usual case: no other run, no timer
        }

        using var lease = new CancellationTokenSource(BreakPoster.ClaimLease, clock);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Token);
        try
        {
            await entry.Semaphore.WaitAsync(wait.Token);
            return new Exit(this, key, entry, entered: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Exit(this, key, entry, entered: false); // the lease passed: go on without the gate
        }
        catch
        {
            Leave(key, entry, entered: false);
            throw;
        }
    }

    /// <summary>How many posts of the step are under way or waiting their turn.</summary>
    internal int Users(long breakId, int step)
    {
        lock (_entries)
        {
            return _entries.TryGetValue((breakId, step), out var entry) ? entry.Users : 0;
        }
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

    private sealed class Exit(StepPostGate gate, (long, int) key, Entry entry, bool entered) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                gate.Leave(key, entry, entered);
            }
        }
    }
}
