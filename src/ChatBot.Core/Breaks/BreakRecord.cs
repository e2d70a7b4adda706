namespace ChatBot.Core.Breaks;

/// <summary>Why a break started.</summary>
public enum BreakOrigin
{
    /// <summary>Someone ran <c>/drill &lt;drill&gt;</c> or <c>/drill now</c>.</summary>
    OnDemand,

    /// <summary>A channel's schedule slot fired.</summary>
    Scheduled,
}

/// <summary>A break: one drill, started in one channel at one moment, posted as a prompt plus a cue thread.</summary>
/// <param name="SlotKey">For scheduled breaks, the slot occurrence (e.g. "0930@2026-11-25"), unique per channel.</param>
/// <param name="Refusal">Set once the platform refused one of its posts for good: the break is over and never retried.</param>
public sealed record BreakRecord(
    long Id,
    ChannelKey Channel,
    string DrillId,
    BreakOrigin Origin,
    DateTimeOffset StartedAt,
    string? StartedBy,
    string? SlotKey,
    BreakRefusal? Refusal = null);

/// <summary>A post of a break the platform refused for good.</summary>
/// <param name="Step">The refused step (0 = the prompt).</param>
/// <param name="Detail">The platform's words (method and error code), for the caller and the log; never a token.</param>
public sealed record BreakRefusal(int Step, Ports.PostRefusal Reason, string Detail);

/// <summary>A break whose thread has not ended (see <see cref="Ports.IBreakStore.GetUnfinishedAsync"/>).</summary>
/// <param name="NextStep">The first step with no message recorded (0 when even the prompt is not out).</param>
/// <param name="LastPostedAt">When the step before it was recorded (UTC), or null when nothing was posted.</param>
public sealed record UnfinishedBreak(BreakRecord Break, int NextStep, DateTimeOffset? LastPostedAt)
{
    /// <summary>
    /// Breaks started longer ago than this are left alone (their thread is long stale): a restarted bot does not
    /// carry them on, and the active-breaks gauge does not count them.
    /// </summary>
    public static readonly TimeSpan ResumeWindow = TimeSpan.FromDays(1);
}

/// <summary>What <see cref="Ports.IBreakStore.CreateAsync"/> is asked to store.</summary>
public sealed record NewBreak(
    ChannelKey Channel,
    string DrillId,
    BreakOrigin Origin,
    DateTimeOffset StartedAt,
    string? StartedBy = null,
    string? SlotKey = null);

/// <summary>The answer to a claim on one post of a break (step 0 is the prompt, 1..n the cues).</summary>
public abstract record PostClaim
{
    private PostClaim()
    {
    }

    /// <summary>This caller holds the claim and must post, then record the message id.</summary>
    /// <param name="Resend">An earlier claim of this step never recorded a message: that attempt may have reached the platform.</param>
    public sealed record Granted(string? PromptMessageId, bool Resend = false) : PostClaim;

    /// <summary>The step was posted already: do nothing.</summary>
    public sealed record AlreadyPosted(string MessageId) : PostClaim;

    /// <summary>A live instance claimed it recently and may be posting right now: try again after the lease.</summary>
    public sealed record HeldElsewhere(DateTimeOffset LeaseExpiresAt) : PostClaim;
}
