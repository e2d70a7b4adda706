using System.Text.Json;
using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// Daily reminders in <c>reminders</c> (read by the due-time index) and the ones sent in <c>reminder_sends</c>
/// (unique per person and local day), on either engine. Away days and logged breaks come from <c>away_days</c> and
/// <c>completions</c>. A pass claims its reminders by a conditional <c>UPDATE</c> (the occurrence it read must still
/// be the row's), so of several instances passing at once each reminder goes to one, and a day's send is created
/// once (<c>ON CONFLICT DO NOTHING</c>).
/// </summary>
public sealed class ReminderStore(Database database) : IReminderStore
{
    private const string Columns =
        "r.platform AS Platform, r.team_id AS TeamId, r.user_id AS UserId, r.display_name AS DisplayName, r.minute_of_day AS MinuteOfDay, "
        + "r.time_zone AS TimeZone, r.next_day AS NextDay, r.next_due_at AS NextDueAt";

    public async Task SetAsync(ReminderSetting setting, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO reminders (platform, team_id, user_id, display_name, minute_of_day, time_zone, next_day, next_due_at)
            VALUES (@Platform, @TeamId, @UserId, @DisplayName, @MinuteOfDay, @TimeZone, @NextDay, @NextDueAt)
            ON CONFLICT (platform, team_id, user_id) DO UPDATE
            SET display_name = excluded.display_name, minute_of_day = excluded.minute_of_day, time_zone = excluded.time_zone,
                next_day = excluded.next_day, next_due_at = excluded.next_due_at;
            """,
            Row.From(setting),
            cancellationToken: cancellationToken));
    }

    public async Task<bool> RemoveAsync(TeamKey team, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM reminders WHERE platform = @Platform AND team_id = @TeamId AND user_id = @userId;",
            new { Platform = Names.Of(team.Platform), team.TeamId, userId },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<ReminderSetting?> GetAsync(TeamKey team, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM reminders r WHERE r.platform = @Platform AND r.team_id = @TeamId AND r.user_id = @userId;",
            new { Platform = Names.Of(team.Platform), team.TeamId, userId },
            cancellationToken: cancellationToken));
        return row?.ToSetting();
    }

    public async Task<IReadOnlyList<DueReminder>> GetDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT {Columns},
                   CAST(CASE WHEN EXISTS (SELECT 1 FROM away_days a
                           WHERE a.platform = r.platform AND a.team_id = r.team_id AND a.user_id = r.user_id AND a.local_day = r.next_day) THEN 1 ELSE 0 END AS BIGINT) AS Away,
                   CAST(CASE WHEN EXISTS (SELECT 1 FROM completions c
                           WHERE c.platform = r.platform AND c.team_id = r.team_id AND c.user_id = r.user_id AND c.local_day = r.next_day) THEN 1 ELSE 0 END AS BIGINT) AS Logged,
                   (SELECT s.drill_id FROM reminder_sends s
                    WHERE s.platform = r.platform AND s.team_id = r.team_id AND s.user_id = r.user_id
                    ORDER BY s.local_day DESC LIMIT 1) AS LastDrillId
            FROM reminders r {database.Dialect.IndexedBy("ix_reminders_due")}
            WHERE r.next_due_at <= @now
            ORDER BY r.next_due_at
            LIMIT @limit;
            """,
            new { now = now.ToUnixTimeMilliseconds(), limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => new DueReminder(r.ToSetting(), r.Away != 0, r.Logged != 0, r.LastDrillId)).ToList();
    }

    public async Task<IReadOnlyList<SentReminder>> AdvanceAsync(IReadOnlyList<ReminderAdvance> advances, CancellationToken cancellationToken)
    {
        if (advances.Count == 0)
        {
            return [];
        }

        // Set-based: one conditional UPDATE claims the batch (on PostgreSQL its condition is checked again on a row
        // another instance changed meanwhile, so that one is not claimed twice), one INSERT creates the day's rows.
        var rows = advances.Select(a => new
        {
            p = Names.Of(a.Due.Team.Platform),
            t = a.Due.Team.TeamId,
            u = a.Due.UserId,
            n = a.Due.DisplayName,
            sd = WorkdaySet.DayNumber(a.Due.NextDay),
            sa = a.Due.NextDueAt.ToUnixTimeMilliseconds(),
            nd = WorkdaySet.DayNumber(a.NextDay),
            na = a.NextDueAt.ToUnixTimeMilliseconds(),
            d = a.SendDrillId,
        }).ToList();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claimed = (await connection.QueryAsync<(string Platform, string TeamId, string UserId)>(new CommandDefinition(
            $"""
            UPDATE reminders SET next_day = j.nd, next_due_at = j.na
            FROM ({database.Dialect.JsonRecords("@rows", "p TEXT, t TEXT, u TEXT, sd BIGINT, sa BIGINT, nd BIGINT, na BIGINT")}) AS j
            WHERE reminders.platform = j.p AND reminders.team_id = j.t AND reminders.user_id = j.u
              AND reminders.next_due_at = j.sa AND reminders.next_day = j.sd
            RETURNING reminders.platform, reminders.team_id, reminders.user_id;
            """,
            new { rows = JsonSerializer.Serialize(rows) },
            transaction,
            cancellationToken: cancellationToken))).ToHashSet();
        var sends = rows.Where(r => r.d is not null && claimed.Contains((r.p, r.t, r.u))).ToList();
        var sent = sends.Count == 0
            ? []
            : (await connection.QueryAsync<SentRow>(new CommandDefinition(
                $"""
                INSERT INTO reminder_sends (platform, team_id, user_id, display_name, local_day, drill_id, due_at)
                SELECT p, t, u, n, sd, d, sa FROM ({database.Dialect.JsonRecords("@rows", "p TEXT, t TEXT, u TEXT, n TEXT, sd BIGINT, d TEXT, sa BIGINT")}) AS j WHERE true
                ON CONFLICT DO NOTHING
                RETURNING id AS Id, platform AS Platform, team_id AS TeamId, user_id AS UserId, display_name AS DisplayName, local_day AS LocalDay, drill_id AS DrillId;
                """,
                new { rows = JsonSerializer.Serialize(sends) },
                transaction,
                cancellationToken: cancellationToken))).ToList();
        await transaction.CommitAsync(cancellationToken);
        return sent.Select(r => r.ToSent()).ToList();
    }

