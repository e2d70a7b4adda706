using System.Collections.Concurrent;

namespace ChatBot.Slack;

/// <summary>
/// Remembers Socket Mode <c>envelope_id</c>s for a while (bounded in count and time), because Slack delivers
/// at least once: a redelivered envelope must not run twice. A delivery that failed before its ack is
/// forgotten, so Slack's next delivery of it is processed.
/// </summary>
internal sealed class EnvelopeDeduplicator(TimeProvider time, TimeSpan lifetime, int capacity)
{
    private readonly ConcurrentDictionary<string, Entry> seen = new(StringComparer.Ordinal);
    private readonly Lock sweepLock = new();

    /// <summary>
    /// True when <paramref name="envelopeId"/> is new. Otherwise <paramref name="firstDelivery"/> completes with true
    /// once the first delivery was handled (acknowledge the duplicate too), or false if it failed.
    /// </summary>
    public bool TryStart(string envelopeId, out Task<bool> firstDelivery)
    {
        var now = time.GetUtcNow();
        var fresh = new Entry(now + lifetime);
        var entry = seen.GetOrAdd(envelopeId, fresh);
        if (ReferenceEquals(entry, fresh))
        {
            firstDelivery = Task.FromResult(true);
            if (seen.Count > capacity)
            {
                Sweep(now);
            }

            return true;
        }

        if (entry.Expires <= now)
        {
            // Remembered too long ago to matter: treat as new.
            seen[envelopeId] = fresh;
            firstDelivery = Task.FromResult(true);
            return true;
        }

        firstDelivery = entry.Outcome.Task;
        return false;
    }

    /// <summary>Marks the first delivery handled (<paramref name="handled"/>) or failed (then it is forgotten).</summary>
    public void Complete(string envelopeId, bool handled)
    {
        if (seen.TryGetValue(envelopeId, out var entry))
        {
            if (!handled)
            {
                seen.TryRemove(new KeyValuePair<string, Entry>(envelopeId, entry));
            }

            entry.Outcome.TrySetResult(handled);
        }
    }

    public int Count => seen.Count;

    private void Sweep(DateTimeOffset now)
    {
        lock (sweepLock)
        {
            foreach (var (id, entry) in seen)
            {
                if (entry.Expires <= now)
                {
                    seen.TryRemove(id, out _);
                }
            }

            // Still over: drop the oldest so memory stays bounded under a flood.
            var excess = seen.Count - capacity;
            if (excess > 0)
            {
                foreach (var (id, _) in seen.OrderBy(e => e.Value.Expires).Take(excess).ToList())
                {
                    seen.TryRemove(id, out _);
                }
            }
        }
    }

    private sealed class Entry(DateTimeOffset expires)
    {
        public DateTimeOffset Expires { get; } = expires;

        public TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
