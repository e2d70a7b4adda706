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
public sealed record BreakRecord(
    long Id,
    ChannelKey Channel,
    string DrillId,
    BreakOrigin Origin,
    DateTimeOffset StartedAt,
    string? StartedBy,
    string? SlotKey);

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
    public sealed record Granted(string? PromptMessageId) : PostClaim;

    /// <summary>The step was posted already: do nothing.</summary>
    public sealed record AlreadyPosted(string MessageId) : PostClaim;

    /// <summary>Someone else claimed it recently and may be posting right now: try again after the lease.</summary>
    public sealed record HeldElsewhere(DateTimeOffset LeaseExpiresAt) : PostClaim;
}
