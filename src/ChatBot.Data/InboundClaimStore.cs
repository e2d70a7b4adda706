using ChatBot.Core;
using ChatBot.Core.Ports;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBot.Data;

/// <summary>
/// The shared tier of inbound de-duplication in table <c>inbound_claims</c>: one row per claimed delivery key, with
/// the claiming instance, its expiry (Unix ms) and, once handled, when. A claim is taken with one atomic
/// <c>INSERT … ON CONFLICT DO UPDATE … WHERE</c> that only replaces an expired claim, an unhandled one of a dead
/// instance (see <see cref="BotInstance.DeadAfter"/>) or an unhandled one of this instance (its process-local memory
/// already forgot it), so instances racing for one key get one winner on both engines.
/// </summary>
public sealed class InboundClaimStore(Database database, BotInstance instance, TimeProvider clock) : IInboundClaimStore
{
    public async Task<InboundClaim> TryClaimAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var now = clock.GetUtcNow();
        var parameters = new
        {
            key,
            instance = instance.Id,
            now = now.ToUnixTimeMilliseconds(),
            expires = (now + lifetime).ToUnixTimeMilliseconds(),
            deadBefore = (now - BotInstance.DeadAfter).ToUnixTimeMilliseconds(),
        };
        await using var connection = await database.OpenAsync(cancellationToken);

        // A claim released (deleted) between the two statements is claimable again: a second round settles it.
        for (var round = 0; ; round++)
        {
            var claimed = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                $"""
                INSERT INTO inbound_claims (key, instance_id, expires_at) VALUES (@key, @instance, @expires)
                ON CONFLICT (key) DO UPDATE SET instance_id = excluded.instance_id, expires_at = excluded.expires_at, handled_at = NULL
                WHERE inbound_claims.expires_at <= @now
                   OR (inbound_claims.handled_at IS NULL AND (inbound_claims.instance_id = @instance
                       OR EXISTS (SELECT 1 FROM instances AS i WHERE i.id = inbound_claims.instance_id AND {InstanceSql.IsDead("i")} = 1)))
                RETURNING key;
                """,
                parameters,
                cancellationToken: cancellationToken));
            if (claimed is not null)
            {
                return InboundClaim.Claimed;
            }

            var handledAt = await connection.QueryAsync<long?>(new CommandDefinition(
                "SELECT handled_at FROM inbound_claims WHERE key = @key;", parameters, cancellationToken: cancellationToken));
            switch (handledAt.ToList())
            {
                case [{ } _]:
                    return InboundClaim.HandledElsewhere;
                case [null]:
                    return InboundClaim.PendingElsewhere;
                case [] when round == 0:
                    continue;
                default:
                    return InboundClaim.PendingElsewhere;
            }
        }
    }

    public async Task CompleteAsync(string key, bool handled, CancellationToken cancellationToken)
    {
        var parameters = new { key, instance = instance.Id, now = clock.GetUtcNow().ToUnixTimeMilliseconds() };
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            handled
                ? "UPDATE inbound_claims SET handled_at = @now WHERE key = @key AND instance_id = @instance;"
                : "DELETE FROM inbound_claims WHERE key = @key AND instance_id = @instance AND handled_at IS NULL;",
            parameters,
            cancellationToken: cancellationToken));
    }

    /// <summary>Deletes the claims that expired (<c>expires_at</c> at or before now); returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM inbound_claims WHERE expires_at <= @now;",
            new { now = clock.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }
}

/// <summary>Purges expired inbound claims every <see cref="Interval"/>, so the table holds about one lifetime of deliveries.</summary>
internal sealed partial class InboundClaimPurge(InboundClaimStore store, TimeProvider clock, ILogger<InboundClaimPurge> logger) : BackgroundService
{
    /// <summary>How often expired claims are deleted (5 minutes; Slack's claims live 15).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await store.PurgeExpiredAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogPurgeFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 3472, Level = LogLevel.Warning, Message = "Expired inbound claims not purged; retrying at the next pass")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
