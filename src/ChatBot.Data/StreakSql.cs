using ChatBot.Core.Streaks;

namespace ChatBot.Data;

/// <summary>
/// The streak arithmetic in SQL (rules: design.md "Streak rules"). The days that matter to a person are every
/// workday plus each day off they did a break on; a day off without one is skipped. Each done day gets its place
/// among those days (its workday ordinal plus the done days off up to it), so two done days are neighbours in a
/// streak exactly when their places differ by one. Runs of consecutive places are found with the
/// gaps-and-islands trick, and each person's summary (total, best run, latest run) is upserted into
/// <c>streaks</c>. <c>run_end</c> is the workday ordinal (<see cref="WorkdaySet.Ordinal"/>) of the latest run's
/// last day: the run is still current while no workday lies between that day and today.
/// </summary>
/// <remarks>
/// A day off is "not a workday" (the team's setting). Per-person away days will join that one predicate: an
/// away day without a break is skipped, one with a break counts, like any day off.
/// </remarks>
internal static class StreakSql
{
    /// <summary>
    /// Bumped whenever the rules in this SQL change: the stored summaries are then recomputed at start
    /// (see <see cref="SqliteDatabase"/>), as when the workdays setting changes.
    /// </summary>
    public const int RulesVersion = 2;

    private const string OneUser = "platform = @Platform AND team_id = @TeamId AND user_id = @UserId";

    public static string RefreshOne(WorkdaySet workdays) => Refresh(workdays, OneUser);

    public static string RefreshAll(WorkdaySet workdays) => Refresh(workdays, "1 = 1");

    private static string Refresh(WorkdaySet workdays, string filter) => $"""
        WITH days AS (
            SELECT DISTINCT platform, team_id, user_id, local_day FROM completions WHERE {filter}
        ),
        places AS (
            SELECT platform, team_id, user_id, local_day,
                   {workdays.OrdinalSql("local_day")} AS workday_ord,
                   {workdays.OrdinalSql("local_day")}
                     + SUM(CASE WHEN {workdays.IsWorkdaySql("local_day")} THEN 0 ELSE 1 END)
                       OVER (PARTITION BY platform, team_id, user_id ORDER BY local_day ROWS UNBOUNDED PRECEDING) AS place
            FROM days
        ),
        numbered AS (
            SELECT platform, team_id, user_id, local_day, workday_ord,
                   place - ROW_NUMBER() OVER (PARTITION BY platform, team_id, user_id ORDER BY local_day) AS grp
            FROM places
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
        totals AS (
            SELECT platform, team_id, user_id, COUNT(*) AS total FROM completions WHERE {filter}
            GROUP BY platform, team_id, user_id
        )
        INSERT INTO streaks (platform, team_id, user_id, total, best, run_end, run_length)
        SELECT t.platform, t.team_id, t.user_id, t.total, COALESCE(r.best, 0), r.run_end, COALESCE(r.run_length, 0)
        FROM totals t
        LEFT JOIN ranked r ON r.platform = t.platform AND r.team_id = t.team_id AND r.user_id = t.user_id AND r.latest = 1
        WHERE true
        ON CONFLICT (platform, team_id, user_id) DO UPDATE SET
            total = excluded.total, best = excluded.best, run_end = excluded.run_end, run_length = excluded.run_length;
        """;
}
