namespace ChatBot.Discord.Interactions;

/// <summary>
/// Initial responses have a 3-second deadline; follow-ups and the work behind a command have 15 minutes.
/// Under a burst of interactions, work that can wait yields to acknowledgements in flight (for at most
/// <see cref="MaxYield"/>), so every interaction is acknowledged first.
/// </summary>
internal sealed class AckPriority(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public static readonly TimeSpan MaxYield = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private int _pending;
    private TaskCompletionSource _idle = NewCompleted();

    public void AckStarted()
    {
        lock (_lock)
        {
            if (_pending++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void AckFinished()
    {
        lock (_lock)
        {
            if (--_pending == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Waits until no acknowledgement is in flight, or <see cref="MaxYield"/> at most; never throws for the cap
    /// (only <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires).
    /// </summary>
    public Task YieldToAcksAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_lock)
        {
            idle = _idle.Task;
        }

        return idle.IsCompleted ? Task.CompletedTask : WaitAsync(idle, cancellationToken);
    }

    private async Task WaitAsync(Task idle, CancellationToken cancellationToken)
    {
        // Whichever comes first, without a TimeoutException per waiting command under a burst.
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(idle, Task.Delay(MaxYield, _time, cap.Token));
        await cap.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource NewCompleted()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
