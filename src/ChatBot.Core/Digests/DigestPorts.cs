namespace ChatBot.Core.Digests;

/// <summary>The digest's queries, its schedule setting, its post claims and the on-demand rate limit, all in the bot's database.</summary>
public interface IDigestStore
{
    /// <summary>
    /// Counts the channel's completions per local day. <paramref name="dayBoundaries"/> are the UTC instants at
    /// which each day starts plus the end of the last (see <see cref="DigestPeriod.DayBoundaries"/>); a completion
    /// belongs to the day its instant falls in. Breaks are split by the drill of the break they completed.
    /// </summary>
    Task<DigestCounts> CountAsync(ChannelKey channel, IReadOnlyList<DateOnly> dates, IReadOnlyList<DateTimeOffset> dayBoundaries, CancellationToken cancellationToken);

    /// <summary>The channel's digest setting; <see cref="DigestSetting.Default"/> when none was stored.</summary>
    Task<DigestSetting> GetSettingAsync(ChannelKey channel, CancellationToken cancellationToken);

    Task SetSettingAsync(ChannelKey channel, DigestSetting setting, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the channel's on-demand digest turn: granted (returns null) when the last one was at least
    /// <paramref name="interval"/> before <paramref name="now"/>, atomically, so two instances cannot both win.
    /// Otherwise returns when the next one is allowed.
    /// </summary>
    Task<DateTimeOffset?> TryTakeOnDemandTurnAsync(ChannelKey channel, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the scheduled digest of one period before it is posted. True when granted: nobody posted it, and
    /// no other claim's lease is still running. False: posted already, or being posted elsewhere.
    /// </summary>
    Task<bool> ClaimPostAsync(ChannelKey channel, string periodKey, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Records the posted message id: from now on the period's digest counts as posted.</summary>
    Task RecordPostAsync(ChannelKey channel, string periodKey, string messageId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gives up a claim whose post failed, so a retry may claim it again at once.</summary>
    Task ReleaseClaimAsync(ChannelKey channel, string periodKey, CancellationToken cancellationToken);
}

/// <summary>Draws a digest's chart. Implemented outside Core (ScottPlot in ChatBot.Digest) so Core keeps no drawing package.</summary>
public interface IDigestChart
{
    /// <summary>The chart as PNG bytes, <see cref="Width"/> × <see cref="Height"/> pixels. Same report, same machine: same bytes.</summary>
    byte[] RenderPng(DigestReport report);

    int Width { get; }

    int Height { get; }
}
