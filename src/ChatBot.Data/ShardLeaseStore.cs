using ChatBot.Core;
using ChatBot.Core.Ports;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// Discord shard leases in <c>discord_shard_members</c> and <c>discord_shard_leases</c>. Each renewal is one
/// transaction under <see cref="SqlDialect.LockAsync"/> (SQLite: its single writer; PostgreSQL: an advisory lock),
/// so the read-count-claim sequence of one instance never interleaves with another's.
/// </summary>
public sealed class ShardLeaseStore(Database database, BotInstance instance, TimeProvider clock) : IShardLeaseStore
{
    public async Task<IReadOnlyList<int>> RenewAsync(int shardCount, TimeSpan lease, bool claim, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var parameters = new { instance = instance.Id, now, expires = now + (long)lease.TotalMilliseconds, shardCount };
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await database.Dialect.LockAsync(connection, transaction, "discord-shards", cancellationToken);

        Task<int> Execute(string sql, object? args = null) =>
            connection.ExecuteAsync(new CommandDefinition(sql, args ?? parameters, transaction, cancellationToken: cancellationToken));

        await Execute(
            """
            INSERT INTO discord_shard_members (instance_id, expires_at) VALUES (@instance, @expires)
            ON CONFLICT (instance_id) DO UPDATE SET expires_at = excluded.expires_at;
            """);
        await Execute("DELETE FROM discord_shard_members WHERE expires_at <= @now;");
        await Execute("DELETE FROM discord_shard_leases WHERE expires_at <= @now OR shard_id >= @shardCount;");
        await Execute("UPDATE discord_shard_leases SET expires_at = @expires WHERE instance_id = @instance;");

        var held = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT shard_id FROM discord_shard_leases WHERE instance_id = @instance ORDER BY shard_id;", parameters, transaction, cancellationToken: cancellationToken)))
            .Select(id => (int)id).ToList();
        if (claim)
        {
            var members = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM discord_shard_members;", parameters, transaction, cancellationToken: cancellationToken));
            var fairShare = (int)((shardCount + members - 1) / Math.Max(1, members));
            while (held.Count > fairShare)
            {
                await Execute("DELETE FROM discord_shard_leases WHERE shard_id = @shard;", new { shard = held[^1] });
                held.RemoveAt(held.Count - 1);
            }

            if (held.Count < fairShare)
            {
                var taken = (await connection.QueryAsync<long>(new CommandDefinition(
                    "SELECT shard_id FROM discord_shard_leases;", parameters, transaction, cancellationToken: cancellationToken)))
                    .Select(id => (int)id).ToHashSet();
                foreach (var shard in Enumerable.Range(0, shardCount).Where(id => !taken.Contains(id)).Take(fairShare - held.Count).ToList())
                {
                    await Execute(
                        "INSERT INTO discord_shard_leases (shard_id, instance_id, expires_at) VALUES (@shard, @instance, @expires);",
                        new { shard, parameters.instance, parameters.expires });
                    held.Add(shard);
                }

                held.Sort();
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return held;
    }

    public async Task<TimeSpan> TryTakeIdentifySlotAsync(int bucket, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var parameters = new { bucket, now, freeAt = now + (long)window.TotalMilliseconds };
        await using var connection = await database.OpenAsync(cancellationToken);
        var taken = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO discord_identify_slots (bucket, free_at) VALUES (@bucket, @freeAt)
            ON CONFLICT (bucket) DO UPDATE SET free_at = excluded.free_at WHERE discord_identify_slots.free_at <= @now
            RETURNING bucket;
            """,
            parameters,
            cancellationToken: cancellationToken));
        if (taken is not null)
        {
            return TimeSpan.Zero;
        }

        var freeAt = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT free_at FROM discord_identify_slots WHERE bucket = @bucket;", parameters, cancellationToken: cancellationToken));

        // Freed between the two statements: the caller asks again at once (a 1 ms wait).
        return TimeSpan.FromMilliseconds(Math.Max(1, (freeAt ?? now) - now));
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM discord_shard_leases WHERE instance_id = @instance; DELETE FROM discord_shard_members WHERE instance_id = @instance;",
            new { instance = instance.Id },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
