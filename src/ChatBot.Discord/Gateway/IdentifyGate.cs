using ChatBot.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChatBot.Discord.Gateway;

/// <summary>
/// Paces IDENTIFYs: shards whose <c>id % max_concurrency</c> is equal share a rate-limit bucket, and each bucket
/// allows one IDENTIFY per 5 s (protocols.md A2: "sharded bots use <c>rate_limit_key = shard_id % max_concurrency</c>";
/// more is answered with op 9). With a shared database (<see cref="IShardLeaseStore"/>) the buckets are shared by
/// every instance; without one, or while it fails (logged once), by this process's shards. Deadlines come from the
/// injected clock. Thread-safe; one per process, shared by its shards' connections.
/// </summary>
public sealed partial class IdentifyGate(TimeProvider time, IShardLeaseStore? shared = null, ILogger? logger = null)
{
    /// <summary>The window of one bucket: one IDENTIFY per 5 s.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private readonly Dictionary<int, DateTimeOffset> _freeAt = [];
    private readonly Lock _lock = new();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private int _maxConcurrency = 1;
    private int _sharedDown;

    /// <summary><c>session_start_limit.max_concurrency</c> from <c>GET gateway/bot</c> (at least 1; 1 until known).</summary>
    public int MaxConcurrency
    {
        get => Volatile.Read(ref _maxConcurrency);
        set => Volatile.Write(ref _maxConcurrency, Math.Max(1, value));
    }

    /// <summary>
    /// Takes the IDENTIFY slot of <paramref name="shardId"/>'s bucket if it is free now (returns zero), else returns
    /// how long until it is.
    /// </summary>
    public async Task<TimeSpan> TryTakeAsync(int shardId, CancellationToken cancellationToken)
    {
        var bucket = shardId % MaxConcurrency;
        if (shared is not null)
        {
            try
            {
                var wait = await shared.TryTakeIdentifySlotAsync(bucket, Window, cancellationToken);
                if (Interlocked.Exchange(ref _sharedDown, 0) == 1)
                {
                    LogSharedBack(_logger);
                }

                if (wait == TimeSpan.Zero)
                {
                    lock (_lock)
                    {
                        _freeAt[bucket] = time.GetUtcNow() + Window;
                    }
                }

                return wait;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (Interlocked.Exchange(ref _sharedDown, 1) == 0)
                {
                    LogSharedDown(_logger, exception);
                }
            }
        }

        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_freeAt.TryGetValue(bucket, out var freeAt) && freeAt > now)
            {
                return freeAt - now;
            }

            _freeAt[bucket] = now + Window;
            return TimeSpan.Zero;
        }
    }

    [LoggerMessage(EventId = 2706, Level = LogLevel.Warning, Message = "Discord identify pacing across instances is unavailable (database); pacing this instance's shards only")]
    private static partial void LogSharedDown(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2707, Level = LogLevel.Information, Message = "Discord identify pacing across instances answers again")]
    private static partial void LogSharedBack(ILogger logger);
}
