namespace ChatBot.Core.Ports;

/// <summary>
/// The ledger of direct messages: each DM has a stable key (<c>snooze:42:U1</c>, <c>remind:17</c>) and is claimed
/// before it is sent and recorded after, like a break's posts (<see cref="IBreakStore.ClaimPostAsync"/>), so a
/// job that runs twice, or on two instances, sends it once. It also keeps, per person, the refusal of their last
/// DM (closed DMs) until the person is told on their next command.
/// </summary>
public interface IDirectMessageStore
{
    /// <summary>
    /// Claims the DM <paramref name="key"/> for <paramref name="instanceId"/>. Granted when nobody holds it, when an
    /// earlier claim was released, when its lease (from <paramref name="now"/>, UTC) ran out, or when its holder is
    /// known dead (<see cref="BotInstance.DeadAfter"/>).
    /// </summary>
    Task<DirectMessageClaim> ClaimAsync(string key, TeamKey team, string userId, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ClaimAsync"/> for many DMs in one transaction (the daily reminder pass); answers in the order asked.
    /// </summary>
    Task<IReadOnlyList<DirectMessageClaim>> ClaimManyAsync(
        IReadOnlyList<DirectMessageTarget> targets, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary><see cref="RecordSentAsync"/> for many DMs in one transaction.</summary>
    Task RecordSentManyAsync(IReadOnlyList<(string Key, DirectMessageReceipt Receipt)> sent, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records the sent DM (its conversation and message id); clears the person's refusal note, as DMs reach them again.</summary>
    Task RecordSentAsync(string key, DirectMessageReceipt receipt, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Gives up a claim whose send failed transiently; the next claim is granted as a resend.</summary>
    Task ReleaseAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// The platform refused the DM for good: the key is closed (never tried again) and the person gets the note
    /// <paramref name="detail"/> (the platform's words, never a token) on their next command.
    /// </summary>
    Task RecordRefusedAsync(string key, TeamKey team, string userId, string detail, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Where a sent DM went, or null when it was not sent (yet).</summary>
    Task<DirectMessageReceipt?> GetSentAsync(string key, CancellationToken cancellationToken);

    /// <summary>Takes the person's pending refusal note (the platform's detail), if any: it is returned once.</summary>
    Task<string?> TakeRefusalAsync(TeamKey team, string userId, CancellationToken cancellationToken);
}

/// <summary>One DM to claim: its ledger key and the person it goes to.</summary>
public sealed record DirectMessageTarget(string Key, TeamKey Team, string UserId);

/// <summary>The answer to <see cref="IDirectMessageStore.ClaimAsync"/>.</summary>
public abstract record DirectMessageClaim
{
    private DirectMessageClaim()
    {
    }

    /// <summary>Send it, then record it. <paramref name="Resend"/>: an earlier attempt may have reached the platform.</summary>
    public sealed record Granted(bool Resend) : DirectMessageClaim;

    /// <summary>Sent before: do nothing.</summary>
    public sealed record AlreadySent(DirectMessageReceipt Receipt) : DirectMessageClaim;

    /// <summary>Refused for good before: do nothing.</summary>
    public sealed record Refused : DirectMessageClaim;

    /// <summary>A live instance is sending it: try again after the lease (UTC).</summary>
    public sealed record HeldElsewhere(DateTimeOffset LeaseExpiresAt) : DirectMessageClaim;
}
