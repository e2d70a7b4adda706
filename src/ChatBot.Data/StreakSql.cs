using System.Globalization;
using System.Text;
using ChatBot.Core.Streaks;

namespace ChatBot.Data;

/// <summary>
/// The streak arithmetic in SQL (rules: design.md "Streak rules"). A day is "off" for a person when it is not a
/// team workday or it is one of their away days (<c>away_days</c>); that one test (<c>off</c> below) is all the
/// rules look at. The days that matter to a person are every day that is not off plus each day off they did a
/// break on; a day off without one is skipped. Each done day gets its place among those days (the count of days
/// not off up to it, plus the done days off up to it), so two done days are neighbours in a streak exactly when
/// their places differ by one. Runs of consecutive places are found with the gaps-and-islands trick, and each
/// person's summary (total, best run, latest run) is upserted into <c>streaks</c>.
/// </summary>
/// <remarks>
/// <c>run_end</c> is a workday ordinal (<see cref="WorkdaySet.Ordinal"/>): that of the latest run's last day, or,
/// when away workdays follow that day without a gap, that of the last of them (planned ones included). So the
/// run is still current while no workday lies between <c>run_end</c> and today, the same test with or without
/// away days, and readers (the streak, the leaderboard) need not know about away days. Anything that changes a
/// person's completions or away days runs <see cref="RefreshOne"/> in the same transaction.
/// </remarks>
internal static class StreakSql
{
    /// <summary>
    /// Bumped whenever the rules in this SQL change: the stored summaries are then recomputed at start
    /// (see <see cref="Database"/>), as when the workdays setting changes. 3: away days.
    /// </summary>
    public const int RulesVersion = 3;

    private const string OneUser = "platform = @Platform AND team_id = @TeamId AND user_id = @UserId";

    /// <summary>The <see cref="SqlDialect.LockAsync"/> key of one person's streak: taken before changing their completions or away days.</summary>
    public static string LockKey(string platform, string teamId, string userId) => $"streak:{platform}:{teamId}:{userId}";

    /// <summary>Recomputes one person's summary; parameters <c>@Platform</c>, <c>@TeamId</c>, <c>@UserId</c>.</summary>
    public static string RefreshOne(WorkdaySet workdays) => Refresh(workdays, OneUser);

    public static string RefreshAll(WorkdaySet workdays) => Refresh(workdays, "1 = 1");

    /// <summary>
    /// The SQL expression equal to <see cref="WorkdaySet.Ordinal"/> for a column holding <see cref="WorkdaySet.DayNumber"/>
    /// (integer arithmetic only, the same text on SQLite and PostgreSQL).
    /// </summary>
    public static string Ordinal(WorkdaySet workdays, string dayColumn)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"((({dayColumn}) + 3) / 7 * {workdays.PerWeek} + CASE (({dayColumn}) + 3) % 7");
        for (var i = 0; i < 7; i++)
        {
            // Day number 0 + 3 is a Monday (1970-01-01 was a Thursday).
            builder.Append(CultureInfo.InvariantCulture, $" WHEN {i} THEN {workdays.CountThrough((DayOfWeek)((i + 1) % 7))}");
        }

        return builder.Append(" END)").ToString();
    }

    /// <summary>The SQL condition true when a day-number column is a workday (a boolean on both engines).</summary>
    public static string IsWorkday(WorkdaySet workdays, string dayColumn) =>
        string.Create(CultureInfo.InvariantCulture, $"((({workdays.Mask} >> CAST((({dayColumn}) + 3) % 7 AS INTEGER)) & 1) = 1)");

    private static string Refresh(WorkdaySet workdays, string filter) => $"""
        WITH marks AS (
            SELECT DISTINCT platform, team_id, user_id, local_day, 1 AS done, 0 AS away FROM completions WHERE {filter}
            UNION ALL
            SELECT platform, team_id, user_id, local_day, 0 AS done, 1 AS away FROM away_days WHERE {filter}
        ),
        days AS (
            SELECT platform, team_id, user_id, local_day, MAX(done) AS done, MAX(away) AS away,
                   {IsWorkday(workdays, "local_day")} AS workday,
                   (MAX(away) = 1 OR NOT {IsWorkday(workdays, "local_day")}) AS off
            FROM marks GROUP BY platform, team_id, user_id, local_day
        ),
        places AS (
            SELECT platform, team_id, user_id, local_day, done,
                   {Ordinal(workdays, "local_day")} AS workday_ord,
                   {Ordinal(workdays, "local_day")}
                     - SUM(CASE WHEN off AND workday THEN 1 ELSE 0 END) OVER upto
                     + SUM(CASE WHEN off AND done = 1 THEN 1 ELSE 0 END) OVER upto AS place
            FROM days
            WINDOW upto AS (PARTITION BY platform, team_id, user_id ORDER BY local_day ROWS UNBOUNDED PRECEDING)
        ),
        numbered AS (
            SELECT platform, team_id, user_id, local_day, workday_ord,
                   place - ROW_NUMBER() OVER (PARTITION BY platform, team_id, user_id ORDER BY local_day) AS grp
            FROM places WHERE done = 1
        ),
        islands AS (
            SELECT platform, team_id, user_id, MAX(local_day) AS last_day, MAX(workday_ord) AS run_end, COUNT(*) AS run_length
            FROM numbered GROUP BY platform, team_id, user_id, grp
        ),
        ranked AS (
            SELECT platform, team_id, user_id, run_end, run_length,
                   ROW_NUMBER() OVER (PARTITION BY platform, team_id, user_id ORDER BY last_day DESC) AS latest,
                   MAX(run_length) OVER (PARTITION BY platform, team_id, user_id) AS best
            FROM islands
        ),
        away_runs AS (
            SELECT platform, team_id, user_id, workday_ord,
                   workday_ord - ROW_NUMBER() OVER (PARTITION BY platform, team_id, user_id ORDER BY workday_ord) AS grp
            FROM places p JOIN days d USING (platform, team_id, user_id, local_day) WHERE d.away = 1 AND d.workday
        ),
        away_blocks AS (
            SELECT platform, team_id, user_id, MIN(workday_ord) AS first_ord, MAX(workday_ord) AS last_ord
            FROM away_runs GROUP BY platform, team_id, user_id, grp
        ),
        totals AS (
            SELECT platform, team_id, user_id, COUNT(*) AS total FROM completions WHERE {filter}
            GROUP BY platform, team_id, user_id
        )
        INSERT INTO streaks (platform, team_id, user_id, total, best, run_end, run_length)
        SELECT t.platform, t.team_id, t.user_id, t.total, COALESCE(r.best, 0), COALESCE(b.last_ord, r.run_end), COALESCE(r.run_length, 0)
        FROM totals t
        LEFT JOIN ranked r ON r.platform = t.platform AND r.team_id = t.team_id AND r.user_id = t.user_id AND r.latest = 1
        LEFT JOIN away_blocks b ON b.platform = t.platform AND b.team_id = t.team_id AND b.user_id = t.user_id
            AND b.first_ord <= r.run_end + 1 AND b.last_ord >= r.run_end + 1
        WHERE true
        ON CONFLICT (platform, team_id, user_id) DO UPDATE SET
            total = excluded.total, best = excluded.best, run_end = excluded.run_end, run_length = excluded.run_length;
        """;
}
