using System.Runtime.ExceptionServices;
using ChatBot.Discord.Interactions;
using Microsoft.Extensions.Time.Testing;
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

        var first = priority.AckStarted();
        var second = priority.AckStarted();
        var waiting = priority.YieldToAcksAsync(TestContext.Current.CancellationToken);
        priority.AckFinished(second);
        waiting.IsCompleted.ShouldBeFalse();
        priority.AckFinished(first);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Acknowledgements_that_start_after_the_wait_began_do_not_hold_it_up()
    {
        var priority = new AckPriority(new FakeTimeProvider()); // the cap never comes: only the acks can end the wait
        var before = priority.AckStarted();
        var waiting = priority.YieldToAcksAsync(TestContext.Current.CancellationToken);
        var after = priority.AckStarted(); // a steady burst: some ack is always in flight

        priority.AckFinished(before);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var later = priority.YieldToAcksAsync(TestContext.Current.CancellationToken);
        later.IsCompleted.ShouldBeFalse(); // a wait that begins now waits for that one
        priority.AckFinished(after);
        await later.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Under_a_burst_deferred_work_waits_for_the_cap_and_then_goes_ahead_without_a_timeout_exception()
    {
        var clock = new FakeTimeProvider();
        var priority = new AckPriority(clock);
        var timeouts = 0;
        void Count(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is TimeoutException)
            {
                Interlocked.Increment(ref timeouts);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            priority.AckStarted(); // acks keep coming: never idle
            var waiting = Enumerable.Range(0, 100).Select(_ => priority.YieldToAcksAsync(TestContext.Current.CancellationToken)).ToList();
            clock.Advance(AckPriority.MaxYield - TimeSpan.FromMilliseconds(1));
            waiting.ShouldAllBe(w => !w.IsCompleted); // the acks still go first

            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            waiting.ShouldAllBe(w => w.IsCompletedSuccessfully);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        timeouts.ShouldBe(0);
    }

    [Fact]
    public async Task Waiting_work_is_cancelled_at_shutdown()
    {
        var priority = new AckPriority(new FakeTimeProvider());
        priority.AckStarted();
        using var stop = new CancellationTokenSource();
        var waiting = priority.YieldToAcksAsync(stop.Token);
        await stop.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }
}
