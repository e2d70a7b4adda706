namespace ChatBot.Core;

/// <summary>
/// Work an adapter started off its receive loop (one task per inbound event), counted so that shutdown can wait
/// for it instead of cutting replies off half way. Each task gets <see cref="Token"/>, which is cancelled only
/// when a drain gives up. Thread-safe; starting and ending a piece of work take no lock (one interlocked count),
/// as they happen for every command.
/// </summary>
#pragma warning disable CA1001 // the token source has no timer, so there is nothing to release; it lives as long as its owner
public sealed class InFlightWork
#pragma warning restore CA1001
{
    private readonly CancellationTokenSource _abandon = new();
    private readonly Lock _gate = new();
    private int _running;
    private TaskCompletionSource? _idle; // under _gate: completed when the count next reaches 0

    /// <summary>How many started tasks have not finished.</summary>
    public int Count => Volatile.Read(ref _running);

    /// <summary>Pass this to the work: it fires only when <see cref="DrainAsync"/> stops waiting.</summary>
    public CancellationToken Token => _abandon.Token;

    /// <summary>Runs <paramref name="work"/> on the thread pool and counts it until it ends.</summary>
    public void Start(Func<CancellationToken, Task> work)
    {
        var token = _abandon.Token;
        Track(Task.Run(() => work(token), CancellationToken.None));
    }

    /// <summary>Counts an already running task until it ends.</summary>
    public void Track(Task task)
    {
        Interlocked.Increment(ref _running);
        _ = task.ContinueWith(
            static (ended, state) => ((InFlightWork)state!).Ended(ended),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Waits until the count of running tasks reaches 0 (work started while it waits counts too, so an owner stops
    /// starting work before it drains) or until <paramref name="cancellationToken"/> fires (e.g. the host's shutdown
    /// timeout); then cancels <see cref="Token"/> and returns how many were still running (0 = all done). Never throws
    /// for the work's own failures.
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_gate)
        {
            if (_running == 0)
            {
                return 0;
            }

            if (_idle is null || _idle.Task.IsCompleted)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            idle = _idle.Task;
        }

        try
        {
            await idle.WaitAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Count before cancelling: work that honours the token ends during CancelAsync, yet it was cut off.
            var abandoned = Count;
            await _abandon.CancelAsync().ConfigureAwait(false);
            return abandoned;
        }
    }

    private void Ended(Task ended)
    {
        // A failure was logged by the work's owner; reading it here keeps it from being reported again as unobserved.
        _ = ended.Exception;
        if (Interlocked.Decrement(ref _running) == 0)
        {
            lock (_gate)
            {
                _idle?.TrySetResult();
            }
        }
    }
}
