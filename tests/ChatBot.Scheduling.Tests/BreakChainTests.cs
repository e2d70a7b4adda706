using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Drills;
using ChatBot.Core.Ports;
using ChatBot.Scheduling.Tests.Fakes;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>Breaks as chains of Hangfire step jobs, against the real SQLite files: once each, in the thread, across restarts.</summary>
public abstract class BreakChainTests(BotEngine engine)
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Console, "console", "general");

    [Fact]
    public async Task StepJob_RunTwice_PostsOnce()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        using var host = TestBot.Build(files, platform); // not started: we run the jobs by hand
        var breakId = await CreateBreakAsync(host, "rotation");

        await RunStepAsync(host, breakId, 0);
        await RunStepAsync(host, breakId, 0);

        platform.Posts.Select(p => p.Options.IdempotencyKey).ShouldBe([$"b{breakId}s0"]);
        host.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledCount().ShouldBe(1); // one next step, not two
    }

    [Fact]
    public async Task JobChain_ReplayedAgainstTheSameDatabase_PostsEveryStepOnce_InThePromptsThread()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        var steps = StepCount("extension");
        long breakId;
        using (var first = TestBot.Build(files, platform))
        {
            breakId = await CreateBreakAsync(first, "extension");
            for (var step = 0; step < steps / 2; step++)
            {
                await RunStepAsync(first, breakId, step);
            }
        }

        // A crash replays everything that was in flight, and the chain goes on in a new process.
        using (var second = TestBot.Build(files, platform))
        {
            for (var step = 0; step < steps; step++)
            {
                await RunStepAsync(second, breakId, step);
                await RunStepAsync(second, breakId, step);
            }
        }

        AssertWholeThreadOnce(platform.Posts, breakId, steps);
    }

    [Fact]
    public async Task StepHeldByALiveClaim_Throws_SoHangfireRetries_ThenPostsAfterTheLease()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        var clock = NewClock();
        using var host = TestBot.Build(files, platform, clock: clock);
        var breakId = await CreateBreakAsync(host, "rotation");
        await RunStepAsync(host, breakId, 0);
        var store = host.Services.GetRequiredService<IBreakStore>();
        (await store.ClaimPostAsync(breakId, 1, host.Services.GetRequiredService<BotInstance>().Id, clock.GetUtcNow(), BreakPoster.ClaimLease, CancellationToken.None))
            .ShouldBeOfType<PostClaim.Granted>(); // another worker, mid-post

        await Should.ThrowAsync<StepHeldException>(() => RunStepAsync(host, breakId, 1));
        platform.Posts.Count.ShouldBe(1);

        clock.Advance(BreakPoster.ClaimLease + TimeSpan.FromSeconds(1)); // that worker died: its lease ran out
        await RunStepAsync(host, breakId, 1);

        platform.Posts.Select(p => p.Options.IdempotencyKey).ShouldBe([$"b{breakId}s0", $"b{breakId}s1"]);
    }

    [Fact]
    public async Task StepRunTwiceAtOnceInOneProcess_TheSecondRunWaitsForTheFirst_OnePostAndNoRetry()
    {
        // After a graceful restart the step in flight comes back twice at once (the re-queued job and the resume).
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        using var host = TestBot.Build(files, platform);
        var breakId = await CreateBreakAsync(host, "rotation");
        await RunStepAsync(host, breakId, 0);
        var posting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        platform.Intercept = (options, taken) =>
        {
            if (taken || options.Tag?.Step != 1)
            {
                return Task.CompletedTask;
            }

            posting.TrySetResult();
            return letGo.Task;
        };

        var (first, second) = await TwoRunsOfTheCueAsync(host, breakId, posting.Task);
        letGo.SetResult();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken); // neither throws: no retry

        platform.Posts.Select(p => p.Options.IdempotencyKey).ShouldBe([$"b{breakId}s0", $"b{breakId}s1"]);
    }

    [Fact]
    public async Task StepWhosePostHangs_IsTakenOverInTheSameProcess_OnceItsClaimLeaseHasPassed()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        var clock = NewClock();
        using var host = TestBot.Build(files, platform, clock: clock);
        var breakId = await CreateBreakAsync(host, "rotation");
        await RunStepAsync(host, breakId, 0);
        var posting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        platform.Intercept = (options, taken) =>
        {
            if (taken || options.Tag?.Step != 1 || !posting.TrySetResult())
            {
                return Task.CompletedTask;
            }

            return hung.Task; // only the first attempt hangs
        };

        var (first, second) = await TwoRunsOfTheCueAsync(host, breakId, posting.Task);

        clock.Advance(BreakPoster.ClaimLease + TimeSpan.FromSeconds(1)); // the hung post's claim has lapsed
        await second.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        platform.Posts.Select(p => p.Options.IdempotencyKey).ShouldBe([$"b{breakId}s0", $"b{breakId}s1"]);
        platform.Posts.Last().Options.Resend.ShouldBeTrue(); // the outcome of the hung attempt is unknown: sent as a resend
        hung.SetException(new ChatPlatformException("the connection dropped", isPermanent: false));
        await Should.ThrowAsync<ChatPlatformException>(() => first.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// Starts a run of step 1 (the first cue), and once it is mid-post (<paramref name="posting"/>) a second one; returns
    /// when the second waits its turn behind the first (a condition wait with a failure time-out), with both runs.
    /// </summary>
    private static async Task<(Task First, Task Second)> TwoRunsOfTheCueAsync(IHost host, long breakId, Task posting)
    {
        var first = RunStepAsync(host, breakId, 1);
        await posting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken); // the first holds the claim
        var second = RunStepAsync(host, breakId, 1);
        var poster = host.Services.GetRequiredService<BreakPoster>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (poster.RunsOf(breakId, 1) < 2)
        {
            if (second.IsCompleted)
            {
                await second; // it did not wait: surface how it ended
                throw new ShouldAssertException("The second run of the cue ended without waiting its turn.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), timeout.Token);
        }

        return (first, second);
    }

    private static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 11, 25, 9, 30, 0, TimeSpan.Zero));

    [Fact]
    public async Task PermanentPlatformRefusal_EndsTheThread_WithoutRetries()
    {
        using var files = engine.NewFiles();
        var logs = new CapturingLoggerProvider();
        using var host = TestBot.Build(files, new RecordingPlatform(ChatPlatform.Slack), logs: logs); // no Console adapter
        var breakId = await CreateBreakAsync(host, "rotation");

        await RunStepAsync(host, breakId, 0); // does not throw: Hangfire must not retry what cannot work

        logs.Entries.ShouldContain(l => l.Message.Contains($"Break {breakId}: step 0 was refused for good", StringComparison.Ordinal));
        host.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledCount().ShouldBe(0);
    }

    [Fact]
    public async Task Break_RunsAsAJobChain_PromptThenPacedCuesInItsThread()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        using var host = TestBot.Build(files, platform);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var (brk, started) = await host.Services.GetRequiredService<BreakService>()
            .StartAsync(Channel, "catcamel", BreakOrigin.OnDemand, "U1", slotKey: null, CancellationToken.None);
        started.ShouldBeTrue();

        var steps = StepCount("catcamel");
        await platform.WaitForPostsAsync(p => p.Count >= steps);
        await Jobs.WaitForIdleAsync(host.Services.GetRequiredService<JobStorage>());
        await host.StopAsync(TestContext.Current.CancellationToken);

        AssertWholeThreadOnce(platform.Posts, brk.Id, steps);
    }

    [Fact]
    public async Task PromptThatFailsInline_IsRetriedByAJob_AndTheThreadStillRunsOnce()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform { TransientFailures = 1 };
        var logs = new CapturingLoggerProvider();
        using var host = TestBot.Build(files, platform, logs: logs);
        await host.StartAsync(TestContext.Current.CancellationToken);

        var (brk, _) = await host.Services.GetRequiredService<BreakService>()
            .StartAsync(Channel, "rotation", BreakOrigin.OnDemand, "U1", slotKey: null, TestContext.Current.CancellationToken);

        var steps = StepCount("rotation");
        await platform.WaitForPostsAsync(p => p.Count >= steps, TimeSpan.FromSeconds(90));
        await Jobs.WaitForIdleAsync(host.Services.GetRequiredService<JobStorage>(), TimeSpan.FromSeconds(90));
        await host.StopAsync(TestContext.Current.CancellationToken);

        AssertWholeThreadOnce(platform.Posts, brk.Id, steps);
        logs.Entries.ShouldContain(l => l.Message.Contains($"Break {brk.Id}: the prompt could not be posted right away", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_InTheMiddleOfAThread_ResumesTheRemainingCues_NoneLostNoneDoubled()
    {
        using var files = engine.NewFiles();
        var steps = StepCount("extension");
        var before = new RecordingPlatform(idPrefix: "first-");
        long breakId;

        // First process: the prompt and two cues go out, then cue 3 hangs at the platform and Ctrl-C arrives.
        using (var first = TestBot.Build(files, before))
        {
            before.Hang = options => options.IdempotencyKey.EndsWith("s3", StringComparison.Ordinal);
            await first.StartAsync(TestContext.Current.CancellationToken);
            var (brk, _) = await first.Services.GetRequiredService<BreakService>()
                .StartAsync(Channel, "extension", BreakOrigin.OnDemand, "U1", slotKey: null, CancellationToken.None);
            breakId = brk.Id;
            await before.Hanging.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await first.StopAsync(stopTimeout.Token);
        }

        before.Posts.Select(p => p.Options.IdempotencyKey).ShouldBe([$"b{breakId}s0", $"b{breakId}s1", $"b{breakId}s2"]);

        // Second process on the same files: the thread resumes at cue 3 under the same prompt.
        var after = new RecordingPlatform(idPrefix: "second-");
        using (var second = TestBot.Build(files, after))
        {
            await second.StartAsync(TestContext.Current.CancellationToken);
            await after.WaitForPostsAsync(p => p.Count >= steps - 3, TimeSpan.FromSeconds(60));
            await Jobs.WaitForIdleAsync(second.Services.GetRequiredService<JobStorage>());
            await second.StopAsync(TestContext.Current.CancellationToken);
        }

        AssertWholeThreadOnce([.. before.Posts, .. after.Posts], breakId, steps);
    }

    internal static int StepCount(string drillId) =>
        BreakContent.StepCount(DrillCatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "drills.json")).Get(drillId));

    internal static void AssertWholeThreadOnce(IReadOnlyCollection<RecordedPost> posts, long breakId, int steps)
    {
        posts.Select(p => p.Options.IdempotencyKey).ShouldBe(Enumerable.Range(0, steps).Select(s => $"b{breakId}s{s}"));
        var prompt = posts.First();
        prompt.Options.ThreadRootMessageId.ShouldBeNull();
        posts.Skip(1).ShouldAllBe(p => p.Options.ThreadRootMessageId == prompt.MessageId);
    }

    private static async Task<long> CreateBreakAsync(IHost host, string drillId)
    {
        var (brk, _) = await host.Services.GetRequiredService<IBreakStore>().CreateAsync(
            new NewBreak(Channel, drillId, BreakOrigin.OnDemand, DateTimeOffset.UtcNow, "U1"),
            CancellationToken.None);
        return brk.Id;
    }

    private static async Task RunStepAsync(IHost host, long breakId, int step)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BreakStepJob>().RunAsync(breakId, step, CancellationToken.None);
    }
}

