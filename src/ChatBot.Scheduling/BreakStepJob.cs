using ChatBot.Core.Breaks;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// Posts one step of a break (0 = the prompt, 1..n = cues in its thread) and schedules the next step
/// <c>Breaks:CueInterval</c> later. Safe to run any number of times: <see cref="BreakPoster"/> claims each
/// post in the bot's database first, so a re-run finds the step posted and only makes sure the chain goes on.
/// </summary>
public sealed partial class BreakStepJob(
    BreakPoster poster,
    IBackgroundJobClient jobs,
    IOptions<BreaksOptions> options,
    ILogger<BreakStepJob> logger)
{
    public async Task RunAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        var result = await poster.PostStepAsync(breakId, step, cancellationToken);
        if (result.HeldUntil is { } heldUntil)
        {
            // Someone else claimed this post and may be sending it right now. Fail, so Hangfire retries after
            // a back-off; by then their claim has either been recorded (we then do nothing) or has lapsed.
            throw new StepHeldException(breakId, step, heldUntil);
        }

        if (result.HasNextStep)
        {
            var next = step + 1;
            jobs.Schedule<BreakStepJob>(j => j.RunAsync(breakId, next, CancellationToken.None), options.Value.CueInterval);
            LogScheduledNext(logger, breakId, next, options.Value.CueInterval);
        }
    }

    [LoggerMessage(EventId = 3230, Level = LogLevel.Debug, Message = "Break {BreakId}: step {Step} scheduled in {Delay}")]
    private static partial void LogScheduledNext(ILogger logger, long breakId, int step, TimeSpan delay);
}

/// <summary>A step's post is claimed by a live holder; Hangfire retries the job later.</summary>
public sealed class StepHeldException(long breakId, int step, DateTimeOffset heldUntil)
    : Exception($"Break {breakId} step {step} is being posted elsewhere (claim held until {heldUntil:O}); retrying later.");
