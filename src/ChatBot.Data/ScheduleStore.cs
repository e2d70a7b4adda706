using ChatBot.Core;
using ChatBot.Core.Schedules;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// Channel schedules in the bot's SQLite file: slots in <c>schedule_slots</c>, the zone in <c>channels.time_zone</c>
/// (the one place a channel's zone lives, also read by <see cref="Core.Ports.IChannelStore"/>).
/// </summary>
public sealed class ScheduleStore(Database database, TimeProvider clock) : IScheduleStore
{
    private const string EnsureChannelSql =
        "INSERT INTO channels (platform, team_id, channel_id) VALUES (@Platform, @TeamId, @ChannelId) ON CONFLICT DO NOTHING;";

    public async Task<ChannelSchedule> GetAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var key = Key(channel);
        var zone = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT time_zone FROM channels WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId;",
            key,
            cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<SlotRow>(new CommandDefinition(
            """
            SELECT platform, team_id, channel_id, minute_of_day, days FROM schedule_slots
            WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId
            ORDER BY minute_of_day;
            """,
            key,
            cancellationToken: cancellationToken));
        return new ChannelSchedule(channel, zone, rows.Select(r => r.ToSlot()).ToList());
    }

    public async Task<IReadOnlyList<ChannelSchedule>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SlotWithZoneRow>(new CommandDefinition(
            """
            SELECT s.platform, s.team_id, s.channel_id, s.minute_of_day, s.days, c.time_zone
            FROM schedule_slots s
            JOIN channels c ON c.platform = s.platform AND c.team_id = s.team_id AND c.channel_id = s.channel_id
            ORDER BY s.platform, s.team_id, s.channel_id, s.minute_of_day;
            """,
            cancellationToken: cancellationToken));
        return rows
            .GroupBy(r => (r.Platform, r.Team_Id, r.Channel_Id))
            .Select(g =>
            {
                var slots = g.Select(r => new SlotRow(r.Platform, r.Team_Id, r.Channel_Id, r.Minute_Of_Day, r.Days).ToSlot()).ToList();
                return new ChannelSchedule(slots[0].Channel, g.First().Time_Zone, slots);
            })
            .ToList();
    }

    public async Task<ScheduleSlot?> UpsertSlotAsync(ScheduleSlot slot, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var key = Key(slot.Channel);
        var minute = MinuteOf(slot.Time);
        var previousDays = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            SELECT days FROM schedule_slots
            WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId AND minute_of_day = @minute;
            """,
            new { key.Platform, key.TeamId, key.ChannelId, minute },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(EnsureChannelSql, key, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO schedule_slots (platform, team_id, channel_id, minute_of_day, days)
            VALUES (@Platform, @TeamId, @ChannelId, @minute, @days)
            ON CONFLICT (platform, team_id, channel_id, minute_of_day) DO UPDATE SET days = excluded.days;
            """,
            new { key.Platform, key.TeamId, key.ChannelId, minute, days = (int)slot.Days },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return previousDays is { } d ? slot with { Days = (ScheduleDays)d } : null;
    }

    public async Task<bool> RemoveSlotAsync(ChannelKey channel, TimeOnly time, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var key = Key(channel);
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM schedule_slots
            WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId AND minute_of_day = @minute;
            """,
            new { key.Platform, key.TeamId, key.ChannelId, minute = MinuteOf(time) },
            cancellationToken: cancellationToken));
        return removed > 0;
    }

    public async Task SetTimeZoneAsync(ChannelKey channel, string timeZoneId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await SetZoneAsync(connection, null, Key(channel), timeZoneId, cancellationToken);
    }

    public async Task<bool> ApplySeedAsync(
        ChannelKey channel,
        string? timeZoneId,
        IReadOnlyList<ScheduleSlot> slots,
        string fingerprint,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var key = Key(channel);
        var applied = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT fingerprint FROM schedule_seeds WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId;",
            key,
            transaction,
            cancellationToken: cancellationToken));
        if (applied == fingerprint)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(EnsureChannelSql, key, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM schedule_slots WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId;",
            key,
            transaction,
            cancellationToken: cancellationToken));
        foreach (var slot in slots)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO schedule_slots (platform, team_id, channel_id, minute_of_day, days)
                VALUES (@Platform, @TeamId, @ChannelId, @minute, @days)
                ON CONFLICT (platform, team_id, channel_id, minute_of_day) DO UPDATE SET days = excluded.days;
                """,
                new { key.Platform, key.TeamId, key.ChannelId, minute = MinuteOf(slot.Time), days = (int)slot.Days },
                transaction,
                cancellationToken: cancellationToken));
        }

        if (timeZoneId is not null)
        {
            await SetZoneAsync(connection, transaction, key, timeZoneId, cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO schedule_seeds (platform, team_id, channel_id, fingerprint, applied_at)
            VALUES (@Platform, @TeamId, @ChannelId, @fingerprint, @now)
            ON CONFLICT (platform, team_id, channel_id) DO UPDATE SET fingerprint = excluded.fingerprint, applied_at = excluded.applied_at;
            """,
            new { key.Platform, key.TeamId, key.ChannelId, fingerprint, now = clock.GetUtcNow().ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static Task<int> SetZoneAsync(System.Data.Common.DbConnection connection, System.Data.IDbTransaction? transaction, ChannelParameters key, string zone, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO channels (platform, team_id, channel_id, time_zone) VALUES (@Platform, @TeamId, @ChannelId, @zone)
            ON CONFLICT (platform, team_id, channel_id) DO UPDATE SET time_zone = excluded.time_zone;
            """,
            new { key.Platform, key.TeamId, key.ChannelId, zone },
            transaction,
            cancellationToken: cancellationToken));

    private static ChannelParameters Key(ChannelKey channel) => new(Names.Of(channel.Platform), channel.TeamId, channel.ChannelId);

    private static int MinuteOf(TimeOnly time) => (time.Hour * 60) + time.Minute;

    private sealed record ChannelParameters(string Platform, string TeamId, string ChannelId);

    private sealed record SlotRow(string Platform, string Team_Id, string Channel_Id, long Minute_Of_Day, long Days)
    {
        public ScheduleSlot ToSlot() => new(
            new ChannelKey(Names.Platform(Platform), Team_Id, Channel_Id),
            new TimeOnly((int)(Minute_Of_Day / 60), (int)(Minute_Of_Day % 60)),
            (ScheduleDays)Days);
    }

    private sealed record SlotWithZoneRow(string Platform, string Team_Id, string Channel_Id, long Minute_Of_Day, long Days, string? Time_Zone);
}
