namespace ChatBot.Core.Breaks;

/// <summary>
/// Paces a break: posts its prompt now, then each cue <c>Breaks:CueInterval</c> apart into the prompt's
/// thread. Every post goes through <see cref="BreakPoster"/>, so running a step twice never posts twice.
/// The scheduling project backs it with Hangfire delayed jobs (<c>HangfireBreakRunner</c>), so a thread survives restarts.
/// </summary>
public interface IBreakRunner
{
    /// <summary>Starts pacing the stored break; returns once the work is handed off, not when the thread ends.</summary>
    Task StartAsync(long breakId, CancellationToken cancellationToken);

    /// <summary>Completes when no break thread is in progress (the console chat waits for this at end of input).</summary>
    Task WhenIdleAsync(CancellationToken cancellationToken);
}
