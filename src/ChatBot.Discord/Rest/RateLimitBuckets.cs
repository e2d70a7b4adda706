using System.Globalization;
using System.Net.Http.Headers;

namespace ChatBot.Discord.Rest;

/// <summary>
/// Discord's per-route rate limits, learned from the <c>X-RateLimit-*</c> response headers (protocols.md A7). A
/// bucket is the <c>X-RateLimit-Bucket</c> hash plus the top-level resource (channel, guild, webhook and token);
/// before a route's first response it has its own provisional bucket with a limit of one request at a time.
/// Requests in one bucket run one after another, so a drained bucket makes the next request wait for its reset.
/// A bucket is held only while a request uses it or, once drained, until its reset: after that it knows nothing
/// a fresh bucket would not learn from the next response, so memory stays flat however many interaction tokens
/// (one webhook bucket each) pass through. Interaction callbacks get no shared bucket at all (see
/// <see cref="Unshared"/>).
/// </summary>
internal sealed class RateLimitBuckets(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _hashByRoute = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Bucket, DateTimeOffset> _drained = new();
    private DateTimeOffset _globalResetAt = DateTimeOffset.MinValue;

    /// <summary>Buckets held (each counted once per key it is known by).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>
    /// A bucket of its own for one request that shares no limit with others: an interaction callback (each
    /// interaction answers once; Discord exempts these from the global limit, and discord.js sends them through
    /// its "burst" handler unqueued). It still honours a 429 on its own retries.
    /// </summary>
    public static Bucket Unshared() => new(shared: false);

    /// <summary>Takes the bucket of <paramref name="routeKey"/> on <paramref name="majorId"/>; give it back with <see cref="Release"/>.</summary>
    public Bucket Acquire(string routeKey, string majorId)
    {
        lock (_lock)
        {
            EvictDrained();
            var key = (_hashByRoute.TryGetValue(routeKey, out var hash) ? "h:" + hash : "r:" + routeKey) + "|" + majorId;
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                bucket = new Bucket(shared: true);
                bucket.Keys.Add(key);
                _buckets.Add(key, bucket);
            }

            bucket.Users++;
            return bucket;
        }
    }

    /// <summary>Hands a bucket back after its request; it is forgotten unless others use it or it is drained.</summary>
    public void Release(Bucket bucket)
    {
        if (!bucket.Shared)
        {
            return;
        }

        lock (_lock)
        {
            if (--bucket.Users == 0)
            {
                ForgetOrKeepUntilReset(bucket, time.GetUtcNow());
            }
        }
    }

    /// <summary>Reads the headers of a response in <paramref name="bucket"/> (called while holding its gate).</summary>
    public void Update(string routeKey, string majorId, Bucket bucket, HttpResponseHeaders headers)
    {
        var now = time.GetUtcNow();
        if (bucket.Shared && TryGet(headers, "X-RateLimit-Bucket", out var hash) && !string.IsNullOrEmpty(hash))
        {
            lock (_lock)
            {
                _hashByRoute[routeKey] = hash;
                var key = "h:" + hash + "|" + majorId;
                if (_buckets.TryAdd(key, bucket))
                {
                    bucket.Keys.Add(key);
                }
            }
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
        lock (_lock)
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
            lock (_lock)
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

    /// <summary>Drops the unused buckets whose reset has passed; the queue is ordered by reset, so this is cheap.</summary>
    private void EvictDrained()
    {
        var now = time.GetUtcNow();
        while (_drained.TryPeek(out var bucket, out var resetAt) && resetAt <= now)
        {
            _drained.Dequeue();
            bucket.Queued = false;
            if (bucket.Users == 0)
            {
                ForgetOrKeepUntilReset(bucket, now);
            }
        }
    }

    private void ForgetOrKeepUntilReset(Bucket bucket, DateTimeOffset now)
    {
        if (bucket.Remaining is 0 && bucket.ResetAt > now)
        {
            if (!bucket.Queued)
            {
                bucket.Queued = true;
                _drained.Enqueue(bucket, bucket.ResetAt);
            }

            return;
        }

        foreach (var key in bucket.Keys)
        {
            // A hash key another bucket took first is not ours to drop.
            if (_buckets.TryGetValue(key, out var held) && ReferenceEquals(held, bucket))
            {
                _buckets.Remove(key);
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

    internal sealed class Bucket(bool shared)
    {
        /// <summary>Whether other requests share this bucket (and so wait on <see cref="Gate"/>).</summary>
        public bool Shared { get; } = shared;

        /// <summary>One request at a time; null for an unshared bucket.</summary>
        public SemaphoreSlim? Gate { get; } = shared ? new(1, 1) : null;

        /// <summary>Requests left in the current window; null when unknown or just reset.</summary>
        public int? Remaining { get; set; }

        public DateTimeOffset ResetAt { get; set; }

        /// <summary>The keys it is held under (route and, once learned, hash); guarded by the owner's lock.</summary>
        internal List<string> Keys { get; } = new(2);

        /// <summary>Requests holding or waiting for it; guarded by the owner's lock.</summary>
        internal int Users { get; set; }

        /// <summary>Whether it waits in the drained queue; guarded by the owner's lock.</summary>
        internal bool Queued { get; set; }
    }
}
