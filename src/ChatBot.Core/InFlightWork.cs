using System.Collections.Concurrent;

namespace ChatBot.Core;

/// <summary>
/// Work an adapter started off its receive loop (one task per inbound event), kept so that shutdown can wait
/// for it instead of cutting replies off half way. Each task gets <see cref="Token"/>, which is cancelled only
/// when a drain gives up. Thread-safe.
/// </summary>
#pragma warning disable CA1001 // the token source has no timer, so there is nothing to release; it lives as long as its owner
public sealed class InFlightWork
#pragma warning restore CA1001
{
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly CancellationTokenSource _abandon = new();

    /// <summary>How many started tasks have not finished.</summary>
    public int Count => _tasks.Count;

    /// <summary>Pass this to the work: it fires only when <see cref="DrainAsync"/> stops waiting.</summary>
    public CancellationToken Token => _abandon.Token;

    /// <summary>Runs <paramref name="work"/> on the thread pool and remembers it until it ends.</summary>
    public void Start(Func<CancellationToken, Task> work)
    {
        var token = _abandon.Token;
        Track(Task.Run(() => work(token), CancellationToken.None));
    }

    /// <summary>Remembers an already running task until it ends.</summary>
    public void Track(Task task)
    {
        _tasks.TryAdd(task, 0);
        _ = task.ContinueWith(t => _tasks.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Waits for every task started so far until <paramref name="cancellationToken"/> fires (e.g. the host's
    /// shutdown timeout); then cancels <see cref="Token"/> and returns how many were still running (0 = all done).
    /// Never throws for the work's own failures.
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var pending = _tasks.Keys.ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Count before cancelling: work that honours the token ends during CancelAsync, yet it was cut off.
            var abandoned = pending.Count(t => !t.IsCompleted);
            await _abandon.CancelAsync().ConfigureAwait(false);
            return abandoned;
        }
#pragma warning disable CA1031 // a failed piece of work was logged by its owner; draining only waits for it
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return 0;
    }
}
