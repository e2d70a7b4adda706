using System.Text.Json;
using ChatBot.Core;
using ChatBot.Core.Digests;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// The digest's side of the bot's database, on either engine: per-day counts of a channel's completions (ranges of
/// instants on the covering <c>ix_completions_channel_at_who</c>, split by the drill of the completed break), the
/// weekly digest setting, claims that post each scheduled digest once, and the on-demand rate limit. On SQLite the
/// counts name their index: without statistics SQLite may pick <c>ix_completions_channel</c> (by local day) and scan
/// every row of a busy channel once per day of the period. Every claim is one atomic statement
/// (<c>INSERT … ON CONFLICT DO UPDATE … WHERE</c>), so several instances on one database (or a job that runs twice)
/// never both win.
/// </summary>
public sealed class DigestStore(Database database) : IDigestStore
{
    private const string Channel = "platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId";

    public async Task<DigestCounts> CountAsync(
        ChannelKey channel, IReadOnlyList<DateOnly> dates, IReadOnlyList<DateTimeOffset> dayBoundaries, CancellationToken cancellationToken)
    {
        if (dayBoundaries.Count != dates.Count + 1)
        {
            throw new ArgumentException($"Expected {dates.Count + 1} day boundaries for {dates.Count} days, got {dayBoundaries.Count}.", nameof(dayBoundaries));
        }

        var bounds = JsonSerializer.Serialize(Enumerable.Range(0, dates.Count)
            .Select(i => new { d = i, s = dayBoundaries[i].ToUnixTimeMilliseconds(), e = dayBoundaries[i + 1].ToUnixTimeMilliseconds() }));
        var parameters = new
        {
            Platform = Names.Of(channel.Platform),
            channel.TeamId,
            channel.ChannelId,
            Bounds = bounds,
        };

        // One pass: the span's completions are read once from the covering index, day by day (bounds drive the join,
        // CROSS JOIN keeps that order: with completions outside, SQLite 3.49 walked the channel's whole history), kept
        // in a temporary table, and counted three ways from it. PostgreSQL's plan is the same: a nested loop over the
        // bounds with an index-only range scan of the covering index per day.
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<CountRow>(new CommandDefinition(
            $"""
            WITH bounds (day, start_at, end_at) AS MATERIALIZED (
                {database.Dialect.JsonRecords("@Bounds", "d BIGINT, s BIGINT, e BIGINT")}
            ),
            span AS MATERIALIZED (
                SELECT b.day, c.user_id, c.break_id
                FROM bounds b
                CROSS JOIN completions c {database.Dialect.IndexedBy("ix_completions_channel_at_who")}
                WHERE c.platform = @Platform AND c.team_id = @TeamId AND c.channel_id = @ChannelId AND c.at >= b.start_at AND c.at < b.end_at
            ),
            per_break AS (SELECT day, break_id, COUNT(*) AS breaks FROM span GROUP BY day, break_id)
            SELECT 0 AS Part, p.day AS Day, br.drill_id AS DrillId, CAST(SUM(p.breaks) AS BIGINT) AS Count
            FROM per_break p LEFT JOIN breaks br ON br.id = p.break_id GROUP BY p.day, br.drill_id
            UNION ALL
            SELECT 1, day, NULL, COUNT(DISTINCT user_id) FROM span GROUP BY day
            UNION ALL
            SELECT 2, NULL, NULL, COUNT(DISTINCT user_id) FROM span;
            """,
            parameters,
            cancellationToken: cancellationToken));

        var breaks = dates.Select(_ => new int[Enum.GetValues<DigestFunction>().Length]).ToArray();
        var people = new int[dates.Count];
        var total = 0;
        foreach (var row in rows)
        {
            switch (row.Part)
            {
                case 0:
                    breaks[row.Day!.Value][(int)DigestFunctions.Of(row.DrillId)] += (int)row.Count;
                    break;
                case 1:
                    people[row.Day!.Value] = (int)row.Count;
                    break;
                default:
                    total = (int)row.Count;
                    break;
            }
        }

        var days = dates.Select((date, i) => new DigestDay(date, breaks[i], people[i])).ToList();
        return new DigestCounts(days, total);
    }

    public async Task<DigestSetting> GetSettingAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SettingRow>(new CommandDefinition(
            $"SELECT enabled AS Enabled, day_of_week AS DayOfWeek, minute_of_day AS MinuteOfDay FROM digest_settings WHERE {Channel};",
            Key(channel),
            cancellationToken: cancellationToken));
        if (row is null)
        {
            return DigestSetting.Default;
        }

