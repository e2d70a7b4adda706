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
    /// Claims one post of a break before it is sent. Granted when nobody holds it, or when an earlier claim's
    /// lease ran out without a message id recorded (its holder died mid-post).
    /// </summary>
    Task<PostClaim> ClaimPostAsync(long breakId, int step, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Records the platform's message id for a claimed post: from now on the step counts as posted.</summary>
    Task RecordPostAsync(long breakId, int step, string messageId, CancellationToken cancellationToken);

    /// <summary>Gives up a claim whose post failed, so a retry may claim it again at once.</summary>
    Task ReleaseClaimAsync(long breakId, int step, CancellationToken cancellationToken);

    /// <summary>The message id of a posted step (0 = the prompt), or null.</summary>
    Task<string?> GetPostedMessageIdAsync(long breakId, int step, CancellationToken cancellationToken);
}
