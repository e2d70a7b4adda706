namespace ChatBot.Core.Ports;

/// <summary>How a claim of an inbound delivery in the shared store went (see <see cref="IInboundClaimStore"/>).</summary>
public enum InboundClaim
{
    /// <summary>First seen within the lifetime (or its earlier claim expired or its instance died): handle it here.</summary>
    Claimed,

    /// <summary>Another instance claimed it and handled it: acknowledge, do not run it again.</summary>
    HandledElsewhere,

    /// <summary>Another live instance claimed it and is still handling it (or failed without saying so yet): leave it to that one.</summary>
    PendingElsewhere,
}

/// <summary>
/// The shared tier of the inbound de-duplicator (<see cref="Deduplicator"/>): claims of delivery keys (Slack
/// <c>envelope_id</c>s) that every instance on one database sees, so a delivery Slack gives again to another
/// instance's connection runs once. A claim lives for a lifetime and is then purged.
/// </summary>
public interface IInboundClaimStore
{
    /// <summary>
    /// Atomically claims <paramref name="key"/> for this instance for <paramref name="lifetime"/> unless a live claim
    /// exists: one that has not expired and is handled, or is held by an instance still alive.
    /// </summary>
    /// <exception cref="System.Data.Common.DbException">The database could not be reached or failed.</exception>
    Task<InboundClaim> TryClaimAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>
    /// Records how this instance's claim of <paramref name="key"/> ended: handled (later deliveries are acknowledged
    /// without running), or not (the claim is dropped, so the next delivery runs wherever it arrives).
    /// </summary>
    /// <exception cref="System.Data.Common.DbException">The database could not be reached or failed.</exception>
    Task CompleteAsync(string key, bool handled, CancellationToken cancellationToken);
}