        var slot = row.DayOfWeek is { } day && row.MinuteOfDay is { } minute
            ? new DigestSlot((DayOfWeek)day, TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(minute)))
            : null;
        return new DigestSetting(row.Enabled != 0, slot);
    }

    public async Task SetSettingAsync(ChannelKey channel, DigestSetting setting, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO digest_settings (platform, team_id, channel_id, enabled, day_of_week, minute_of_day)
            VALUES (@Platform, @TeamId, @ChannelId, @Enabled, @Day, @Minute)
            ON CONFLICT (platform, team_id, channel_id) DO UPDATE SET
                enabled = excluded.enabled, day_of_week = excluded.day_of_week, minute_of_day = excluded.minute_of_day;
            """,
            new
            {
                Platform = Names.Of(channel.Platform),
                channel.TeamId,
                channel.ChannelId,
                Enabled = setting.Enabled ? 1 : 0,
                Day = setting.Slot is { } slot ? (int?)slot.Day : null,
                Minute = setting.Slot is { } at ? (int?)(at.Time.Hour * 60 + at.Time.Minute) : null,
            },
            cancellationToken: cancellationToken));
    }

    public async Task<DateTimeOffset?> TryTakeOnDemandTurnAsync(ChannelKey channel, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken)
    {
        var parameters = new
        {
            Platform = Names.Of(channel.Platform),
            channel.TeamId,
            channel.ChannelId,
            Now = now.ToUnixTimeMilliseconds(),
            Cutoff = (now - interval).ToUnixTimeMilliseconds(),
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        var taken = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO digest_requests (platform, team_id, channel_id, requested_at) VALUES (@Platform, @TeamId, @ChannelId, @Now)
            ON CONFLICT (platform, team_id, channel_id) DO UPDATE SET requested_at = excluded.requested_at
            WHERE digest_requests.requested_at <= @Cutoff;
            """,
            parameters,
            cancellationToken: cancellationToken));
        if (taken == 1)
        {
            return null;
        }

        var last = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT requested_at FROM digest_requests WHERE {Channel};", parameters, cancellationToken: cancellationToken));
        return DateTimeOffset.FromUnixTimeMilliseconds(last) + interval;
    }

    public async Task<bool> ClaimPostAsync(ChannelKey channel, string periodKey, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var claimed = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO digest_posts (platform, team_id, channel_id, period_key, claimed_at, lease_until)
            VALUES (@Platform, @TeamId, @ChannelId, @PeriodKey, @Now, @LeaseUntil)
            ON CONFLICT (platform, team_id, channel_id, period_key) DO UPDATE SET
                claimed_at = excluded.claimed_at, lease_until = excluded.lease_until
            WHERE digest_posts.message_id IS NULL AND digest_posts.lease_until <= @Now;
            """,
            new
            {
                Platform = Names.Of(channel.Platform),
                channel.TeamId,
                channel.ChannelId,
                PeriodKey = periodKey,
                Now = now.ToUnixTimeMilliseconds(),
                LeaseUntil = (now + lease).ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
        return claimed == 1;
    }

    public async Task RecordPostAsync(ChannelKey channel, string periodKey, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO digest_posts (platform, team_id, channel_id, period_key, claimed_at, lease_until, message_id, posted_at)
            VALUES (@Platform, @TeamId, @ChannelId, @PeriodKey, @Now, @Now, @MessageId, @Now)
            ON CONFLICT (platform, team_id, channel_id, period_key) DO UPDATE SET message_id = excluded.message_id, posted_at = excluded.posted_at;
            """,
            new
            {
                Platform = Names.Of(channel.Platform),
                channel.TeamId,
                channel.ChannelId,
                PeriodKey = periodKey,
                MessageId = messageId,
                Now = now.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
    }

    public async Task ReleaseClaimAsync(ChannelKey channel, string periodKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM digest_posts WHERE {Channel} AND period_key = @PeriodKey AND message_id IS NULL;",
            new { Platform = Names.Of(channel.Platform), channel.TeamId, channel.ChannelId, PeriodKey = periodKey },
            cancellationToken: cancellationToken));
    }

    private static object Key(ChannelKey channel) => new { Platform = Names.Of(channel.Platform), channel.TeamId, channel.ChannelId };

    // Classes with setters, not positional records: see CompletionStore.BoardRow.
    /// <summary>Part 0: breaks of one day and drill; 1: people of one day; 2: people of the whole span (no day).</summary>
    private sealed class CountRow
    {
        public long Part { get; set; }

        public long? Day { get; set; }

        public string? DrillId { get; set; }

        public long Count { get; set; }
    }

    private sealed class SettingRow
    {
        public long Enabled { get; set; }

        public long? DayOfWeek { get; set; }

        public long? MinuteOfDay { get; set; }
    }
}
