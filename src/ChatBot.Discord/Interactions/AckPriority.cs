namespace ChatBot.Discord.Interactions;

/// <summary>
/// Initial responses have a 3-second deadline; follow-ups and the work behind a command have 15 minutes.
/// Under a burst of interactions, work that can wait yields to the acknowledgements that were in flight when it
/// began to wait (for at most <see cref="MaxYield"/>), so every interaction received before it is acknowledged
/// first. Acknowledgements that start later do not hold it up: under a steady burst some ack is always in flight,
/// and waiting for none at all held every deferred reply the whole cap (a loaded p99 of 256 ms in
/// bench/ChatBot.Peers.Bench). Thread-safe.
/// </summary>
internal sealed class AckPriority(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public static readonly TimeSpan MaxYield = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private readonly SortedSet<long> _pending = [];
    private readonly Queue<(long Before, TaskCompletionSource Done)> _waiters = new();
    private long _next;

    /// <summary>An acknowledgement is in flight; returns its ticket for <see cref="AckFinished"/>.</summary>
    public long AckStarted()
    {
        lock (_lock)
        {
            var ticket = _next++;
            _pending.Add(ticket);
            return ticket;
        }
    }

    /// <summary>The acknowledgement of <paramref name="ticket"/> went out (or was dropped).</summary>
    public void AckFinished(long ticket)
    {
        lock (_lock)
        {
            _pending.Remove(ticket);
            var oldestPending = _pending.Count == 0 ? long.MaxValue : _pending.Min;

            // Waiters queue in the order they came, so their barriers only grow: release from the front.
            while (_waiters.TryPeek(out var waiter) && waiter.Before <= oldestPending)
            {
                _waiters.Dequeue().Done.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Waits until every acknowledgement in flight now has gone out, or <see cref="MaxYield"/> at most; never throws
    /// for the cap (only <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires).
    /// </summary>
    public Task YieldToAcksAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue((_next, done));
        }

        return WaitAsync(done.Task, cancellationToken);
    }

    private async Task WaitAsync(Task acknowledged, CancellationToken cancellationToken)
    {
        // Whichever comes first, without a TimeoutException per waiting command under a burst.
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(acknowledged, Task.Delay(MaxYield, _time, cap.Token));
        await cap.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
