using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Core.Tests;

public sealed class DeduplicatorTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task SecondDelivery_IsADuplicate_ThatLearnsHowTheFirstEnded()
    {
        var dedupe = new Deduplicator(new FakeTimeProvider(), Lifetime, 100);
        dedupe.TryStart("e1", out _).ShouldBeTrue();
        dedupe.TryStart("e1", out var first).ShouldBeFalse();
        first.IsCompleted.ShouldBeFalse();

        await dedupe.CompleteAsync("e1", handled: true);

        (await first).ShouldBeTrue();
        dedupe.TryClaim("e1").ShouldBeFalse();
    }

    [Fact]
    public async Task FailedDelivery_IsForgotten_SoTheNextOneRuns()
    {
        var dedupe = new Deduplicator(new FakeTimeProvider(), Lifetime, 100);
        dedupe.TryStart("e1", out _).ShouldBeTrue();
        dedupe.TryStart("e1", out var waiting).ShouldBeFalse();

        await dedupe.CompleteAsync("e1", handled: false);

        (await waiting).ShouldBeFalse();
        dedupe.TryStart("e1", out _).ShouldBeTrue();
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
    public async Task A_duplicate_waiting_on_a_first_delivery_that_was_evicted_is_not_left_hanging()
    {
        var dedupe = new Deduplicator(new FakeTimeProvider(), Lifetime, 1);
        dedupe.TryStart("a", out _).ShouldBeTrue();
        dedupe.TryStart("a", out var waiting).ShouldBeFalse();

        dedupe.TryClaim("b").ShouldBeTrue();

        (await waiting.WaitAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();
    }
}
