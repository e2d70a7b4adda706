using ChatBot.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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
/// <para>
/// With a shared tier (<see cref="IInboundClaimStore"/>, the database every instance uses) this memory is the fast
/// front: a key new here is then claimed in the shared store (<see cref="ClaimSharedAsync"/>), so a delivery that
/// reaches another instance too runs once in all. A local repeat never reaches the store. If the store fails or
/// takes longer than <see cref="SharedClaimBudget"/>, the delivery is handled on the local answer (logged once
/// until the store answers again): a command is never dropped because the database is away.
/// </para>
/// </remarks>
public sealed partial class Deduplicator
{
    /// <summary>
    /// The longest a shared claim or completion may take (1 s) before the local answer is used alone; well inside
    /// Slack's 3 s acknowledgement window (protocols.md B2).
    /// </summary>
    public static readonly TimeSpan SharedClaimBudget = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;
    private readonly Dictionary<string, Entry> _seen = new(StringComparer.Ordinal);
    private readonly Queue<Entry> _order = new();
    private readonly Lock _lock = new();
    private readonly IInboundClaimStore? _shared;
    private readonly ILogger _logger;
    private int _sharedDown;

    /// <param name="time">The clock expiry is measured on.</param>
    /// <param name="lifetime">How long a key is remembered after it was first seen (must be positive); also the shared claims' lifetime.</param>
    /// <param name="capacity">The most keys kept at once (at least 1).</param>
    /// <param name="shared">The shared tier, or null to de-duplicate in this process only.</param>
    /// <param name="logger">Where the shared tier's outages are reported (once per outage).</param>
    /// <exception cref="ArgumentOutOfRangeException">A non-positive lifetime or capacity.</exception>
    public Deduplicator(TimeProvider time, TimeSpan lifetime, int capacity, IInboundClaimStore? shared = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _lifetime = lifetime;
        _capacity = capacity;
        _shared = shared;
        _logger = logger ?? NullLogger.Instance;
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
    /// After <see cref="TryStart"/> returned true for <paramref name="key"/>: claims it in the shared tier, so other
    /// instances learn of it. <see cref="InboundClaim.Claimed"/> without a shared tier, or when the store fails or
    /// exceeds <see cref="SharedClaimBudget"/> (the delivery then runs on the local answer).
    /// </summary>
    public async Task<InboundClaim> ClaimSharedAsync(string key)
    {
        if (_shared is null)
        {
            return InboundClaim.Claimed;
        }

        InboundClaim claim;
        try
        {
            using var budget = new CancellationTokenSource(SharedClaimBudget, _time);
            claim = await _shared.TryClaimAsync(key, _lifetime, budget.Token).WaitAsync(SharedClaimBudget, _time, budget.Token);
        }
#pragma warning disable CA1031 // whatever the store's failure, the delivery is still handled here
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SharedFailed(exception);
            return InboundClaim.Claimed;
        }

        SharedAnswered();
        if (claim == InboundClaim.Claimed)
        {
            lock (_lock)
            {
                if (_seen.TryGetValue(key, out var entry))
                {
                    entry.SharedHeld = true;
                }
            }
        }

        return claim;
    }

    /// <summary>
    /// Records how the first delivery of <paramref name="key"/> ended, here and (if this instance holds its shared
    /// claim) in the shared tier. Not handled: the key is forgotten, so the next delivery runs. Unknown keys are
    /// ignored. A failing shared tier is logged, never thrown.
    /// </summary>
    public async Task CompleteAsync(string key, bool handled)
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
        if (_shared is null || !entry.SharedHeld)
        {
            return;
        }

        try
        {
            using var budget = new CancellationTokenSource(SharedClaimBudget, _time);
            await _shared.CompleteAsync(key, handled, budget.Token);
            SharedAnswered();
        }
#pragma warning disable CA1031 // the delivery is done; an unrecorded outcome only shortens what other instances know
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SharedFailed(exception);
        }
    }

    private void SharedFailed(Exception exception)
    {
        if (Interlocked.Exchange(ref _sharedDown, 1) == 0)
        {
            LogSharedDown(_logger, exception);
        }
    }

    private void SharedAnswered()
    {
        if (Interlocked.Exchange(ref _sharedDown, 0) == 1)
        {
            LogSharedBack(_logger);
        }
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

        /// <summary>This instance holds the key's claim in the shared tier, so its outcome is recorded there.</summary>
        public volatile bool SharedHeld;
    }

    [LoggerMessage(EventId = 3470, Level = LogLevel.Warning, Message = "Shared inbound de-duplication is unavailable; deliveries are de-duplicated in this instance only until the database answers again")]
    private static partial void LogSharedDown(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3471, Level = LogLevel.Information, Message = "Shared inbound de-duplication answers again")]
    private static partial void LogSharedBack(ILogger logger);
}
