using System.Text.Json;
using ChatBot.Core;
using ChatBot.Core.Digests;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// The digest's side of the bot's database: per-day counts of a channel's completions (ranges of instants on
/// <c>ix_completions_channel_at</c>, split by the drill of the completed break), the weekly digest setting,
/// claims that post each scheduled digest once, and the on-demand rate limit. The counts name their index: without
/// statistics SQLite may pick <c>ix_completions_channel</c> (by local day) and scan every row of a busy channel once
/// per day of the period. Every claim is one atomic
/// statement, so several instances on one database (or a job that runs twice) never both win.
/// </summary>
public sealed class SqliteDigestStore(SqliteDatabase database) : IDigestStore
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
            .Select(i => new[] { dayBoundaries[i].ToUnixTimeMilliseconds(), dayBoundaries[i + 1].ToUnixTimeMilliseconds() }));
        var parameters = new
        {
            Platform = Names.Of(channel.Platform),
            channel.TeamId,
            channel.ChannelId,
            Bounds = bounds,
            From = dayBoundaries[0].ToUnixTimeMilliseconds(),
            To = dayBoundaries[^1].ToUnixTimeMilliseconds(),
        };
        const string Days = """
            WITH bounds (day, start_at, end_at) AS MATERIALIZED (
                SELECT CAST(key AS INTEGER), json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(@Bounds)
            )
            """;

        await using var connection = await database.OpenAsync(cancellationToken);
        var byDrill = await connection.QueryAsync<DrillRow>(new CommandDefinition(
            $"""
            {Days}
            SELECT b.day AS Day, br.drill_id AS DrillId, COUNT(*) AS Breaks
            FROM bounds b
            JOIN completions c INDEXED BY ix_completions_channel_at ON c.platform = @Platform AND c.team_id = @TeamId AND c.channel_id = @ChannelId
                              AND c.at >= b.start_at AND c.at < b.end_at
            LEFT JOIN breaks br ON br.id = c.break_id
            GROUP BY b.day, br.drill_id;
            """,
            parameters,
            cancellationToken: cancellationToken));
        var people = (await connection.QueryAsync<PeopleRow>(new CommandDefinition(
            $"""
            {Days}
            SELECT b.day AS Day, COUNT(DISTINCT c.user_id) AS People
            FROM bounds b
            JOIN completions c INDEXED BY ix_completions_channel_at ON c.platform = @Platform AND c.team_id = @TeamId AND c.channel_id = @ChannelId
                              AND c.at >= b.start_at AND c.at < b.end_at
            GROUP BY b.day;
            """,
            parameters,
            cancellationToken: cancellationToken))).ToDictionary(r => r.Day, r => (int)r.People);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(DISTINCT user_id) FROM completions INDEXED BY ix_completions_channel_at WHERE {Channel} AND at >= @From AND at < @To;",
            parameters,
            cancellationToken: cancellationToken));

        var breaks = dates.Select(_ => new int[Enum.GetValues<DigestFunction>().Length]).ToArray();
        foreach (var row in byDrill)
        {
            breaks[row.Day][(int)DigestFunctions.Of(row.DrillId)] += (int)row.Breaks;
        }

        var days = dates.Select((date, i) => new DigestDay(date, breaks[i], people.GetValueOrDefault(i))).ToList();
        return new DigestCounts(days, (int)total);
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
    private sealed class DrillRow
    {
        public long Day { get; set; }

        public string? DrillId { get; set; }

        public long Breaks { get; set; }
    }

    private sealed class PeopleRow
    {
        public long Day { get; set; }

        public long People { get; set; }
    }

    private sealed class SettingRow
    {
        public long Enabled { get; set; }

        public long? DayOfWeek { get; set; }

        public long? MinuteOfDay { get; set; }
    }
}
