using ChatBot.Core.Drills;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace ChatBot.Core.Breaks;

public enum StepStatus
{
    /// <summary>This call posted the step.</summary>
    Posted,

    /// <summary>The step had been posted before: nothing was sent.</summary>
    AlreadyPosted,

    /// <summary>Another worker holds a live claim on the step; try again after <see cref="StepResult.RetryAfter"/>.</summary>
    HeldElsewhere,

    /// <summary>The break does not exist or has no such step.</summary>
    NoSuchStep,
}

public sealed record StepResult(StepStatus Status, bool HasNextStep, DateTimeOffset? RetryAfter = null);

/// <summary>
/// Posts one step of a break exactly once from the users' side: claim it in the bot's database, post,
/// record the message id. A run that finds the step posted does nothing; a run that finds a live claim
/// backs off; a claim whose holder died mid-post expires after <see cref="ClaimLease"/> and is taken over,
/// re-posting with the same idempotency key (which Discord de-duplicates by nonce).
/// </summary>
public sealed partial class BreakPoster(
    IBreakStore breaks,
    DrillCatalog catalog,
    ChatPlatforms platforms,
    TimeProvider clock,
    ILogger<BreakPoster> logger)
{
    /// <summary>Longer than any single post may take, retries included.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(2);

    public async Task<StepResult> PostStepAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        var brk = await breaks.GetAsync(breakId, cancellationToken);
        if (brk is null || !catalog.TryFind(brk.DrillId, out var drill) || step < 0 || step >= BreakContent.StepCount(drill))
        {
            return new StepResult(StepStatus.NoSuchStep, HasNextStep: false);
        }

        var hasNext = step + 1 < BreakContent.StepCount(drill);
        var claim = await breaks.ClaimPostAsync(breakId, step, clock.GetUtcNow(), ClaimLease, cancellationToken);
        switch (claim)
        {
            case PostClaim.AlreadyPosted:
                LogAlreadyPosted(logger, breakId, step);
                return new StepResult(StepStatus.AlreadyPosted, hasNext);
            case PostClaim.HeldElsewhere held:
                return new StepResult(StepStatus.HeldElsewhere, hasNext, held.LeaseExpiresAt);
        }

        var promptId = ((PostClaim.Granted)claim).PromptMessageId;
        if (step > 0 && promptId is null)
        {
            // Cues go into the prompt's thread; without a posted prompt there is no thread yet.
            await breaks.ReleaseClaimAsync(breakId, step, cancellationToken);
            return new StepResult(StepStatus.HeldElsewhere, hasNext, clock.GetUtcNow() + ClaimLease);
        }

        var options = new PostOptions(
            BreakContent.IdempotencyKey(breakId, step),
            step == 0 ? null : promptId,
            BreakContent.ThreadTitle(drill));
        string messageId;
        var kind = step == 0 ? "prompt" : "cue";
        try
        {
            messageId = await platforms.Get(brk.Channel.Platform)
                .PostAsync(brk.Channel, BreakContent.Step(brk, drill, step), options, cancellationToken);
        }
        catch
        {
            ChatBotTelemetry.Posted(brk.Channel.Platform, kind, ok: false);
            await breaks.ReleaseClaimAsync(breakId, step, CancellationToken.None);
            throw;
        }

        ChatBotTelemetry.Posted(brk.Channel.Platform, kind, ok: true);
        ChatBotTelemetry.BreakStepPosted(breakId, hasNext);
        await breaks.RecordPostAsync(breakId, step, messageId, CancellationToken.None);
        return new StepResult(StepStatus.Posted, hasNext);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Break {BreakId} step {Step} was posted before; not posting again")]
    private static partial void LogAlreadyPosted(ILogger logger, long breakId, int step);
}
