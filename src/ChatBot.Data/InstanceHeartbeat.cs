using ChatBot.Core;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBot.Data;

/// <summary>SQL shared by the stores that judge whether a claim's instance is alive.</summary>
internal static class InstanceSql
{
    /// <summary>
    /// 1 when the instance row aliased <paramref name="alias"/> is known dead (ended, or last seen before
    /// <c>@deadBefore</c>, Unix ms), 0 when alive or unknown (no row: the claim is judged by its lease).
    /// </summary>
    public static string IsDead(string alias) =>
        $"CAST(CASE WHEN {alias}.id IS NULL THEN 0 WHEN {alias}.ended_at IS NOT NULL OR {alias}.last_seen < @deadBefore THEN 1 ELSE 0 END AS BIGINT)";

    /// <summary>
    /// The condition that the instance named by <paramref name="instanceColumn"/> is known dead (as in
    /// <see cref="IsDead"/>), for a claim's <c>UPDATE … WHERE</c>: PostgreSQL checks it again on a row another
    /// instance changed meanwhile, so a claim just renewed by a live holder is not taken.
    /// </summary>
    public static string HolderDead(string instanceColumn) =>
        $"EXISTS (SELECT 1 FROM instances i WHERE i.id = {instanceColumn} AND (i.ended_at IS NOT NULL OR i.last_seen < @deadBefore))";
}

/// <summary>
/// This process's row in <c>instances</c>: written at start, <c>last_seen</c> renewed every
/// <see cref="BotInstance.HeartbeatInterval"/>, <c>ended_at</c> set at a clean stop. Only one process may use an
/// embedded SQLite file at a time, so there, at start, every other instance row of the file is ended: whatever
/// claims they left belong to a process that is gone, and are taken over at once rather than after their lease.
/// A PostgreSQL database is shared by several live instances, so there only the heartbeat's age tells a dead one.
/// </summary>
internal sealed partial class InstanceHeartbeat(
    Database database,
    BotInstance instance,
    TimeProvider clock,
    ILogger<InstanceHeartbeat> logger) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _beating = Task.CompletedTask;
    private int _disposed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var ended = database is SqliteDatabase
                ? await connection.ExecuteAsync(
                    "UPDATE instances SET ended_at = @now WHERE ended_at IS NULL AND id <> @id;", new { now, id = instance.Id }, transaction)
                : 0;
            await connection.ExecuteAsync(
                "INSERT INTO instances (id, started_at, last_seen) VALUES (@id, @now, @now) ON CONFLICT (id) DO UPDATE SET last_seen = @now, ended_at = NULL;",
                new { now, id = instance.Id },
                transaction);
            await transaction.CommitAsync(cancellationToken);
            LogStarted(logger, instance.Id, ended);
        }

        _beating = BeatAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _beating.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE instances SET ended_at = @now WHERE id = @id;", new { now = clock.GetUtcNow().ToUnixTimeMilliseconds(), id = instance.Id });
    }

    /// <summary>Stops the beats without marking the instance ended (as a kill would); safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stopping.CancelAsync();
            _stopping.Dispose();
        }
    }

    private async Task BeatAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(BotInstance.HeartbeatInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var connection = await database.OpenAsync(stoppingToken);
                    await connection.ExecuteAsync(
                        "UPDATE instances SET last_seen = @now WHERE id = @id;",
                        new { now = clock.GetUtcNow().ToUnixTimeMilliseconds(), id = instance.Id });
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // A busy or briefly unavailable file: the next beat tries again, well within DeadAfter.
                    LogBeatFailed(logger, exception, instance.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 3390, Level = LogLevel.Information, Message = "Bot instance {InstanceId} registered; {Ended} earlier instance(s) of this database marked ended")]
    private static partial void LogStarted(ILogger logger, string instanceId, int ended);

    [LoggerMessage(EventId = 3391, Level = LogLevel.Warning, Message = "Bot instance {InstanceId}: heartbeat not written; retrying at the next beat")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception, string instanceId);
}
