using ChatBot.Core.Streaks;

namespace ChatBot.Data;

/// <summary>
/// The streak arithmetic in SQL. Done days become workday ordinals (consecutive workdays differ by one,
/// days off are skipped), runs of consecutive ordinals are found with the gaps-and-islands trick, and each
/// person's summary (total, best run, latest run) is upserted into <c>streaks</c>.
/// </summary>
internal static class StreakSql
{
    private const string OneUser = "platform = @Platform AND team_id = @TeamId AND user_id = @UserId";

    public static string RefreshOne(WorkdaySet workdays) => Refresh(workdays, OneUser);

    public static string RefreshAll(WorkdaySet workdays) => Refresh(workdays, "1 = 1");

    private static string Refresh(WorkdaySet workdays, string filter) => $"""
        WITH days AS (
            SELECT DISTINCT platform, team_id, user_id, local_day FROM completions WHERE {filter}
        ),
        ordinals AS (
            SELECT platform, team_id, user_id, {workdays.OrdinalSql("local_day")} AS ord
            FROM days WHERE {workdays.IsWorkdaySql("local_day")}
        ),
        numbered AS (
            SELECT platform, team_id, user_id, ord,
                   ord - ROW_NUMBER() OVER (PARTITION BY platform, team_id, user_id ORDER BY ord) AS grp
            FROM ordinals
        ),
        islands AS (
            SELECT platform, team_id, user_id, MAX(ord) AS run_end, COUNT(*) AS run_length
            FROM numbered GROUP BY platform, team_id, user_id, grp
        ),
        ranked AS (
            SELECT platform, team_id, user_id, run_end, run_length,
                   ROW_NUMBER() OVER (PARTITION BY platform, team_id, user_id ORDER BY run_end DESC) AS latest,
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
