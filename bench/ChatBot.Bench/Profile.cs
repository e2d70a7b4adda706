using System.Diagnostics;
using Dapper;

namespace ChatBot.Bench;

/// <summary>
/// <c>--profile</c>: the query plans of the leaderboard's and streak's statements, and the time of the
/// leaderboard's two statements on their own, to see where the time goes when a figure misses.
/// </summary>
internal static class Profile
{
    private const string Zones = """
        SELECT DISTINCT COALESCE(time_zone, platform_time_zone) FROM users
        WHERE platform = @Platform AND team_id = @TeamId AND COALESCE(time_zone, platform_time_zone) IS NOT NULL;
        """;

    private static readonly string AllTime = $$"""
        WITH participants AS (SELECT user_id, breaks FROM channel_members WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId),
        open_from (zone, ordinal) AS MATERIALIZED ({{OpenFrom}})
        SELECT p.user_id, COALESCE(u.display_name, p.user_id) AS DisplayName,
               CASE WHEN s.run_end >= o.ordinal THEN s.run_length ELSE 0 END AS CurrentStreak, COALESCE(s.best, 0), p.breaks AS Breaks
        FROM participants p
        LEFT JOIN users u ON u.platform = @Platform AND u.team_id = @TeamId AND u.user_id = p.user_id
        LEFT JOIN streaks s ON s.platform = @Platform AND s.team_id = @TeamId AND s.user_id = p.user_id
        LEFT JOIN open_from o ON o.zone = COALESCE(u.time_zone, u.platform_time_zone, @ChannelZone)
        ORDER BY CurrentStreak DESC, Breaks DESC, DisplayName, p.user_id LIMIT 10;
        """;

    private static readonly string Month = $$"""
        WITH participants AS ({{Week.TrimEnd(';', '\n', ' ')}}),
        open_from (zone, ordinal) AS MATERIALIZED ({{OpenFrom}})
        SELECT p.user_id, COALESCE(u.display_name, p.user_id) AS DisplayName,
               CASE WHEN s.run_end >= o.ordinal THEN s.run_length ELSE 0 END AS CurrentStreak, COALESCE(s.best, 0), p.breaks AS Breaks
        FROM participants p
        LEFT JOIN users u ON u.platform = @Platform AND u.team_id = @TeamId AND u.user_id = p.user_id
        LEFT JOIN streaks s ON s.platform = @Platform AND s.team_id = @TeamId AND s.user_id = p.user_id
        LEFT JOIN open_from o ON o.zone = COALESCE(u.time_zone, u.platform_time_zone, @ChannelZone)
        ORDER BY CurrentStreak DESC, Breaks DESC, DisplayName, p.user_id LIMIT 10;
        """;

    /// <summary>Replaced by the engine's JSON members (<see cref="ChatBot.Data.SqlDialect.JsonIntegerMembers"/>).</summary>
    private const string OpenFrom = "OPEN_FROM";

    private const string Week = """
        SELECT user_id, COUNT(*) AS breaks FROM completions
        WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId AND local_day >= @Since
        GROUP BY user_id;
        """;

    public static async Task RunAsync(BenchEngine engine, DataSet data)
    {
        await using var connection = await engine.OpenRawAsync();
        var dialect = engine.Open().Dialect;
        Out.Line($"{await connection.ExecuteScalarAsync<string>(engine.IsPostgres ? "SELECT version();" : "SELECT 'SQLite ' || sqlite_version();")}");
        var openFrom = "{\"UTC\":3000,\"Europe/Berlin\":3000,\"America/New_York\":3000,\"America/Los_Angeles\":3000,\"Asia/Kolkata\":3000,\"Australia/Sydney\":3000,\"Pacific/Kiritimati\":3000}";
        var parameters = new
        {
            Platform = DataSet.Platform,
            TeamId = DataSet.TeamId,
            ChannelId = data.ChannelIds[0],
            OpenFrom = openFrom,
            ChannelZone = "UTC",
            Since = ChatBot.Core.Streaks.WorkdaySet.DayNumber(new DateOnly(data.Today.Year, data.Today.Month, 1)),
        };
        foreach (var (name, text) in new[] { ("zones", Zones), ("all-time board", AllTime), ("month participants", Week), ("month board", Month) })
        {
            var sql = text.Replace(OpenFrom, dialect.JsonIntegerMembers("@OpenFrom"), StringComparison.Ordinal);
            Out.Line($"-- {name}");
            // PostgreSQL's plan with its actual rows and times; SQLite's plan steps.
            var plan = engine.IsPostgres
                ? await connection.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters)
                : (await connection.QueryAsync<PlanStep>("EXPLAIN QUERY PLAN " + sql, parameters)).Select(step => step.Detail);
            foreach (var step in plan)
            {
                Out.Line($"   {step}");
            }

            var samples = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var started = Stopwatch.GetTimestamp();
                _ = (await connection.QueryAsync(sql, parameters)).Count();
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            samples.Sort();
            Out.Line($"   median {samples[25]:F2} ms, min {samples[0]:F2} ms");
        }
    }

    private sealed class PlanStep
    {
        public string Detail { get; set; } = "";
    }
}
