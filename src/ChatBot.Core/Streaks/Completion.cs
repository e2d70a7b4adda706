namespace ChatBot.Core.Streaks;

/// <summary>How a completion was logged.</summary>
public enum CompletionKind
{
    /// <summary>The Done button on a break prompt.</summary>
    Button,

    /// <summary><c>/drill done</c>: a break taken on one's own.</summary>
    SelfLogged,
}

/// <summary>
/// One person marking one break done. <paramref name="LocalDay"/> is the date in the person's time zone at
/// <paramref name="At"/>: it is fixed when the completion is stored.
/// </summary>
public sealed record NewCompletion(
    TeamKey Team,
    string UserId,
    string DisplayName,
    ChannelKey Channel,
    long? BreakId,
    CompletionKind Kind,
    DateTimeOffset At,
    DateOnly LocalDay);

public enum CompletionOutcome
{
    Recorded,

    /// <summary>Already recorded (same break, or a second self-logged break the same day): nothing changed.</summary>
    Duplicate,
}

/// <summary>A person's streak numbers as of <paramref name="Today"/> (their local date).</summary>
/// <param name="Current">Consecutive workdays done, ending today if done, else at the last workday before today.</param>
/// <param name="Best">The longest run of consecutive workdays ever done.</param>
/// <param name="TotalBreaks">Every completion, workday or not.</param>
/// <param name="RecentWorkdaysDone">Of the last <paramref name="RecentWorkdays"/> workdays up to today, how many were done.</param>
/// <param name="DaysDone">The done days (workdays or not) from <paramref name="LedgerFrom"/> to today, for the ledger.</param>
public sealed record StreakStats(
    DateOnly Today,
    int Current,
    int Best,
    int TotalBreaks,
    int RecentWorkdaysDone,
    int RecentWorkdays,
    DateOnly LedgerFrom,
    IReadOnlySet<DateOnly> DaysDone);

/// <summary>One row of a channel leaderboard.</summary>
public sealed record LeaderboardRow(
    string UserId,
    string DisplayName,
    int CurrentStreak,
    int BestStreak,
    int BreaksInPeriod);

public enum LeaderboardPeriod
{
    Week,
    Month,
    All,
}
