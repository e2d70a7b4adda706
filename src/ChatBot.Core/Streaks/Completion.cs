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

/// <summary>A person's streak numbers as of <paramref name="Today"/> (their local date). Rules: design.md "Streak rules".</summary>
/// <param name="Current">
/// Days in a row with a break, ending today if done, else at the last done day before today; a day off or away day
/// without a break is skipped, one with a break counts. 0 once a workday before today was missed after the last done day.
/// </param>
/// <param name="Best">The longest such run ever.</param>
/// <param name="TotalBreaks">Every completion, workday or not.</param>
/// <param name="RecentWorkdaysDone">Of the <paramref name="RecentWorkdays"/> workdays in the consistency window, how many were done.</param>
/// <param name="RecentWorkdays">
/// The workdays in the consistency window: the last 20 that were not away days (ending today if done, else at
/// the last such workday before today), but none before <paramref name="FirstDay"/>, so fewer than 20 for a
/// newcomer (0 before any break).
/// </param>
/// <param name="LedgerFrom">The first day of the ledger: the asked-for number of days back, but never before <paramref name="FirstDay"/>.</param>
/// <param name="DaysDone">The done days (workdays or not) from <paramref name="LedgerFrom"/> to today, for the ledger.</param>
/// <param name="FirstDay">The local day of the person's first logged break; null before any.</param>
/// <param name="AwayDays">The person's away days from <paramref name="LedgerFrom"/> to today, for the ledger.</param>
public sealed record StreakStats(
    DateOnly Today,
    int Current,
    int Best,
    int TotalBreaks,
    int RecentWorkdaysDone,
    int RecentWorkdays,
    DateOnly LedgerFrom,
    IReadOnlySet<DateOnly> DaysDone,
    DateOnly? FirstDay,
    IReadOnlySet<DateOnly> AwayDays)
{
    /// <summary>Consistency looks at this many workdays (fewer until a newcomer has had that many).</summary>
    public const int ConsistencyWindow = 20;
}

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
