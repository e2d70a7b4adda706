using System.Text.Json;
using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// The DM ledger (<c>dm_posts</c>) and the per-person refusal notes (<c>dm_refusals</c>). Claims follow
/// <see cref="BreakStore.ClaimPostAsync"/>: one write transaction reads the row and the holder's liveness,
/// then takes the claim.
/// </summary>
public sealed class SqliteDirectMessageStore(SqliteDatabase database, TimeProvider clock) : IDirectMessageStore
{
    /// <summary>
    /// How old the snapshot of the people with a pending refusal note may be before it is read again: every
    /// caller-only reply asks for a note, and a table read per command would cost more than the command (a
    /// refusal recorded by another instance is noted at most this much later; one recorded here at once).
    /// </summary>
    public static readonly TimeSpan RefusalSnapshotAge = TimeSpan.FromSeconds(5);

    private volatile RefusalSnapshot? _refusals;

    public async Task<DirectMessageClaim> ClaimAsync(
        string key, TeamKey team, string userId, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        (await ClaimManyAsync([new DirectMessageTarget(key, team, userId)], instanceId, now, lease, cancellationToken))[0];

    public async Task<IReadOnlyList<DirectMessageClaim>> ClaimManyAsync(
        IReadOnlyList<DirectMessageTarget> targets, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        // Set-based (json_each): one read and one write for the whole batch, so a pass of thousands stays cheap.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var nowMs = now.ToUnixTimeMilliseconds();
        var keys = JsonSerializer.Serialize(targets.Select(t => t.Key));
        var existing = (await connection.QueryAsync<ClaimRow>(new CommandDefinition(
            $"""
            SELECT p.dm_key AS Key, p.channel_id AS ChannelId, p.message_id AS MessageId, p.refused_at AS RefusedAt, p.lease_until AS LeaseUntil,
                   {InstanceSql.IsDead("i")} AS HolderDead
            FROM dm_posts p LEFT JOIN instances i ON i.id = p.instance_id
            WHERE p.dm_key IN (SELECT value FROM json_each(@keys));
            """,
            new { keys, nowMs, deadBefore = nowMs - (long)BotInstance.DeadAfter.TotalMilliseconds },
            transaction,
            cancellationToken: cancellationToken))).ToDictionary(r => r.Key, StringComparer.Ordinal);
        var claims = new List<DirectMessageClaim>(targets.Count);
        var granted = new List<object>();
        foreach (var target in targets)
        {
            existing.TryGetValue(target.Key, out var row);
            if (row is { MessageId: { } messageId })
            {
                claims.Add(new DirectMessageClaim.AlreadySent(new DirectMessageReceipt(row.ChannelId ?? "", messageId)));
            }
            else if (row is { RefusedAt: not null })
            {
                claims.Add(new DirectMessageClaim.Refused());
            }
            else if (row is { } held && held.LeaseUntil > nowMs && held.HolderDead == 0)
            {
                claims.Add(new DirectMessageClaim.HeldElsewhere(DateTimeOffset.FromUnixTimeMilliseconds(held.LeaseUntil)));
            }
            else
            {
                claims.Add(new DirectMessageClaim.Granted(Resend: row is not null));
                granted.Add(new { k = target.Key, p = Names.Of(target.Team.Platform), t = target.Team.TeamId, u = target.UserId });
            }
        }

        if (granted.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO dm_posts (dm_key, platform, team_id, user_id, claimed_at, lease_until, instance_id)
                SELECT value ->> 'k', value ->> 'p', value ->> 't', value ->> 'u', @nowMs, @leaseUntil, @instanceId FROM json_each(@rows) WHERE true
                ON CONFLICT (dm_key) DO UPDATE
                SET claimed_at = excluded.claimed_at, lease_until = excluded.lease_until, instance_id = excluded.instance_id;
                """,
                new { rows = JsonSerializer.Serialize(granted), nowMs, leaseUntil = (now + lease).ToUnixTimeMilliseconds(), instanceId },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return claims;
    }

    public Task RecordSentAsync(string key, DirectMessageReceipt receipt, DateTimeOffset at, CancellationToken cancellationToken) =>
        RecordSentManyAsync([(key, receipt)], at, cancellationToken);

    public async Task RecordSentManyAsync(IReadOnlyList<(string Key, DirectMessageReceipt Receipt)> sent, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (sent.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE dm_posts SET channel_id = j.value ->> 'c', message_id = j.value ->> 'm', posted_at = @at
            FROM json_each(@rows) AS j
            WHERE dm_posts.dm_key = j.value ->> 'k';
            DELETE FROM dm_refusals
            WHERE (platform, team_id, user_id) IN (
                SELECT platform, team_id, user_id FROM dm_posts WHERE dm_key IN (SELECT value ->> 'k' FROM json_each(@rows)));
            """,
            new
            {
                rows = JsonSerializer.Serialize(sent.Select(s => new { k = s.Key, c = s.Receipt.ChannelId, m = s.Receipt.MessageId })),
                at = at.ToUnixTimeMilliseconds(),
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task ReleaseAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE dm_posts SET lease_until = 0, instance_id = NULL WHERE dm_key = @key AND message_id IS NULL;",
            new { key },
            cancellationToken: cancellationToken));
    }

    public async Task RecordRefusedAsync(string key, TeamKey team, string userId, string detail, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE dm_posts SET refused_at = @at, lease_until = 0, instance_id = NULL WHERE dm_key = @key AND message_id IS NULL;
            INSERT INTO dm_refusals (platform, team_id, user_id, refused_at, detail) VALUES (@Platform, @TeamId, @userId, @at, @detail)
            ON CONFLICT (platform, team_id, user_id) DO UPDATE SET refused_at = excluded.refused_at, detail = excluded.detail;
            """,
            new { key, Platform = Names.Of(team.Platform), team.TeamId, userId, detail, at = at.ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        _refusals = null;
    }

    public async Task<DirectMessageReceipt?> GetSentAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ClaimRow>(new CommandDefinition(
            "SELECT dm_key AS Key, channel_id AS ChannelId, message_id AS MessageId, refused_at AS RefusedAt, lease_until AS LeaseUntil, 0 AS HolderDead FROM dm_posts WHERE dm_key = @key;",
            new { key },
            cancellationToken: cancellationToken));
        return row is { MessageId: { } id } ? new DirectMessageReceipt(row.ChannelId ?? "", id) : null;
    }

    public async Task<string?> TakeRefusalAsync(TeamKey team, string userId, CancellationToken cancellationToken)
    {
        var person = (Names.Of(team.Platform), team.TeamId, userId);
        var refusals = _refusals;
        if (refusals is null || clock.GetUtcNow() - refusals.TakenAt >= RefusalSnapshotAge)
        {
            refusals = await ReadRefusalsAsync(cancellationToken);
        }

        if (!refusals.People.Contains(person))
        {
            return null;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var detail = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "DELETE FROM dm_refusals WHERE platform = @Platform AND team_id = @TeamId AND user_id = @userId RETURNING detail;",
            new { Platform = person.Item1, team.TeamId, userId },
            cancellationToken: cancellationToken));
        _refusals = null;
        return detail;
    }

    private async Task<RefusalSnapshot> ReadRefusalsAsync(CancellationToken cancellationToken)
    {
        var takenAt = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        var people = await connection.QueryAsync<(string Platform, string TeamId, string UserId)>(new CommandDefinition(
            "SELECT platform, team_id, user_id FROM dm_refusals;", cancellationToken: cancellationToken));
        var snapshot = new RefusalSnapshot(people.ToHashSet(), takenAt);
        _refusals = snapshot;
        return snapshot;
    }

    /// <summary>The people (platform, team, user) with a pending refusal note, as read at <see cref="TakenAt"/> (UTC).</summary>
    private sealed record RefusalSnapshot(HashSet<(string Platform, string TeamId, string UserId)> People, DateTimeOffset TakenAt);

    private sealed class ClaimRow
    {
        public string Key { get; set; } = "";

        public string? ChannelId { get; set; }

        public string? MessageId { get; set; }

        public long? RefusedAt { get; set; }

        public long LeaseUntil { get; set; }

        public long HolderDead { get; set; }
    }
}

/// <summary>Snoozes in <c>snoozes</c>; whether the person has done the break is read from <c>completions</c>.</summary>
public sealed class SqliteSnoozeStore(SqliteDatabase database) : ISnoozeStore
{
    private const string Select = """
        SELECT s.break_id AS BreakId, s.platform AS Platform, s.team_id AS TeamId, s.user_id AS UserId, s.display_name AS DisplayName,
               s.due_at AS DueAt,
               EXISTS (SELECT 1 FROM completions c WHERE c.break_id = s.break_id AND c.user_id = s.user_id) AS Done
        FROM snoozes s
        WHERE s.break_id = @breakId AND s.user_id = @userId;
        """;

    public async Task<(Snooze Snooze, bool Created)> AddAsync(
        long breakId, TeamKey team, string userId, string displayName, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO snoozes (break_id, user_id, platform, team_id, display_name, due_at)
            VALUES (@breakId, @userId, @Platform, @TeamId, @displayName, @dueAt);
            """,
            new { breakId, userId, Platform = Names.Of(team.Platform), team.TeamId, displayName, dueAt = dueAt.ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken)) == 1;
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(Select, new { breakId, userId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (row.ToSnooze(), created);
    }

    public async Task<Snooze?> GetAsync(long breakId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Select, new { breakId, userId }, cancellationToken: cancellationToken));
        return row?.ToSnooze();
    }

