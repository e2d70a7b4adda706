namespace ChatBot.Core.Tests;

/// <summary>What shutdown sees of an adapter's work in flight: a drain waits for replies still being sent, then gives up.</summary>
public sealed class InFlightWorkTests
{
    [Fact]
    public async Task A_drain_waits_for_work_still_running_then_reports_none_left()
    {
        var work = new InFlightWork();
        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Start(_ => reply.Task);
        work.Track(Task.CompletedTask);

        var drain = work.DrainAsync(TestContext.Current.CancellationToken);
        drain.IsCompleted.ShouldBeFalse();
        work.Count.ShouldBe(1);

        reply.SetResult();
        (await drain).ShouldBe(0);
        work.Count.ShouldBe(0);
        work.Token.IsCancellationRequested.ShouldBeFalse();
    }

    [Fact]
    public async Task A_drain_that_gives_up_counts_the_work_cut_off_and_cancels_its_token()
    {
        var work = new InFlightWork();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cutOff = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Start(async token =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }
            catch (OperationCanceledException)
            {
                cutOff.SetResult();
                throw;
            }
        });
        await started.Task;

        using var shutdownTimeout = new CancellationTokenSource();
        var drain = work.DrainAsync(shutdownTimeout.Token);
        await shutdownTimeout.CancelAsync();

        (await drain).ShouldBe(1);
        work.Token.IsCancellationRequested.ShouldBeTrue();
        await cutOff.Task; // the work saw the token and ended
    }

    [Fact]
    public async Task Failed_work_is_counted_as_ended_and_the_drain_does_not_throw()
    {
        var work = new InFlightWork();
        var fail = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Start(_ => fail.Task);
        work.Track(Task.FromException(new InvalidOperationException("already logged by its owner")));
        var drain = work.DrainAsync(TestContext.Current.CancellationToken);

        fail.SetException(new InvalidOperationException("logged by its owner"));

        (await drain).ShouldBe(0);
        work.Count.ShouldBe(0);
    }

    [Fact]
    public async Task A_second_drain_after_the_first_waits_for_work_started_since()
    {
        var work = new InFlightWork();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Start(_ => first.Task);
        var firstDrain = work.DrainAsync(TestContext.Current.CancellationToken);
        first.SetResult();
        (await firstDrain).ShouldBe(0);

        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Start(_ => second.Task);
        var secondDrain = work.DrainAsync(TestContext.Current.CancellationToken);
        secondDrain.IsCompleted.ShouldBeFalse();

        second.SetResult();
        (await secondDrain).ShouldBe(0);
    }

    [Fact]
    public async Task A_drain_with_nothing_running_returns_at_once()
    {
        (await new InFlightWork().DrainAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
    }
}
