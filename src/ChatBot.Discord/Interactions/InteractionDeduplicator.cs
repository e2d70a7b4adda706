using System.Collections.Concurrent;

namespace ChatBot.Discord.Interactions;

/// <summary>
/// Remembers interaction ids for longer than an interaction can live (15 minutes), so an interaction delivered
/// twice (gateway resume replay, HTTP retry) is handled once.
/// </summary>
internal sealed class InteractionDeduplicator(TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(20);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private int _inserts;

    /// <summary>True the first time an id is seen.</summary>
    public bool TryClaim(string interactionId)
    {
        var now = time.GetUtcNow();
        if (!_seen.TryAdd(interactionId, now))
        {
            return false;
        }

        if (Interlocked.Increment(ref _inserts) % 1024 == 0)
        {
            foreach (var (id, at) in _seen)
            {
                if (now - at > Lifetime)
                {
                    _seen.TryRemove(id, out _);
                }
            }
        }

        return true;
    }
}
