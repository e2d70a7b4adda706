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

    /// <summary>The platform refused this step, or an earlier one, for good: the break is over (see <see cref="BreakRecord.Refusal"/>).</summary>
    Refused,
}

public sealed record StepResult(StepStatus Status, bool HasNextStep, DateTimeOffset? RetryAfter = null);

/// <summary>
/// Posts one step of a break exactly once from the users' side: claim it in the bot's database, post,
/// record the message id. Runs of one step in this process take turns (see <see cref="StepPostGate"/>); a run that
/// finds the step posted does nothing; a run that finds a live claim (another instance posting) backs off; a claim
/// whose holder died mid-post (its <see cref="BotInstance"/> is dead, or its lease of
/// <see cref="ClaimLease"/> ran out) is taken over and re-posted as a <see cref="PostOptions.Resend"/> with the
/// same idempotency key and tag, which Discord de-duplicates by nonce and Slack by looking for the tagged
/// message first. A permanent refusal is recorded on the break, which ends it for good; a rejected bot token
/// (<see cref="ChatPlatformException.IsFatal"/>) is not a refusal: the claim is released and the error thrown, so
/// the break resumes once the operator has fixed the token.
/// </summary>
public sealed partial class BreakPoster(
    IBreakStore breaks,
    DrillCatalog catalog,
    ChatPlatforms platforms,
    BotInstance instance,
    TimeProvider clock,
    ILogger<BreakPoster> logger)
{
    /// <summary>Longer than any single post may take, retries included.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(2);

    private readonly StepPostGate turns = new(clock);

    /// <summary>How many runs of the step are posting or waiting their turn in this process (for tests).</summary>
    internal int RunsOf(long breakId, int step) => turns.Users(breakId, step);

    /// <summary>Posts step <paramref name="step"/> of the break unless it is posted; waits its turn behind another run of the step in this process.</summary>
    /// <exception cref="ChatPlatformException">The platform failed the post (not a permanent refusal): the claim is released and the error rethrown.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<StepResult> PostStepAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        using var turn = await turns.EnterAsync(breakId, step, cancellationToken);
        var brk = await breaks.GetAsync(breakId, cancellationToken);
        if (brk is null || !catalog.TryFind(brk.DrillId, out var drill) || step < 0 || step >= BreakContent.StepCount(drill))
        {
            return new StepResult(StepStatus.NoSuchStep, HasNextStep: false);
        }

        if (brk.Refusal is { } refused)
        {
            LogRefusedBefore(logger, breakId, step, refused.Step);
            return new StepResult(StepStatus.Refused, HasNextStep: false);
        }

        var hasNext = step + 1 < BreakContent.StepCount(drill);
        var claim = await breaks.ClaimPostAsync(breakId, step, instance.Id, clock.GetUtcNow(), ClaimLease, cancellationToken);
        switch (claim)
        {
            case PostClaim.AlreadyPosted:
                LogAlreadyPosted(logger, breakId, step);
                if (!hasNext)
                {
                    await breaks.RecordFinishedAsync(breakId, clock.GetUtcNow(), CancellationToken.None);
                }

                return new StepResult(StepStatus.AlreadyPosted, hasNext);
            case PostClaim.HeldElsewhere held:
                return new StepResult(StepStatus.HeldElsewhere, hasNext, held.LeaseExpiresAt);
        }

        var granted = (PostClaim.Granted)claim;
        var promptId = granted.PromptMessageId;
        if (step > 0 && promptId is null)
        {
            // Cues go into the prompt's thread; without a posted prompt there is no thread yet.
            await breaks.ReleaseClaimAsync(breakId, step, cancellationToken);
            return new StepResult(StepStatus.HeldElsewhere, hasNext, clock.GetUtcNow() + ClaimLease);
        }

        var options = new PostOptions(
            BreakContent.IdempotencyKey(breakId, step),
            step == 0 ? null : promptId,
            BreakContent.ThreadTitle(drill),
            new BreakStepTag(breakId, step, brk.StartedAt),
            granted.Resend);
        string messageId;
        var kind = step == 0 ? "prompt" : "cue";
        try
        {
            messageId = await platforms.Get(brk.Channel.Platform)
                .PostAsync(brk.Channel, BreakContent.Step(brk, drill, step), options, cancellationToken);
        }
        catch (ChatPlatformException exception) when (exception.IsPermanent && !exception.IsFatal)
        {
            var refusal = new BreakRefusal(step, exception.Refusal ?? PostRefusal.Other, Truncate(exception.Message, 300));
            await breaks.RecordRefusalAsync(breakId, refusal, clock.GetUtcNow(), CancellationToken.None);
            await breaks.ReleaseClaimAsync(breakId, step, CancellationToken.None);
            LogRefused(logger, exception, breakId, step, refusal.Reason);
            return new StepResult(StepStatus.Refused, HasNextStep: false);
        }
        catch
        {
            ChatBotTelemetry.Posted(brk.Channel.Platform, kind, ok: false);
            await breaks.ReleaseClaimAsync(breakId, step, CancellationToken.None);
            throw;
        }

        ChatBotTelemetry.Posted(brk.Channel.Platform, kind, ok: true);
        await breaks.RecordPostAsync(breakId, step, messageId, CancellationToken.None);
        if (!hasNext)
        {
            await breaks.RecordFinishedAsync(breakId, clock.GetUtcNow(), CancellationToken.None);
        }

        return new StepResult(StepStatus.Posted, hasNext);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Error, Message = "Break {BreakId}: step {Step} was refused for good ({Reason}); the break ends here and is not retried")]
    private static partial void LogRefused(ILogger logger, Exception exception, long breakId, int step, PostRefusal reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Break {BreakId}: step {Step} not posted, the platform refused step {RefusedStep} before")]
    private static partial void LogRefusedBefore(ILogger logger, long breakId, int step, int refusedStep);

    [LoggerMessage(Level = LogLevel.Information, Message = "Break {BreakId} step {Step} was posted before; not posting again")]
    private static partial void LogAlreadyPosted(ILogger logger, long breakId, int step);
}
