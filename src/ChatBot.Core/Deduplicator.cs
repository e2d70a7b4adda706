using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
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
/// A first delivery (the <see cref="Delivery"/> <see cref="TryStart"/> returns) reports how it ended
/// (<see cref="CompleteAsync"/>): a duplicate that arrives meanwhile can wait for it, and a failed first delivery is
/// forgotten so the next delivery of the same key runs. A delivery that outlives its lifetime (a long handler, or the
/// clock jumping ahead: a laptop waking from sleep, a long pause) only ends itself: a later delivery of the same key,
/// started once the first was forgotten, keeps its own memory and its own shared claim.
/// <para>
/// With a shared tier (<see cref="IInboundClaimStore"/>, the database every instance uses) this memory is the fast
/// front: a key new here is then claimed in the shared store (<see cref="ClaimSharedAsync"/>), so a delivery that
/// reaches another instance too runs once in all. A local repeat never reaches the store. If the store fails or
/// takes longer than <see cref="SharedClaimBudget"/>, the delivery is handled on the local answer (logged once
/// until the store answers again): a command is never dropped because the database is away.
/// </para>
/// <para>
/// A key is remembered as its 128-bit XxHash128 under a seed drawn for each instance, in value-typed tables: once
/// a delivery has ended, its memory holds no object of its own. Under a flood (10,000 envelopes in under a second in
/// the peers bench) remembered strings and per-key objects lived just long enough to reach the oldest generation
/// and die there: a full collection that stopped the bot for 15–18 ms about every half second. Two distinct
/// keys share a hash with a probability of about n²/2¹²⁹ (10⁻³⁰ for 10,000 keys); the seed keeps that so for keys
/// chosen by anyone who does not know it.
/// </para>
/// </remarks>
public sealed partial class Deduplicator
{
    /// <summary>
    /// The longest a shared claim or completion may take (1 s) before the local answer is used alone; well inside
    /// Slack's 3 s acknowledgement window (protocols.md B2).
    /// </summary>
    public static readonly TimeSpan SharedClaimBudget = TimeSpan.FromSeconds(1);

