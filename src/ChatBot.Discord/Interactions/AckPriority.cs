namespace ChatBot.Discord.Interactions;

/// <summary>
/// Initial responses have a 3-second deadline; follow-ups and the work behind a command have 15 minutes.
/// Under a burst of interactions, work that can wait yields to acknowledgements in flight (for at most
/// <see cref="MaxYield"/>), so every interaction is acknowledged first.
/// </summary>
internal sealed class AckPriority
{
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

    /// <summary>Waits until no acknowledgement is in flight, or <see cref="MaxYield"/> at most.</summary>
    public Task YieldToAcksAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_lock)
        {
            idle = _idle.Task;
        }

        return idle.IsCompleted ? Task.CompletedTask : WaitAsync(idle, cancellationToken);
    }

    private static async Task WaitAsync(Task idle, CancellationToken cancellationToken)
    {
        try
        {
            await idle.WaitAsync(MaxYield, cancellationToken);
        }
        catch (TimeoutException)
        {
            // waited long enough: go ahead
        }
    }

    private static TaskCompletionSource NewCompleted()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
