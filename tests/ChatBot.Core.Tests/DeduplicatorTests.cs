using System.Runtime.CompilerServices;
using ChatBot.Core.Ports;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Core.Tests;

public sealed class DeduplicatorTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task SecondDelivery_IsADuplicate_ThatLearnsHowTheFirstEnded()
    {
        var dedupe = new Deduplicator(new FakeTimeProvider(), Lifetime, 100);
        var delivery = dedupe.TryStart("e1", out _).ShouldNotBeNull();
        dedupe.TryStart("e1", out var first).ShouldBeNull();
        first.IsCompleted.ShouldBeFalse();

        await dedupe.CompleteAsync(delivery, handled: true);

        (await first).ShouldBeTrue();
        dedupe.TryClaim("e1").ShouldBeFalse();
    }

    [Fact]
    public async Task FailedDelivery_IsForgotten_SoTheNextOneRuns()
    {
        var dedupe = new Deduplicator(new FakeTimeProvider(), Lifetime, 100);
        var delivery = dedupe.TryStart("e1", out _).ShouldNotBeNull();
        dedupe.TryStart("e1", out var waiting).ShouldBeNull();

        await dedupe.CompleteAsync(delivery, handled: false);

        (await waiting).ShouldBeFalse();
        dedupe.TryStart("e1", out _).ShouldNotBeNull();
        dedupe.TryClaim("e1").ShouldBeFalse();
    }

    [Fact]
    public void A_key_is_remembered_for_its_lifetime_and_then_runs_again()
    {
        var time = new FakeTimeProvider();
        var dedupe = new Deduplicator(time, Lifetime, 100);
        dedupe.TryClaim("sig").ShouldBeTrue();

        time.Advance(Lifetime - TimeSpan.FromSeconds(1));
        dedupe.TryClaim("sig").ShouldBeFalse();

        time.Advance(TimeSpan.FromSeconds(1));
        dedupe.TryClaim("sig").ShouldBeTrue();
    }

    [Fact]
    public void Expired_keys_are_dropped_as_time_passes()
    {
        var time = new FakeTimeProvider();
        var dedupe = new Deduplicator(time, Lifetime, 1_000);
        for (var i = 0; i < 500; i++)
        {
            dedupe.TryClaim("old" + i);
        }

        time.Advance(Lifetime);
        dedupe.TryClaim("new").ShouldBeTrue();

        dedupe.Count.ShouldBe(1);
    }

    [Fact]
    public void Memory_stays_bounded_under_a_flood_and_the_oldest_go_first()
    {
        var dedupe = new Deduplicator(new FakeTimeProvider(), Lifetime, 100);
        for (var i = 0; i < 500; i++)
        {
            dedupe.TryClaim("e" + i).ShouldBeTrue();
        }

        dedupe.Count.ShouldBe(100);
        dedupe.TryClaim("e499").ShouldBeFalse();
        dedupe.TryClaim("e0").ShouldBeTrue();
    }

    [Fact]
    public async Task ADeliveryThatOutlivesAClockJump_EndsOnlyItself_NotTheRedeliveryRunningSinceTheJump()
    {
        var time = new FakeTimeProvider();
        var shared = new RecordingClaimStore();
        var dedupe = new Deduplicator(time, Lifetime, 100, shared);
        var first = dedupe.TryStart("e1", out _).ShouldNotBeNull();
        (await dedupe.ClaimSharedAsync(first)).ShouldBe(InboundClaim.Claimed);

        time.Advance(Lifetime); // the laptop slept while the first delivery ran
        var second = dedupe.TryStart("e1", out _).ShouldNotBeNull(); // Slack's redelivery of the unacknowledged key
        (await dedupe.ClaimSharedAsync(second)).ShouldBe(InboundClaim.Claimed);
        await dedupe.CompleteAsync(first, handled: false);

        // The second still runs: a third delivery waits for it instead of running too, and its claim stands.
        dedupe.TryStart("e1", out var third).ShouldBeNull();
        third.IsCompleted.ShouldBeFalse();
        shared.Completions.ShouldBeEmpty();

        await dedupe.CompleteAsync(second, handled: true);
        (await third).ShouldBeTrue();
        shared.Completions.ShouldBe([("e1", true)]);
    }

    [Fact]
    public async Task A_duplicate_waiting_on_a_first_delivery_that_was_evicted_is_not_left_hanging()
    {
        var dedupe = new Deduplicator(new FakeTimeProvider(), Lifetime, 1);
        dedupe.TryStart("a", out _).ShouldNotBeNull();
        dedupe.TryStart("a", out var waiting).ShouldBeNull();

        dedupe.TryClaim("b").ShouldBeTrue();

        (await waiting.WaitAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_key_claimed_without_a_delivery_reads_as_handled()
    {
        var dedupe = new Deduplicator(new FakeTimeProvider(), Lifetime, 100);
        dedupe.TryClaim("sig").ShouldBeTrue();

        dedupe.TryStart("sig", out var first).ShouldBeNull();

        first.IsCompletedSuccessfully.ShouldBeTrue();
        (await first).ShouldBeTrue();
    }

    [Fact]
    public async Task A_handled_delivery_is_remembered_without_being_kept()
    {
        // Remembered keys must not keep their deliveries (or any object of their own) alive: under a flood they
        // reached the oldest generation and died there, and its full collections stopped the bot for 15-18 ms.
        var dedupe = new Deduplicator(new FakeTimeProvider(), Lifetime, 100);
        var delivery = await StartAndHandleAsync(dedupe, "e1");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        delivery.IsAlive.ShouldBeFalse();
        dedupe.TryStart("e1", out var first).ShouldBeNull();
        first.IsCompletedSuccessfully.ShouldBeTrue();
        (await first).ShouldBeTrue();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> StartAndHandleAsync(Deduplicator dedupe, string key)
    {
        var delivery = dedupe.TryStart(key, out _).ShouldNotBeNull();
        await dedupe.CompleteAsync(delivery, handled: true);
        return new WeakReference(delivery);
    }

    /// <summary>A shared tier that grants every claim and records the outcomes it is told.</summary>
    private sealed class RecordingClaimStore : IInboundClaimStore
    {
        public List<(string Key, bool Handled)> Completions { get; } = [];

        public Task<InboundClaim> TryClaimAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken) =>
            Task.FromResult(InboundClaim.Claimed);

        public Task CompleteAsync(string key, bool handled, CancellationToken cancellationToken)
        {
            Completions.Add((key, handled));
            return Task.CompletedTask;
        }
    }
}
