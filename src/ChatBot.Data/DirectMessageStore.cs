using System.Text.Json;
using ChatBot.Core;
using ChatBot.Core.Ports;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// The DM ledger (<c>dm_posts</c>) and the per-person refusal notes (<c>dm_refusals</c>), on either engine. A claim
/// is taken by the write itself, so two instances claiming the same DM at once never both win: a new key by
/// <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c>, an existing one by an <c>UPDATE … RETURNING</c> whose
/// condition (not sent, not refused, lease over or holder dead) is checked again on the row it locks.
/// </summary>
public sealed class DirectMessageStore(Database database, TimeProvider clock) : IDirectMessageStore
{
    /// <summary>
    /// How old the snapshot of the people with a pending refusal note may be before it is read again: every
    /// caller-only reply asks for a note, and a table read per command would cost more than the command (a
    /// refusal recorded by another instance is noted at most this much later; one recorded here at once).
    /// </summary>
    public static readonly TimeSpan RefusalSnapshotAge = TimeSpan.FromSeconds(5);

    private readonly Lock _readGate = new();

    private volatile RefusalSnapshot? _refusals;

    /// <summary>
    /// Bumped (under <see cref="_readGate"/>, as are the snapshot's publications) whenever this instance changes
    /// <c>dm_refusals</c>: a read begun before a change is neither kept nor joined.
    /// </summary>
    private int _generation;

    /// <summary>
    /// The snapshot read in flight and the generation it reads for. When the snapshot goes stale under load the
    /// callers share one read instead of each reading the table (a read on SQLite holds a pool thread: with 200
    /// commands in flight, 200 of them).
    /// </summary>
    private (Task<RefusalSnapshot> Read, int Generation)? _reading;

