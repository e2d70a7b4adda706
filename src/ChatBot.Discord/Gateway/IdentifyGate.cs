namespace ChatBot.Discord.Gateway;

/// <summary>
/// Paces IDENTIFYs of the shards this process runs: shards whose <c>id % max_concurrency</c> is equal share a
/// rate-limit bucket, and each bucket allows one IDENTIFY per 5 s (protocols.md A2: "sharded bots use
/// <c>rate_limit_key = shard_id % max_concurrency</c>"; more is answered with op 9). Deadlines come from the
/// injected clock. Thread-safe; one per process, shared by its shards' connections.
/// </summary>
public sealed class IdentifyGate(TimeProvider time)
{
    /// <summary>The window of one bucket: one IDENTIFY per 5 s.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private readonly Dictionary<int, DateTimeOffset> _freeAt = [];
    private readonly Lock _lock = new();
    private int _maxConcurrency = 1;

    /// <summary><c>session_start_limit.max_concurrency</c> from <c>GET gateway/bot</c> (at least 1; 1 until known).</summary>
    public int MaxConcurrency
    {
        get => Volatile.Read(ref _maxConcurrency);
        set => Volatile.Write(ref _maxConcurrency, Math.Max(1, value));
    }

    /// <summary>
    /// Takes the IDENTIFY slot of <paramref name="shardId"/>'s bucket if it is free now (true), else says how long
    /// until it is (<paramref name="wait"/>).
    /// </summary>
    public bool TryTake(int shardId, out TimeSpan wait)
    {
        var bucket = shardId % MaxConcurrency;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_freeAt.TryGetValue(bucket, out var freeAt) && freeAt > now)
            {
                wait = freeAt - now;
                return false;
            }

            _freeAt[bucket] = now + Window;
            wait = TimeSpan.Zero;
            return true;
        }
    }
}
