using ChatBot.Core.Streaks;

namespace ChatBot.Core.Ports;

/// <summary>Completions, and the streaks and leaderboards computed from them (in the database, not in memory).</summary>
public interface ICompletionStore
{
    /// <summary>Stores a completion durably; the same break twice (or a second self-logged one the same day) is a duplicate.</summary>
    Task<CompletionOutcome> RecordAsync(NewCompletion completion, CancellationToken cancellationToken);

    /// <summary>How many people completed the break.</summary>
    Task<int> CountForBreakAsync(long breakId, CancellationToken cancellationToken);

    /// <param name="today">The person's local date now.</param>
    /// <param name="ledgerDays">How many calendar days back the <see cref="StreakStats.DaysDone"/> ledger reaches.</param>
    Task<StreakStats> GetStreakAsync(TeamKey team, string userId, DateOnly today, int ledgerDays, CancellationToken cancellationToken);

    /// <summary>
    /// The people who completed breaks in <paramref name="channel"/> since <paramref name="since"/> (null: ever),
    /// ranked by current streak, then breaks in the period, then name. Each person's streak is current or not as
    /// of their own today at <paramref name="now"/>: the local date in their zone (their own, else
    /// <paramref name="channelZone"/>, an IANA name; an unknown one counts as UTC).
    /// </summary>
    Task<IReadOnlyList<LeaderboardRow>> GetLeaderboardAsync(
        ChannelKey channel,
        DateOnly? since,
        string channelZone,
        DateTimeOffset now,
        int limit,
        CancellationToken cancellationToken);
}
