using System.Diagnostics;
using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Streaks;
using ChatBot.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatBot.Bench;

/// <summary>What the measurements need to know about the generated data.</summary>
internal sealed record DataSet(DateOnly Today, DateTimeOffset Now, string[] ChannelIds, string HeavyUser, string TypicalUser, int UsersWithCompletions)
{
    public const string Platform = "slack";
    public const string TeamId = "T-bench";

    private static readonly string?[] Zones =
        [null, "UTC", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney", "Pacific/Kiritimati"];

    public static ChannelKey Channel(string channelId) => new(ChatPlatform.Slack, TeamId, channelId);

    public static TeamKey Team => new(ChatPlatform.Slack, TeamId);

    /// <summary>
    /// Bulk-loads the tables in one transaction (SQLite: prepared commands; PostgreSQL: binary COPY), then lets a
    /// fresh <see cref="Database"/> compute every streak summary (as after a change of <c>Breaks:Workdays</c>).
    /// </summary>
    public static async Task<DataSet> BuildAsync(BenchEngine engine, BenchOptions options)
    {
        var today = new DateOnly(2026, 11, 24); // a Tuesday
        var now = new DateTimeOffset(today.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var first = today.AddDays(-729);
        var days = Enumerable.Range(0, 730).Select(first.AddDays).ToArray();
        var workdays = days.Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).ToArray();
        var channels = Enumerable.Range(0, options.Channels).Select(c => $"C{c:00}").ToArray();
        var random = new Random(20261124);

        var stopwatch = Stopwatch.StartNew();
        await engine.Open().EnsureInitializedAsync();
        await using var connection = await engine.OpenRawAsync();
        if (!engine.IsPostgres)
        {
            await connection.ExecuteAsync("PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;");
        }

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // Two scheduled breaks per channel per workday; ids are computed, not looked up.
            await using (var insertBreak = TableWriter.Open(connection, transaction, "breaks", "id", "team_id", "channel_id", "drill_id", "started_at", "slot_key", "platform", "origin"))
            {
                string[] drills = ["extension", "rotation", "catcamel"];
                for (var c = 0; c < channels.Length; c++)
                {
                    for (var w = 0; w < workdays.Length; w++)
                    {
                        for (var slot = 0; slot < 2; slot++)
                        {
                            var at = new DateTimeOffset(workdays[w].ToDateTime(new TimeOnly(slot == 0 ? 9 : 14, 30)), TimeSpan.Zero);
                            await insertBreak.AddAsync(BreakId(c, w, slot, workdays.Length), TeamId, channels[c], drills[(w * 2 + slot) % 3],
                                at.ToUnixTimeMilliseconds(), $"{(slot == 0 ? "0930" : "1400")}@{workdays[w]:yyyy-MM-dd}", Platform, 1L);
                        }
                    }
                }
            }

            // People: 40% live in the first channel, the rest spread over the others; a mix of zones.
            var home = new int[options.Users];
            var devotee = new bool[options.Users];
            var rate = new double[options.Users];
            var perUserWorkday = 0.97 * options.Completions / ((double)options.Users * workdays.Length) / 1.2; // 1.2: second clicks
            var spread = Math.Max(0, (perUserWorkday - 0.04 * 0.98) / 0.96);
            await using (var insertUser = TableWriter.Open(connection, transaction, "users", "team_id", "user_id", "display_name", "time_zone", "platform_time_zone", "platform"))
            {
                for (var u = 0; u < options.Users; u++)
                {
                    home[u] = channels.Length == 1 || random.NextDouble() < 0.4 ? 0 : 1 + random.Next(channels.Length - 1);
                    devotee[u] = random.NextDouble() < 0.04;
                    rate[u] = devotee[u] ? 0.98 : Math.Min(0.95, random.NextDouble() * 2 * spread);
                    var zone = Zones[random.Next(Zones.Length)];
                    var own = random.NextDouble() < 0.3;
                    await insertUser.AddAsync(TeamId, UserId(u), $"Person {u:00000}", own ? zone : null, own ? null : zone, Platform);
                }
            }

            // Completions: Done clicks on the day's breaks (mostly in the home channel), weekend self-logs for devotees.
            var used = new HashSet<long>();
            var count = 0;
            var perUser = new int[options.Users];
            var insertCompletion = TableWriter.Open(connection, transaction, "completions", "team_id", "user_id", "channel_id", "break_id", "kind", "at", "local_day", "platform");
            async Task<bool> ClickAsync(int u, int w, int slot)
            {
                var c = random.NextDouble() < 0.15 ? random.Next(channels.Length) : home[u];
                var breakId = BreakId(c, w, slot, workdays.Length);
                if (count >= options.Completions || !used.Add((breakId * options.Users) + u))
                {
                    return false;
                }

                var at = new DateTimeOffset(workdays[w].ToDateTime(new TimeOnly(slot == 0 ? 9 : 14, 35)), TimeSpan.Zero);
                await insertCompletion.AddAsync(TeamId, UserId(u), channels[c], breakId, 0L, at.ToUnixTimeMilliseconds(), (long)WorkdaySet.DayNumber(workdays[w]), Platform);
                count++;
                perUser[u]++;
                return true;
            }

            foreach (var u in Enumerable.Range(0, options.Users).OrderBy(_ => random.Next()))
            {
                for (var w = 0; w < workdays.Length && count < options.Completions; w++)
                {
                    if (random.NextDouble() < rate[u])
                    {
                        await ClickAsync(u, w, random.Next(2));
                        if (random.NextDouble() < 0.2)
                        {
                            await ClickAsync(u, w, random.Next(2));
                        }
                    }
                }

                if (devotee[u])
                {
                    foreach (var day in days.Where(d => d.DayOfWeek is DayOfWeek.Saturday && random.NextDouble() < 0.05))
                    {
                        if (count < options.Completions)
                        {
                            await insertCompletion.AddAsync(TeamId, UserId(u), channels[home[u]], null, 1L,
                                new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero).ToUnixTimeMilliseconds(), (long)WorkdaySet.DayNumber(day), Platform);
                            count++;
                            perUser[u]++;
                        }
                    }
                }
            }

            // Top up to the exact count with extra clicks by random people on random workdays.
            while (count < options.Completions)
            {
                await ClickAsync(random.Next(options.Users), random.Next(workdays.Length), random.Next(2));
            }

            await insertCompletion.DisposeAsync();
            await connection.ExecuteAsync(
                """
                INSERT INTO channel_members (platform, team_id, channel_id, user_id, breaks)
                SELECT platform, team_id, channel_id, user_id, COUNT(*) FROM completions GROUP BY platform, team_id, channel_id, user_id;
                DELETE FROM settings WHERE key = 'streak_workdays';
                """,
                transaction: transaction);
            await transaction.CommitAsync();
            Out.Line(
                $"Loaded {count:N0} completions, {options.Users:N0} users, {channels.Length * workdays.Length * 2:N0} breaks in {stopwatch.Elapsed.TotalSeconds:F1} s");

            stopwatch.Restart();
            // A fresh Database sees no stored workdays setting and recomputes every summary in SQL.
            await engine.Open().EnsureInitializedAsync();
            Out.Line($"Computed every streak summary (refresh-all) in {stopwatch.Elapsed.TotalSeconds:F1} s");
            if (engine.IsPostgres)
            {
                // The loaded ids bypassed the identity; and, as autovacuum would, statistics and the visibility map
                // (PostgreSQL's index-only scans read it).
                await connection.ExecuteAsync("SELECT setval(pg_get_serial_sequence('breaks', 'id'), (SELECT MAX(id) FROM breaks));");
                await connection.ExecuteAsync("VACUUM ANALYZE;", commandTimeout: 600);
            }

            var heavy = Enumerable.Range(0, options.Users).MaxBy(u => perUser[u]);
            var typical = Enumerable.Range(0, options.Users).OrderBy(u => perUser[u]).ElementAt(options.Users / 2);
            return new DataSet(today, now, channels, UserId(heavy), UserId(typical), perUser.Count(n => n > 0));
        }
    }

    /// <summary>
    /// Describes a database an earlier run kept (<c>--keep</c>), to measure again without loading it again
    /// (<c>--database PATH</c>): the same fixed today, its channels, its heaviest and median person.
    /// </summary>
    public static async Task<DataSet> ReadAsync(BenchEngine engine)
    {
        var today = new DateOnly(2026, 11, 24);
        await engine.Open().EnsureInitializedAsync();
        await using var connection = await engine.OpenRawAsync();
        var channels = (await connection.QueryAsync<string>("SELECT DISTINCT channel_id FROM channel_members ORDER BY channel_id;")).ToArray();
        var people = (await connection.QueryAsync<string>("SELECT user_id FROM streaks WHERE team_id = @TeamId ORDER BY total, user_id;", new { TeamId })).ToArray();
        Out.Line($"Reusing {engine.Location}: {channels.Length} channels, {people.Length:N0} people with completions");
        return new DataSet(today, new DateTimeOffset(today.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero), channels, people[^1], people[people.Length / 2], people.Length);
    }

    private static long BreakId(int channel, int workday, int slot, int workdays) => 1 + (((long)channel * workdays + workday) * 2) + slot;

    private static string UserId(int u) => string.Create(CultureInfo.InvariantCulture, $"U{u:00000}");
}
