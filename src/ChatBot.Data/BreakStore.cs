using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;
using Dapper;

namespace ChatBot.Data;

public sealed class BreakStore(Database database, TimeProvider clock) : IBreakStore
{
    private const string Columns = "id, platform, team_id, channel_id, drill_id, origin, started_at, started_by, slot_key, refused_step, refusal, refusal_detail";

    public async Task<(BreakRecord Break, bool Created)> CreateAsync(NewBreak newBreak, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var channel = newBreak.Channel;
        var id = await connection.ExecuteScalarAsync<long?>(
            new CommandDefinition(
                """
                INSERT INTO breaks (platform, team_id, channel_id, drill_id, origin, started_at, started_by, slot_key)
                VALUES (@Platform, @TeamId, @ChannelId, @DrillId, @Origin, @StartedAt, @StartedBy, @SlotKey)
                ON CONFLICT DO NOTHING
                RETURNING id;
                """,
                new
                {
                    Platform = Names.Of(channel.Platform),
                    channel.TeamId,
                    channel.ChannelId,
                    newBreak.DrillId,
                    Origin = (int)newBreak.Origin,
                    StartedAt = newBreak.StartedAt.ToUnixTimeMilliseconds(),
                    newBreak.StartedBy,
                    newBreak.SlotKey,
                },
                transaction,
                cancellationToken: cancellationToken));
        var created = id is not null;
        var row = created
            ? await connection.QuerySingleAsync<BreakRow>(
                new CommandDefinition($"SELECT {Columns} FROM breaks WHERE id = @id;", new { id }, transaction, cancellationToken: cancellationToken))
            : await connection.QuerySingleAsync<BreakRow>(
                new CommandDefinition(
                    $"SELECT {Columns} FROM breaks WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId AND slot_key = @SlotKey;",
                    new { Platform = Names.Of(channel.Platform), channel.TeamId, channel.ChannelId, newBreak.SlotKey },
                    transaction,
                    cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (row.ToRecord(), created);
    }

    public async Task<BreakRecord?> GetAsync(long breakId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<BreakRow>(
            new CommandDefinition($"SELECT {Columns} FROM breaks WHERE id = @breakId;", new { breakId }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<string?> GetLastDrillAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT drill_id FROM breaks WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId ORDER BY id DESC LIMIT 1;",
            new { Platform = Names.Of(channel.Platform), channel.TeamId, channel.ChannelId },
            cancellationToken: cancellationToken));
    }

    public async Task<PostClaim> ClaimPostAsync(
        long breakId, int step, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await database.Dialect.LockAsync(connection, transaction, FormattableString.Invariant($"break_posts:{breakId}:{step}"), cancellationToken);
        var nowMs = now.ToUnixTimeMilliseconds();
        var existing = await connection.QuerySingleOrDefaultAsync<ClaimRow>(new CommandDefinition(
            $"""
            SELECT p.message_id, p.lease_until,
                   {InstanceSql.IsDead("i")} AS holder_dead
            FROM break_posts p LEFT JOIN instances i ON i.id = p.instance_id
            WHERE p.break_id = @breakId AND p.step = @step;
            """,
            new { breakId, step, nowMs, deadBefore = nowMs - (long)BotInstance.DeadAfter.TotalMilliseconds },
            transaction,
            cancellationToken: cancellationToken));
        if (existing is { MessageId: { } messageId })
        {
            return new PostClaim.AlreadyPosted(messageId);
        }

        if (existing is { } held && held.LeaseUntil > nowMs && !held.HolderDead)
        {
            return new PostClaim.HeldElsewhere(DateTimeOffset.FromUnixTimeMilliseconds(held.LeaseUntil));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO break_posts (break_id, step, claimed_at, lease_until, instance_id) VALUES (@breakId, @step, @nowMs, @leaseUntil, @instanceId)
            ON CONFLICT (break_id, step) DO UPDATE
            SET claimed_at = excluded.claimed_at, lease_until = excluded.lease_until, instance_id = excluded.instance_id;
            """,
            new { breakId, step, nowMs, leaseUntil = (now + lease).ToUnixTimeMilliseconds(), instanceId },
            transaction,
            cancellationToken: cancellationToken));
        var promptId = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT message_id FROM break_posts WHERE break_id = @breakId AND step = 0;",
            new { breakId },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new PostClaim.Granted(promptId, Resend: existing is not null);
    }

    public async Task RecordPostAsync(long breakId, int step, string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO break_posts (break_id, step, claimed_at, lease_until, message_id, posted_at)
            VALUES (@breakId, @step, @now, @now, @messageId, @now)
            ON CONFLICT (break_id, step) DO UPDATE SET message_id = excluded.message_id, posted_at = excluded.posted_at;
            """,
            new { breakId, step, messageId, now },
            cancellationToken: cancellationToken));
    }

    public async Task ReleaseClaimAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE break_posts SET lease_until = 0, instance_id = NULL WHERE break_id = @breakId AND step = @step AND message_id IS NULL;",
            new { breakId, step },
            cancellationToken: cancellationToken));
    }

    public async Task RecordRefusalAsync(long breakId, BreakRefusal refusal, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE breaks SET refused_at = @at, refused_step = @Step, refusal = @Reason, refusal_detail = @Detail
            WHERE id = @breakId AND refused_at IS NULL;
            """,
            new { breakId, at = at.ToUnixTimeMilliseconds(), refusal.Step, Reason = refusal.Reason.ToString(), refusal.Detail },
            cancellationToken: cancellationToken));
    }

    public async Task RecordFinishedAsync(long breakId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE breaks SET finished_at = @at WHERE id = @breakId AND finished_at IS NULL;",
            new { breakId, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    private const string Open = "finished_at IS NULL AND refused_at IS NULL AND started_at >= @since";

    /// <summary>One count from the partial index <c>ix_breaks_open</c>.</summary>
    public async Task<int> CountUnfinishedAsync(DateTimeOffset startedSince, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT COUNT(*) FROM breaks WHERE {Open};", new { since = startedSince.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<UnfinishedBreak>> GetUnfinishedAsync(DateTimeOffset startedSince, CancellationToken cancellationToken)
    {
        var since = startedSince.ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = await connection.QueryAsync<BreakRow>(new CommandDefinition(
            $"SELECT {Columns} FROM breaks WHERE {Open} ORDER BY id;", new { since }, transaction, cancellationToken: cancellationToken));
        var progress = (await connection.QueryAsync<ProgressRow>(new CommandDefinition(
            $"""
            SELECT break_id AS BreakId, COUNT(*) AS Posted, MAX(posted_at) AS LastPostedAt
            FROM break_posts
            WHERE message_id IS NOT NULL AND break_id IN (SELECT id FROM breaks WHERE {Open})
            GROUP BY break_id;
            """,
            new { since },
            transaction,
            cancellationToken: cancellationToken))).ToDictionary(p => p.BreakId);
        await transaction.CommitAsync(cancellationToken);
        return rows
            .Select(r => progress.TryGetValue(r.Id, out var p)
                ? new UnfinishedBreak(r.ToRecord(), (int)p.Posted, p.LastPostedAt is { } last ? DateTimeOffset.FromUnixTimeMilliseconds(last) : null)
                : new UnfinishedBreak(r.ToRecord(), 0, null))
            .ToList();
    }

    public async Task<string?> GetPostedMessageIdAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT message_id FROM break_posts WHERE break_id = @breakId AND step = @step;",
            new { breakId, step },
            cancellationToken: cancellationToken));
    }

    private sealed record ClaimRow(string? Message_Id, long Lease_Until, long Holder_Dead)
    {
        public string? MessageId => Message_Id;

        public long LeaseUntil => Lease_Until;

        public bool HolderDead => Holder_Dead != 0;
    }

    private sealed record BreakRow(
        long Id,
        string Platform,
        string Team_Id,
        string Channel_Id,
        string Drill_Id,
        long Origin,
        long Started_At,
        string? Started_By,
        string? Slot_Key,
        long? Refused_Step,
        string? Refusal,
        string? Refusal_Detail)
    {
        public BreakRecord ToRecord() => new(
            Id,
            new ChannelKey(Names.Platform(Platform), Team_Id, Channel_Id),
            Drill_Id,
            (BreakOrigin)Origin,
            DateTimeOffset.FromUnixTimeMilliseconds(Started_At),
            Started_By,
            Slot_Key,
            Refusal is null
                ? null
                : new BreakRefusal(
                    (int)(Refused_Step ?? 0),
                    Enum.TryParse<PostRefusal>(Refusal, out var reason) ? reason : PostRefusal.Other,
                    Refusal_Detail ?? ""));
    }

    private sealed class ProgressRow
    {
        public long BreakId { get; set; }

        public long Posted { get; set; }

        public long? LastPostedAt { get; set; }
    }
}