    public async Task RemoveAsync(long breakId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM snoozes WHERE break_id = @breakId AND user_id = @userId;", new { breakId, userId }, cancellationToken: cancellationToken));
    }

    private sealed class Row
    {
        public long BreakId { get; set; }

        public string Platform { get; set; } = "";

        public string TeamId { get; set; } = "";

        public string UserId { get; set; } = "";

        public string DisplayName { get; set; } = "";

        public long DueAt { get; set; }

        public long Done { get; set; }

        public Snooze ToSnooze() => new(
            BreakId, new TeamKey(Names.Platform(Platform), TeamId), UserId, DisplayName, DateTimeOffset.FromUnixTimeMilliseconds(DueAt), Done != 0);
    }
}

/// <summary>
/// Daily reminders in <c>reminders</c> (read by the due-time index) and the ones sent in <c>reminder_sends</c>
/// (unique per person and local day). Away days and logged breaks come from <c>away_days</c> and <c>completions</c>.
/// </summary>
public sealed class SqliteReminderStore(SqliteDatabase database) : IReminderStore
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
                   EXISTS (SELECT 1 FROM away_days a
                           WHERE a.platform = r.platform AND a.team_id = r.team_id AND a.user_id = r.user_id AND a.local_day = r.next_day) AS Away,
                   EXISTS (SELECT 1 FROM completions c
                           WHERE c.platform = r.platform AND c.team_id = r.team_id AND c.user_id = r.user_id AND c.local_day = r.next_day) AS Logged,
                   (SELECT s.drill_id FROM reminder_sends s
                    WHERE s.platform = r.platform AND s.team_id = r.team_id AND s.user_id = r.user_id
                    ORDER BY s.local_day DESC LIMIT 1) AS LastDrillId
            FROM reminders r INDEXED BY ix_reminders_due
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

        // Set-based (json_each): one conditional UPDATE claims the batch, one INSERT OR IGNORE creates the day's rows.
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
            """
            UPDATE reminders SET next_day = j.value ->> 'nd', next_due_at = j.value ->> 'na'
            FROM json_each(@rows) AS j
            WHERE reminders.platform = j.value ->> 'p' AND reminders.team_id = j.value ->> 't' AND reminders.user_id = j.value ->> 'u'
              AND reminders.next_due_at = j.value ->> 'sa' AND reminders.next_day = j.value ->> 'sd'
            RETURNING reminders.platform, reminders.team_id, reminders.user_id;
            """,
            new { rows = JsonSerializer.Serialize(rows) },
            transaction,
            cancellationToken: cancellationToken))).ToHashSet();
        var sends = rows.Where(r => r.d is not null && claimed.Contains((r.p, r.t, r.u))).ToList();
        var sent = sends.Count == 0
            ? []
            : (await connection.QueryAsync<SentRow>(new CommandDefinition(
                """
                INSERT OR IGNORE INTO reminder_sends (platform, team_id, user_id, display_name, local_day, drill_id, due_at)
                SELECT value ->> 'p', value ->> 't', value ->> 'u', value ->> 'n', value ->> 'sd', value ->> 'd', value ->> 'sa' FROM json_each(@rows)
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
            FROM reminder_sends s INDEXED BY ix_reminder_sends_due
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

    private static DateOnly Day(long dayNumber) => DateOnly.FromDayNumber((int)dayNumber + new DateOnly(1970, 1, 1).DayNumber);

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
            Day(NextDay),
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

        public SentReminder ToSent() => new(Id, new TeamKey(Names.Platform(Platform), TeamId), UserId, DisplayName, Day(LocalDay), DrillId);
    }
}
