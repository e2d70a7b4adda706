using ChatBot.Core.Breaks;

namespace ChatBot.Core.Ports;

/// <summary>Breaks and the claims that make each of their posts happen once.</summary>
public interface IBreakStore
{
    /// <summary>
    /// Stores a new break. A scheduled break whose (channel, slot key) exists already is not stored twice:
    /// the existing one comes back with <c>Created = false</c>.
    /// </summary>
    Task<(BreakRecord Break, bool Created)> CreateAsync(NewBreak newBreak, CancellationToken cancellationToken);

    Task<BreakRecord?> GetAsync(long breakId, CancellationToken cancellationToken);

    /// <summary>The drill of the most recent break in the channel, for the rotation.</summary>
    Task<string?> GetLastDrillAsync(ChannelKey channel, CancellationToken cancellationToken);

    /// <summary>
    /// Claims one post of a break for <paramref name="instanceId"/> (see <see cref="BotInstance"/>) before it is
    /// sent. Granted when nobody holds it, when an earlier claim was released, when its lease ran out, or when the
    /// instance that made it is known dead (ended, or no heartbeat for <see cref="BotInstance.DeadAfter"/>).
    /// A claim of an instance with no heartbeat row is judged by its lease alone.
    /// </summary>
    /// <param name="now">The claim time (UTC); the lease runs from it.</param>
    Task<PostClaim> ClaimPostAsync(long breakId, int step, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Records the platform's message id for a claimed post: from now on the step counts as posted.</summary>
    Task RecordPostAsync(long breakId, int step, string messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Gives up a claim whose post failed, so a retry may claim it again at once. The step stays marked as
    /// attempted: the next claim is granted with <see cref="PostClaim.Granted.Resend"/>.
    /// </summary>
    Task ReleaseClaimAsync(long breakId, int step, CancellationToken cancellationToken);

    /// <summary>Ends the break because the platform refused one of its posts for good; later steps and restarts leave it alone.</summary>
    /// <param name="at">When (UTC).</param>
    Task RecordRefusalAsync(long breakId, BreakRefusal refusal, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Marks the break's thread complete (its last step is posted), so restarts no longer look at it.</summary>
    /// <param name="at">When (UTC).</param>
    Task RecordFinishedAsync(long breakId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Breaks started at or after <paramref name="startedSince"/> (UTC) that are neither finished nor refused,
    /// oldest first: the threads a restarted bot carries on.
    /// </summary>
    Task<IReadOnlyList<UnfinishedBreak>> GetUnfinishedAsync(DateTimeOffset startedSince, CancellationToken cancellationToken);

    /// <summary>
    /// How many breaks <see cref="GetUnfinishedAsync"/> would return, without reading them (the active-breaks
    /// gauge). A store should answer it from an index; the default reads the list.
    /// </summary>
    async Task<int> CountUnfinishedAsync(DateTimeOffset startedSince, CancellationToken cancellationToken) =>
        (await GetUnfinishedAsync(startedSince, cancellationToken)).Count;

    /// <summary>The message id of a posted step (0 = the prompt), or null.</summary>
    Task<string?> GetPostedMessageIdAsync(long breakId, int step, CancellationToken cancellationToken);
}
