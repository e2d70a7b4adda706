using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace ChatBot.Slack.Tests;

public sealed class EnvelopeDeduplicatorTests
{
    [Fact]
    public async Task SecondDelivery_IsADuplicate_ThatLearnsHowTheFirstEnded()
    {
        var dedupe = new EnvelopeDeduplicator(new FakeTimeProvider(), TimeSpan.FromMinutes(15), 100);
        dedupe.TryStart("e1", out _).ShouldBeTrue();
        dedupe.TryStart("e1", out var first).ShouldBeFalse();
        first.IsCompleted.ShouldBeFalse();

        dedupe.Complete("e1", handled: true);

        (await first).ShouldBeTrue();
    }

    [Fact]
    public void FailedDelivery_IsForgotten_SoTheNextOneRuns()
    {
        var dedupe = new EnvelopeDeduplicator(new FakeTimeProvider(), TimeSpan.FromMinutes(15), 100);
        dedupe.TryStart("e1", out _).ShouldBeTrue();
        dedupe.Complete("e1", handled: false);
        dedupe.TryStart("e1", out _).ShouldBeTrue();
    }

    [Fact]
    public void Entries_ExpireAndStayBounded()
    {
        var time = new FakeTimeProvider();
        var dedupe = new EnvelopeDeduplicator(time, TimeSpan.FromMinutes(15), 100);
        dedupe.TryStart("old", out _).ShouldBeTrue();
        time.Advance(TimeSpan.FromMinutes(16));
        dedupe.TryStart("old", out _).ShouldBeTrue();

        for (var i = 0; i < 500; i++)
        {
            dedupe.TryStart("e" + i, out _);
        }

        dedupe.Count.ShouldBeLessThanOrEqualTo(101);
    }
}
