using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;

namespace ChatBot.Discord.Rest;

/// <summary>
/// Discord's per-route rate limits, learned from the <c>X-RateLimit-*</c> response headers. A bucket is the
/// <c>X-RateLimit-Bucket</c> hash plus the top-level resource (channel, guild, webhook); before a route's first
/// response it has its own provisional bucket with a limit of one request at a time. Requests in one bucket
/// run one after another, so a drained bucket makes the next request wait for its reset.
/// </summary>
internal sealed class RateLimitBuckets(TimeProvider time)
{
    private static readonly TimeSpan IdleBucketLifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, string> _hashByRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _globalLock = new();
    private DateTimeOffset _globalResetAt = DateTimeOffset.MinValue;
    private int _lookups;

    public int Count => _buckets.Count;

    public Bucket Get(string routeKey, string majorId)
    {
        if (Interlocked.Increment(ref _lookups) % 512 == 0)
        {
            Prune();
        }

        var id = _hashByRoute.TryGetValue(routeKey, out var hash) ? "h:" + hash : "r:" + routeKey;
        var bucket = _buckets.GetOrAdd(id + "|" + majorId, static _ => new Bucket());
        bucket.LastUsed = time.GetUtcNow();
        return bucket;
    }

    /// <summary>Reads the headers of a response in <paramref name="bucket"/> (called while holding its gate).</summary>
    public void Update(string routeKey, string majorId, Bucket bucket, HttpResponseHeaders headers)
    {
        var now = time.GetUtcNow();
        if (TryGet(headers, "X-RateLimit-Bucket", out var hash) && !string.IsNullOrEmpty(hash))
        {
            _hashByRoute[routeKey] = hash;
            _buckets.TryAdd("h:" + hash + "|" + majorId, bucket);
        }

        if (TryGet(headers, "X-RateLimit-Remaining", out var remainingText)
            && int.TryParse(remainingText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var remaining))
        {
            bucket.Remaining = remaining;
        }

        if (TryGet(headers, "X-RateLimit-Reset-After", out var resetAfterText)
            && double.TryParse(resetAfterText, NumberStyles.Float, CultureInfo.InvariantCulture, out var resetAfter))
        {
            bucket.ResetAt = now + TimeSpan.FromSeconds(resetAfter);
        }
    }

    public void SetGlobalReset(TimeSpan retryAfter)
    {
        lock (_globalLock)
        {
            var until = time.GetUtcNow() + retryAfter;
            if (until > _globalResetAt)
            {
                _globalResetAt = until;
            }
        }
    }

    /// <summary>How long a request must wait before it may be sent (zero when it may go now).</summary>
    public TimeSpan DelayFor(Bucket bucket, bool exemptFromGlobal)
    {
        var now = time.GetUtcNow();
        var wait = TimeSpan.Zero;
        if (bucket.Remaining is 0 && bucket.ResetAt > now)
        {
            wait = bucket.ResetAt - now;
        }

        if (!exemptFromGlobal)
        {
            lock (_globalLock)
            {
                if (_globalResetAt - now > wait)
                {
                    wait = _globalResetAt - now;
                }
            }
        }

        return wait;
    }

    /// <summary>Marks the bucket as reset after its wait, so the next request is not held again.</summary>
    public void ConsumeReset(Bucket bucket)
    {
        if (bucket.Remaining is 0 && bucket.ResetAt <= time.GetUtcNow())
        {
            bucket.Remaining = null;
        }
    }

    private void Prune()
    {
        var cutoff = time.GetUtcNow() - IdleBucketLifetime;
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.LastUsed < cutoff && bucket.Gate.CurrentCount == 1)
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private static bool TryGet(HttpResponseHeaders headers, string name, out string value)
    {
        value = string.Empty;
        if (headers.TryGetValues(name, out var values))
        {
            value = values.FirstOrDefault() ?? string.Empty;
            return true;
        }

        return false;
    }

    internal sealed class Bucket
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Requests left in the current window; null when unknown or just reset.</summary>
        public int? Remaining { get; set; }

        public DateTimeOffset ResetAt { get; set; }

        public DateTimeOffset LastUsed { get; set; }
    }
}
