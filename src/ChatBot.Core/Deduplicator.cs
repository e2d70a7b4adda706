namespace ChatBot.Core;

/// <summary>
/// The one inbound de-duplicator: remembers keys (Slack <c>envelope_id</c>s, Discord interaction ids, request
/// signatures) for <c>lifetime</c>, so a delivery seen twice is handled once. Memory is bounded: at most
/// <c>capacity</c> keys are kept; past that the oldest are forgotten first. Every call is O(1) amortised
/// (a dictionary plus a first-in first-out queue, which is also expiry order because every key lives
/// equally long). Expiry follows the given <see cref="TimeProvider"/>. Thread-safe.
/// </summary>
/// <remarks>
/// A first delivery can report how it ended (<see cref="Complete"/>): a duplicate that arrives meanwhile can
/// wait for it, and a failed first delivery is forgotten so the next delivery of the same key runs.
/// </remarks>
public sealed class Deduplicator
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;
    private readonly Dictionary<string, Entry> _seen = new(StringComparer.Ordinal);
    private readonly Queue<Entry> _order = new();
    private readonly Lock _lock = new();

    /// <param name="time">The clock expiry is measured on.</param>
    /// <param name="lifetime">How long a key is remembered after it was first seen (must be positive).</param>
    /// <param name="capacity">The most keys kept at once (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive lifetime or capacity.</exception>
    public Deduplicator(TimeProvider time, TimeSpan lifetime, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _lifetime = lifetime;
        _capacity = capacity;
    }

    /// <summary>How many keys are remembered now (expired ones included until the next call sweeps them).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>True the first time <paramref name="key"/> is seen within the lifetime.</summary>
    public bool TryClaim(string key) => TryStart(key, out _);

    /// <summary>
    /// True when <paramref name="key"/> is new (or its memory expired). Otherwise <paramref name="firstDelivery"/>
    /// completes with true once the first delivery was handled, or false if it failed (see <see cref="Complete"/>);
    /// for a key claimed with <see cref="TryClaim"/> and never completed it stays pending.
    /// </summary>
    public bool TryStart(string key, out Task<bool> firstDelivery)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            Sweep(now);
            if (_seen.TryGetValue(key, out var existing))
            {
                firstDelivery = existing.Outcome.Task;
                return false;
            }

            var entry = new Entry(key, now + _lifetime);
            _seen[key] = entry;
            _order.Enqueue(entry);
            while (_order.Count > _capacity)
            {
                Forget(_order.Dequeue());
            }

            firstDelivery = Task.FromResult(true);
            return true;
        }
    }

    /// <summary>
    /// Records how the first delivery of <paramref name="key"/> ended. Not handled: the key is forgotten, so
    /// the next delivery runs. Unknown keys are ignored.
    /// </summary>
    public void Complete(string key, bool handled)
    {
        Entry? entry;
        lock (_lock)
        {
            if (!_seen.TryGetValue(key, out entry))
            {
                return;
            }

            if (!handled)
            {
                _seen.Remove(key);
            }
        }

        entry.Outcome.TrySetResult(handled);
    }

    private void Sweep(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && oldest.Expires <= now)
        {
            Forget(_order.Dequeue());
        }
    }

    private void Forget(Entry entry)
    {
        // The queue may hold an entry already forgotten (failed, then seen again): remove only the live one.
        if (_seen.TryGetValue(entry.Key, out var live) && ReferenceEquals(live, entry))
        {
            _seen.Remove(entry.Key);

            // A duplicate still waiting on a first delivery this old treats it as handled (at most once).
            entry.Outcome.TrySetResult(true);
        }
    }

    private sealed class Entry(string key, DateTimeOffset expires)
    {
        public string Key { get; } = key;

        public DateTimeOffset Expires { get; } = expires;

        public TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
