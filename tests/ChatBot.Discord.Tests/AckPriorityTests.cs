using ChatBot.Discord.Interactions;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

public sealed class AckPriorityTests
{
    [Fact]
    public async Task Deferred_work_waits_for_acknowledgements_in_flight()
    {
        var priority = new AckPriority();
        priority.YieldToAcksAsync(TestContext.Current.CancellationToken).IsCompleted.ShouldBeTrue();

        priority.AckStarted();
        priority.AckStarted();
        var waiting = priority.YieldToAcksAsync(TestContext.Current.CancellationToken);
        priority.AckFinished();
        waiting.IsCompleted.ShouldBeFalse();
        priority.AckFinished();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Deferred_work_never_waits_longer_than_the_cap()
    {
        var priority = new AckPriority();
        priority.AckStarted(); // never finishes
        await priority.YieldToAcksAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}