    public async Task<IReadOnlyList<SentReminder>> GetUnsentAsync(
        DateTimeOffset now, TimeSpan window, string keyPrefix, int limit, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SentRow>(new CommandDefinition(
            $"""
            SELECT s.id AS Id, s.platform AS Platform, s.team_id AS TeamId, s.user_id AS UserId, s.display_name AS DisplayName,
                   s.local_day AS LocalDay, s.drill_id AS DrillId
            FROM reminder_sends s {database.Dialect.IndexedBy("ix_reminder_sends_due")}
            LEFT JOIN dm_posts p ON p.dm_key = @keyPrefix || s.id
            LEFT JOIN instances i ON i.id = p.instance_id
            WHERE s.due_at >= @since AND s.due_at <= @nowMs
              AND (p.dm_key IS NULL
                   OR (p.message_id IS NULL AND p.refused_at IS NULL AND (p.lease_until <= @nowMs OR {InstanceSql.IsDead("i")} = 1)))
              AND EXISTS (SELECT 1 FROM reminders r WHERE r.platform = s.platform AND r.team_id = s.team_id AND r.user_id = s.user_id)
              AND NOT EXISTS (SELECT 1 FROM completions c
                              WHERE c.platform = s.platform AND c.team_id = s.team_id AND c.user_id = s.user_id AND c.local_day = s.local_day)
              AND NOT EXISTS (SELECT 1 FROM away_days a
                              WHERE a.platform = s.platform AND a.team_id = s.team_id AND a.user_id = s.user_id AND a.local_day = s.local_day)
            ORDER BY s.due_at
            LIMIT @limit;
            """,
            new
            {
                keyPrefix,
                since = (now - window).ToUnixTimeMilliseconds(),
                nowMs,
                deadBefore = nowMs - (long)BotInstance.DeadAfter.TotalMilliseconds,
                limit,
            },
            cancellationToken: cancellationToken));
        return rows.Select(r => r.ToSent()).ToList();
    }

    public async Task<SentReminder?> GetSentAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SentRow>(new CommandDefinition(
            "SELECT id AS Id, platform AS Platform, team_id AS TeamId, user_id AS UserId, display_name AS DisplayName, local_day AS LocalDay, drill_id AS DrillId FROM reminder_sends WHERE id = @id;",
            new { id },
            cancellationToken: cancellationToken));
        return row?.ToSent();
    }

    private sealed class Row
    {
        public string Platform { get; set; } = "";

        public string TeamId { get; set; } = "";

        public string UserId { get; set; } = "";

        public string DisplayName { get; set; } = "";

        public long MinuteOfDay { get; set; }

        public string TimeZone { get; set; } = "";

        public long NextDay { get; set; }

        public long NextDueAt { get; set; }

        public long Away { get; set; }

        public long Logged { get; set; }

        public string? LastDrillId { get; set; }

        public static Row From(ReminderSetting setting) => new()
        {
            Platform = Names.Of(setting.Team.Platform),
            TeamId = setting.Team.TeamId,
            UserId = setting.UserId,
            DisplayName = setting.DisplayName,
            MinuteOfDay = (setting.LocalTime.Hour * 60) + setting.LocalTime.Minute,
            TimeZone = setting.TimeZoneId,
            NextDay = WorkdaySet.DayNumber(setting.NextDay),
            NextDueAt = setting.NextDueAt.ToUnixTimeMilliseconds(),
        };

        public ReminderSetting ToSetting() => new(
            new TeamKey(Names.Platform(Platform), TeamId),
            UserId,
            DisplayName,
            new TimeOnly((int)(MinuteOfDay / 60), (int)(MinuteOfDay % 60)),
            TimeZone,
            WorkdaySet.FromDayNumber(NextDay),
            DateTimeOffset.FromUnixTimeMilliseconds(NextDueAt));
    }

    private sealed class SentRow
    {
        public long Id { get; set; }

        public string Platform { get; set; } = "";

        public string TeamId { get; set; } = "";

        public string UserId { get; set; } = "";

        public string DisplayName { get; set; } = "";

        public long LocalDay { get; set; }

        public string DrillId { get; set; } = "";

        public SentReminder ToSent() => new(Id, new TeamKey(Names.Platform(Platform), TeamId), UserId, DisplayName, WorkdaySet.FromDayNumber(LocalDay), DrillId);
    }
}
