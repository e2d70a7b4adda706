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
    /// ranked by current streak, then breaks in the period, then name. Each person's "today" is looked up in
    /// <paramref name="todayByZone"/> by their zone (their own, else <paramref name="channelZone"/>).
    /// </summary>
    Task<IReadOnlyList<LeaderboardRow>> GetLeaderboardAsync(
        ChannelKey channel,
        DateOnly? since,
        string channelZone,
        Func<string, DateOnly> todayInZone,
        int limit,
        CancellationToken cancellationToken);
}