    private static readonly Task<bool> Handled = Task.FromResult(true);

    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;
    private readonly Dictionary<UInt128, Memory> _seen = [];
    private readonly Queue<Remembered> _order = new();
    private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));
    private long _sequence;
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
    public bool TryClaim(string key) => Remember(key, track: false, out _, out _);

    /// <summary>
    /// The new delivery when <paramref name="key"/> is new (or its memory expired), to pass to
    /// <see cref="ClaimSharedAsync"/> and <see cref="CompleteAsync"/>. Otherwise null, and
    /// <paramref name="firstDelivery"/> completes with true once the first delivery was handled, or false if it failed;
    /// for a key claimed with <see cref="TryClaim"/> it completes with true.
    /// </summary>
    public Delivery? TryStart(string key, out Task<bool> firstDelivery) =>
        Remember(key, track: true, out var delivery, out firstDelivery) ? delivery : null;

    /// <summary>
    /// True when <paramref name="key"/> is new (or its memory expired), and it is remembered from now; with
    /// <paramref name="track"/>, as a <paramref name="delivery"/> that runs until <see cref="CompleteAsync"/>, else as
    /// handled.
    /// </summary>
    private bool Remember(string key, bool track, out Delivery? delivery, out Task<bool> firstDelivery)
    {
        var hash = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(key.AsSpan()), _seed);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            Sweep(now);
            if (_seen.TryGetValue(hash, out var existing))
            {
                delivery = null;
                firstDelivery = existing.Running?.Outcome.Task ?? Handled;
                return false;
            }

            var sequence = ++_sequence;
            var expires = now + _lifetime;
            delivery = track ? new Delivery(key, hash, expires) : null;
            _seen[hash] = new Memory(sequence, delivery);
            _order.Enqueue(new Remembered(hash, sequence, expires));
            while (_order.Count > _capacity)
            {
                Forget(_order.Dequeue());
            }

            firstDelivery = Handled;
            return true;
        }
    }

    /// <summary>
    /// For a <paramref name="delivery"/> <see cref="TryStart"/> returned: claims its key in the shared tier, so other
    /// instances learn of it. <see cref="InboundClaim.Claimed"/> without a shared tier, or when the store fails or
    /// exceeds <see cref="SharedClaimBudget"/> (the delivery then runs on the local answer).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="delivery"/> is null.</exception>
    public async Task<InboundClaim> ClaimSharedAsync(Delivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (_shared is null)
        {
            return InboundClaim.Claimed;
        }

        InboundClaim claim;
        try
        {
            using var budget = new CancellationTokenSource(SharedClaimBudget, _time);
            claim = await _shared.TryClaimAsync(delivery.Key, _lifetime, budget.Token).WaitAsync(SharedClaimBudget, _time, budget.Token);
        }
#pragma warning disable CA1031 // whatever the store's failure, the delivery is still handled here
        catch (Exception exception)
#pragma warning restore CA1031
        {
            SharedFailed(exception);
            return InboundClaim.Claimed;
        }

        SharedAnswered();
        delivery.SharedHeld = claim == InboundClaim.Claimed;
        return claim;
    }

    /// <summary>
    /// Records how <paramref name="delivery"/> (from <see cref="TryStart"/>) ended, here and (if it holds its key's
    /// shared claim) in the shared tier. Not handled: its key is forgotten, so the next delivery runs. A delivery past
    /// its lifetime records nothing shared (its claim has expired and may be another delivery's by now), and never
    /// touches a later delivery of the same key. A failing shared tier is logged, never thrown.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="delivery"/> is null.</exception>
    public async Task CompleteAsync(Delivery delivery, bool handled)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        lock (_lock)
        {
            if (_seen.TryGetValue(delivery.Hash, out var live) && ReferenceEquals(live.Running, delivery))
            {
                if (handled)
                {
                    _seen[delivery.Hash] = live with { Running = null };
                }
                else
                {
                    _seen.Remove(delivery.Hash);
                }
            }
        }

        delivery.Outcome.TrySetResult(handled);
        if (_shared is null || !delivery.SharedHeld)
        {
            return;
        }

        if (_time.GetUtcNow() >= delivery.Expires)
        {
            LogOutlived(_logger, delivery.Key);
            return;
        }

        try
        {
            using var budget = new CancellationTokenSource(SharedClaimBudget, _time);
            await _shared.CompleteAsync(delivery.Key, handled, budget.Token);
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

    private void Forget(Remembered oldest)
    {
        // The queue may hold a key already forgotten (failed, then seen again): remove only the memory it made.
        if (_seen.TryGetValue(oldest.Hash, out var live) && live.Sequence == oldest.Sequence)
        {
            _seen.Remove(oldest.Hash);

            // A duplicate still waiting on a first delivery this old treats it as handled (at most once).
            live.Running?.Outcome.TrySetResult(true);
        }
    }

    /// <summary>A remembered key: the delivery that made it (from its sequence number), and that delivery while it runs.</summary>
    private readonly record struct Memory(long Sequence, Delivery? Running);

    /// <summary>A remembered key in expiry order.</summary>
    private readonly record struct Remembered(UInt128 Hash, long Sequence, DateTimeOffset Expires);

    /// <summary>One first delivery of a key, from <see cref="TryStart"/> until <see cref="CompleteAsync"/>.</summary>
    public sealed class Delivery
    {
        internal Delivery(string key, UInt128 hash, DateTimeOffset expires)
        {
            Key = key;
            Hash = hash;
            Expires = expires;
        }

        /// <summary>The delivery key (a Slack <c>envelope_id</c>, a Discord interaction id, a request signature).</summary>
        public string Key { get; }

        /// <summary>When this delivery's memory (and its shared claim) expires, UTC: first seen plus the lifetime.</summary>
        public DateTimeOffset Expires { get; }

        internal UInt128 Hash { get; }

        internal TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>This instance holds the key's claim in the shared tier for this delivery, so its outcome is recorded there.</summary>
        internal volatile bool SharedHeld;
    }

    [LoggerMessage(EventId = 3470, Level = LogLevel.Warning, Message = "Shared inbound de-duplication is unavailable; deliveries are de-duplicated in this instance only until the database answers again")]
    private static partial void LogSharedDown(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3471, Level = LogLevel.Information, Message = "Shared inbound de-duplication answers again")]
    private static partial void LogSharedBack(ILogger logger);

    [LoggerMessage(EventId = 3473, Level = LogLevel.Warning, Message = "Delivery {Key} ended after its claim expired (a long handler or a clock jump); its outcome is not recorded for other instances")]
    private static partial void LogOutlived(ILogger logger, string key);
}