    public async Task<DirectMessageClaim> ClaimAsync(
        string key, TeamKey team, string userId, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        (await ClaimManyAsync([new DirectMessageTarget(key, team, userId)], instanceId, now, lease, cancellationToken))[0];

    public async Task<IReadOnlyList<DirectMessageClaim>> ClaimManyAsync(
        IReadOnlyList<DirectMessageTarget> targets, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        // Set-based: one statement per step for the whole batch, so a pass of thousands stays cheap. Keys in one
        // order, so two instances' overlapping batches on PostgreSQL wait for each other instead of deadlocking.
        var nowMs = now.ToUnixTimeMilliseconds();
        var parameters = new
        {
            rows = JsonSerializer.Serialize(targets
                .OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => new { k = t.Key, p = Names.Of(t.Team.Platform), t = t.Team.TeamId, u = t.UserId })),
            nowMs,
            leaseUntil = (now + lease).ToUnixTimeMilliseconds(),
            instanceId,
            deadBefore = nowMs - (long)BotInstance.DeadAfter.TotalMilliseconds,
        };
        var keys = $"SELECT k FROM ({database.Dialect.JsonRecords("@rows", "k TEXT")}) AS j";
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var fresh = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            INSERT INTO dm_posts (dm_key, platform, team_id, user_id, claimed_at, lease_until, instance_id)
            SELECT k, p, t, u, @nowMs, @leaseUntil, @instanceId FROM ({database.Dialect.JsonRecords("@rows", "k TEXT, p TEXT, t TEXT, u TEXT")}) AS j WHERE true
            ON CONFLICT (dm_key) DO NOTHING
            RETURNING dm_key;
            """,
            parameters,
            transaction,
            cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        var takenOver = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            UPDATE dm_posts SET claimed_at = @nowMs, lease_until = @leaseUntil, instance_id = @instanceId
            WHERE dm_key IN ({keys}) AND message_id IS NULL AND refused_at IS NULL
              AND (lease_until <= @nowMs OR {InstanceSql.HolderDead("dm_posts.instance_id")})
            RETURNING dm_key;
            """,
            parameters,
            transaction,
            cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        var others = (await connection.QueryAsync<ClaimRow>(new CommandDefinition(
            $"SELECT dm_key AS Key, channel_id AS ChannelId, message_id AS MessageId, refused_at AS RefusedAt, lease_until AS LeaseUntil FROM dm_posts WHERE dm_key IN ({keys});",
            parameters,
            transaction,
            cancellationToken: cancellationToken))).ToDictionary(r => r.Key, StringComparer.Ordinal);
        await transaction.CommitAsync(cancellationToken);
        return targets.Select(target => (DirectMessageClaim)(
            fresh.Contains(target.Key) ? new DirectMessageClaim.Granted(Resend: false)
            : takenOver.Contains(target.Key) ? new DirectMessageClaim.Granted(Resend: true)
            : others[target.Key] switch
            {
                { MessageId: { } messageId } row => new DirectMessageClaim.AlreadySent(new DirectMessageReceipt(row.ChannelId ?? "", messageId)),
                { RefusedAt: not null } => new DirectMessageClaim.Refused(),
                var held => new DirectMessageClaim.HeldElsewhere(DateTimeOffset.FromUnixTimeMilliseconds(held.LeaseUntil)),
            })).ToList();
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
            $"""
            UPDATE dm_posts SET channel_id = j.c, message_id = j.m, posted_at = @at
            FROM ({database.Dialect.JsonRecords("@rows", "k TEXT, c TEXT, m TEXT")}) AS j
            WHERE dm_posts.dm_key = j.k;
            DELETE FROM dm_refusals
            WHERE (platform, team_id, user_id) IN (
                SELECT platform, team_id, user_id FROM dm_posts WHERE dm_key IN (SELECT k FROM ({database.Dialect.JsonRecords("@rows", "k TEXT")}) AS j));
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
        Invalidate();
    }

    public async Task<DirectMessageReceipt?> GetSentAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ClaimRow>(new CommandDefinition(
            "SELECT dm_key AS Key, channel_id AS ChannelId, message_id AS MessageId, refused_at AS RefusedAt, lease_until AS LeaseUntil FROM dm_posts WHERE dm_key = @key;",
            new { key },
            cancellationToken: cancellationToken));
        return row is { MessageId: { } id } ? new DirectMessageReceipt(row.ChannelId ?? "", id) : null;
    }

    public async Task<string?> TakeRefusalAsync(TeamKey team, string userId, CancellationToken cancellationToken)
    {
        var person = (Names.Of(team.Platform), team.TeamId, userId);
        var refusals = await FreshRefusalsAsync(cancellationToken);
        if (!refusals.People.Contains(person))
        {
            return null;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var detail = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "DELETE FROM dm_refusals WHERE platform = @Platform AND team_id = @TeamId AND user_id = @userId RETURNING detail;",
            new { Platform = person.Item1, team.TeamId, userId },
            cancellationToken: cancellationToken));
        Invalidate();
        return detail;
    }

    // A ValueTask: the snapshot is fresh for nearly every caller, who then awaits nothing and allocates nothing.
    private async ValueTask<RefusalSnapshot> FreshRefusalsAsync(CancellationToken cancellationToken)
    {
        if (_refusals is { } fresh && !IsStale(fresh))
        {
            return fresh;
        }

        Task<RefusalSnapshot> read;
        lock (_readGate)
        {
            if (_refusals is { } done && !IsStale(done))
            {
                return done;
            }

            var generation = _generation;
            if (_reading is not { Read.IsCompleted: false } reading || reading.Generation != generation)
            {
                // On the pool, not under the lock: SQLite's "async" read runs synchronously. Not cancelled with
                // this caller, as others wait for it too.
                reading = (Task.Run(() => ReadRefusalsAsync(generation)), generation);
                _reading = reading;
            }

            read = reading.Read;
        }

        return await read.WaitAsync(cancellationToken);
    }

    private bool IsStale(RefusalSnapshot snapshot) => clock.GetUtcNow() - snapshot.TakenAt >= RefusalSnapshotAge;

    private void Invalidate()
    {
        lock (_readGate)
        {
            _generation++;
            _refusals = null;
        }
    }

    private async Task<RefusalSnapshot> ReadRefusalsAsync(int generation)
    {
        var takenAt = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var people = await connection.QueryAsync<(string Platform, string TeamId, string UserId)>(
            "SELECT platform, team_id, user_id FROM dm_refusals;");
        var snapshot = new RefusalSnapshot(people.ToHashSet(), takenAt);
        lock (_readGate)
        {
            if (_generation == generation)
            {
                _refusals = snapshot; // else a change here during the read: the next caller reads again
            }
        }

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
    }
}