public sealed class CuePacingTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(1, 0.4, 19.6)] // prompt took 0.4 s: cue 1 stays on the 20 s beat
    [InlineData(3, 41.5, 18.5)] // cue 2 ran 1.5 s late (polling): cue 3 catches up on the beat
    [InlineData(3, 48.0, 15.0)] // very late: never closer than three quarters of an interval
    [InlineData(5, 3600, 15.0)] // resumed after downtime: a readable pace, not a burst
    [InlineData(2, 10.0, 20.0)] // early (clock skew): never more than one interval
    public void NextCue_KeepsTheBreaksBeat(int nextStep, double secondsSinceStart, double expectedDelay)
    {
        BreakStepJob.NextDelay(Start, nextStep, Start.AddSeconds(secondsSinceStart), Interval)
            .ShouldBe(TimeSpan.FromSeconds(expectedDelay));
    }
}

/// <summary>The break chain on the SQLite files (Hangfire.Storage.SQLite).</summary>
public sealed class BreakChainTestsOnSqlite() : BreakChainTests(BotEngine.Sqlite);

/// <summary>The break chain on PostgreSQL (Hangfire.PostgreSql).</summary>
public sealed class BreakChainTestsOnPostgres(PostgresCluster cluster) : BreakChainTests(BotEngine.Postgres(cluster));
