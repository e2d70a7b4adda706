using System.Diagnostics;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Drills;
using ChatBot.Core.Ports;
using ChatBot.Data;
using ChatBot.Scheduling.Tests.Fakes;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>Where in a step the process "dies" (see <see cref="CrashRecoveryTests"/>).</summary>
public enum KillPoint
{
    /// <summary>The step's job is due but has not claimed the post.</summary>
    BeforeClaim,

    /// <summary>The post is claimed; the request has not reached the platform.</summary>
    AfterClaim,

    /// <summary>The platform took the message, but the answer never came back.</summary>
    RequestSent,

    /// <summary>The answer (message id) came back, but was not recorded.</summary>
    AfterAnswer,

    /// <summary>The message id is recorded; the next step is not scheduled yet.</summary>
    AfterRecord,

    /// <summary>
    /// The process holds the break chain's lock while scheduling the next step (a SIGKILL releases nothing).
    /// </summary>
    WhileSchedulingNext,
}

/// <summary>
/// A crash at each point of a step, then a restart on the same SQLite files: the rest of the thread follows
/// within seconds of the new process being ready, every step exactly once. The first process is frozen at the
/// fault-injection point (its call never returns, like a SIGKILLed process) and abandoned without any clean-up:
/// no claim released, no instance row ended, no job acknowledged.
/// </summary>
public abstract class CrashRecoveryTests(BotEngine engine)
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Console, "console", "general");

    [Theory]
    [InlineData(KillPoint.BeforeClaim, 0)]
    [InlineData(KillPoint.AfterClaim, 0)]
    [InlineData(KillPoint.RequestSent, 0)]
    [InlineData(KillPoint.AfterAnswer, 0)]
    [InlineData(KillPoint.AfterRecord, 0)]
    [InlineData(KillPoint.BeforeClaim, 2)]
    [InlineData(KillPoint.AfterClaim, 2)]
    [InlineData(KillPoint.RequestSent, 2)]
    [InlineData(KillPoint.AfterAnswer, 2)]
    [InlineData(KillPoint.AfterRecord, 2)]
    public async Task A_kill_at_any_point_of_a_step_is_followed_after_restart_by_the_rest_of_the_thread_each_step_once(KillPoint point, int step)
    {
        await KillAndRestartAsync(point, step);
    }

    /// <summary>
    /// Kills the first process at <paramref name="point"/> of <paramref name="step"/>, restarts on the same data and
    /// jobs, and checks that the whole thread is posted, each step once, in order, in the prompt's thread.
    /// </summary>
    protected async Task KillAndRestartAsync(KillPoint point, int step)
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        var frozen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var steps = StepCount("rotation");
        using var faults = new FaultInjection(point, step, frozen); // declared after the files: it lets go of the frozen thread before they go

        // The first process: steps run by hand (no job server), so the kill lands exactly where the test says.
        var first = TestBot.Build(files, platform, configure: services => faults.Install(services));
        await StartHeartbeatAsync(first);
        var breakId = (await first.Services.GetRequiredService<IBreakStore>().CreateAsync(
            new NewBreak(Channel, "rotation", BreakOrigin.OnDemand, DateTimeOffset.UtcNow, "U1"), CancellationToken.None)).Break.Id;
        for (var s = 0; s < step; s++)
        {
            await RunStepAsync(first, breakId, s);
        }

        if (point != KillPoint.BeforeClaim)
        {
            platform.Intercept = faults.PlatformFault;
            _ = Task.Run(() => RunStepAsync(first, breakId, step), TestContext.Current.CancellationToken); // never returns: the process is frozen there
            await frozen.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            platform.Intercept = null;
        }

        // The first process is gone: its heartbeat stops (nothing is marked ended). The restart: same data and jobs,
        // a new process (instance), the platform as the dead one left it. On a shared database only the heartbeat's
        // age tells a dead instance: the new one's clock reads BotInstance.DeadAfter later, as when it starts (or
        // takes over) after the dead one's heartbeat has gone stale.
        await StopHeartbeatAbruptlyAsync(first);
        var logs = new CapturingLoggerProvider();
        using var second = TestBot.Build(files, platform, clock: new LaterClock(BotInstance.DeadAfter + TimeSpan.FromSeconds(1)), logs: logs);
        await second.StartAsync(TestContext.Current.CancellationToken);
        var ready = Stopwatch.GetTimestamp();
        var before = platform.Posts.Count;
        TimeSpan toNextPost;
        try
        {
            await platform.WaitForPostsAsync(p => p.Count > before || before == steps);
            toNextPost = Stopwatch.GetElapsedTime(ready);
            await platform.WaitForPostsAsync(p => p.Count >= steps);
        }
        catch (TimeoutException timeout)
        {
            // What the restarted process did meanwhile: the reason a thread stalls is in its log.
            throw new TimeoutException($"{timeout.Message}{Environment.NewLine}The restarted process's log:{Environment.NewLine}{string.Join(Environment.NewLine, logs.Entries.TakeLast(300).Select(e => $"{e.At:HH:mm:ss.fff} {e.Text}"))}", timeout);
        }
        await Jobs.WaitForIdleAsync(second.Services.GetRequiredService<JobStorage>());
        await second.StopAsync(TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine($"{point} at step {step}: next post {toNextPost.TotalMilliseconds:F0} ms after the restarted host was ready");
        var keys = platform.Posts.Select(p => p.Options.IdempotencyKey).ToList();
        keys.ShouldBe(Enumerable.Range(0, steps).Select(s => BreakContent.IdempotencyKey(breakId, s)).ToList()); // each once, in order
        var prompt = platform.Posts.First();
        platform.Posts.Skip(1).ShouldAllBe(p => p.Options.ThreadRootMessageId == prompt.MessageId);
        if (point == KillPoint.RequestSent)
        {
            // The dead process's post reached the platform: the new one asked for it as a resend and found it.
            platform.Resends.ShouldContain(o => o.IdempotencyKey == BreakContent.IdempotencyKey(breakId, step));
        }

        first.Dispose();
    }

    [Fact]
    public async Task A_refused_prompt_answers_the_caller_with_why_and_is_never_retried_by_the_safety_net_or_a_restart()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform { PermanentFailures = 1, PermanentRefusal = PostRefusal.NotInChannel };
        var logs = new CapturingLoggerProvider();
        using (var host = TestBot.Build(files, platform, logs: logs))
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
            var reply = await DrillAsync(host, "/drill rotation");

            reply.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
            reply.Message.Text.ShouldStartWith("I couldn't post **Quadruped thoracic rotation** here: I'm not a member of this conversation");
            reply.Message.Text.ShouldContain("Invite me to the channel");
            reply.Message.Text.ShouldNotContain("Started");

            // The safety-net job (due a second after the first cue here) runs and finds the refusal on the break.
            await Jobs.WaitForIdleAsync(host.Services.GetRequiredService<JobStorage>());
            await host.StopAsync(TestContext.Current.CancellationToken);
        }

        using (var restarted = TestBot.Build(files, platform, logs: logs))
        {
            await restarted.StartAsync(TestContext.Current.CancellationToken);
            await Jobs.WaitForIdleAsync(restarted.Services.GetRequiredService<JobStorage>());
            await restarted.StopAsync(TestContext.Current.CancellationToken);
        }

        platform.Posts.ShouldBeEmpty();
        // The one break of this database: refused once, then left alone.
        logs.Entries.Where(l => l.Message.Contains("refused for good", StringComparison.Ordinal)).ShouldHaveSingleItem()
            .Message.ShouldContain("step 0 was refused for good (NotInChannel)");
        logs.Entries.Count(l => l.Message.Contains("not posted, the platform refused the break", StringComparison.Ordinal)).ShouldBeGreaterThan(0); // the safety net ran
        logs.Entries.ShouldNotContain(l => l.Message.Contains("carrying on after a restart", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_callers_reply_confirms_a_start_only_once_the_prompt_is_posted()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        using var host = TestBot.Build(files, platform);
        await host.StartAsync(TestContext.Current.CancellationToken);

        var posted = await DrillAsync(host, "/drill rotation");
        posted.Message.Text.ShouldStartWith("Started **Quadruped thoracic rotation** for the channel");
        platform.Posts.ShouldNotBeEmpty();
        await platform.WaitForPostsAsync(p => p.Count == StepCount("rotation")); // its cues are out: the next post is the next prompt

        platform.TransientFailures = 1; // a 503: the prompt is not out yet, a job retries it
        var pending = await DrillAsync(host, "/drill extension");
        pending.Message.Text.ShouldContain("isn't posted yet");
        pending.Message.Text.ShouldNotStartWith("Started");
        await platform.WaitForPostsAsync(p => p.Any(x => x.Message.Text.Contains("extension", StringComparison.OrdinalIgnoreCase)));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<CommandReply> DrillAsync(IHost host, string text)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICommandHandler>()
            .HandleAsync(new CommandInvocation(Channel, new ChatUser("U1", "Ada"), text), TestContext.Current.CancellationToken);
    }

    private static int StepCount(string drill) =>
        BreakContent.StepCount(DrillCatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "drills.json")).Get(drill));

    private static Task StartHeartbeatAsync(IHost host) =>
        Heartbeat(host).StartAsync(CancellationToken.None);

    /// <summary>Stops the instance's heartbeat as a kill does: no more beats, no "ended" mark.</summary>
    private static ValueTask StopHeartbeatAbruptlyAsync(IHost host) =>
        ((IAsyncDisposable)Heartbeat(host)).DisposeAsync();

    private static IHostedService Heartbeat(IHost host) =>
        host.Services.GetServices<IHostedService>().Single(s => s.GetType().Name == "InstanceHeartbeat");

    private static async Task RunStepAsync(IHost host, long breakId, int step)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BreakStepJob>().RunAsync(breakId, step, CancellationToken.None);
    }

    /// <summary>
    /// Freezes the first process at one point of one step: the call there does not return while the test runs. On
    /// dispose (the test is over) a thread parked in a synchronous call is let go, with an exception, so it ends
    /// without doing the rest of the dead process's work and no thread-pool thread is held for good.
    /// </summary>
    private sealed class FaultInjection(KillPoint point, int step, TaskCompletionSource frozen) : IDisposable
    {
        private readonly CancellationTokenSource testOver = new();

        public void Dispose()
        {
            testOver.Cancel();
            testOver.Dispose();
        }

        public void Install(IServiceCollection services)
        {
            services.AddSingleton<IBreakStore>(sp => new FreezingStore(ActivatorUtilities.CreateInstance<BreakStore>(sp), this));
            var jobClient = services.Last(d => d.ServiceType == typeof(IBackgroundJobClient));
            services.AddSingleton<IBackgroundJobClient>(sp => new FreezingJobClient((IBackgroundJobClient)jobClient.ImplementationFactory!(sp), this));
        }

        /// <summary>Freezes inside the break chain's lock, as the job of <c>step</c> schedules the next step.</summary>
        public void JobClientFault(Job job)
        {
            if (point == KillPoint.WhileSchedulingNext && job.Type == typeof(BreakStepJob) && job.Args[1] is int next && next == step + 1)
            {
                frozen.TrySetResult();

                // The scheduling call is synchronous: this thread stops here, inside the lock, until the test is over;
                // then Wait throws OperationCanceledException and the job of the dead process goes no further.
                using var parked = new ManualResetEventSlim();
                parked.Wait(testOver.Token);
            }
        }

        public Task PlatformFault(PostOptions options, bool taken) =>
            options.Tag?.Step == step && ((point == KillPoint.AfterClaim && !taken) || (point == KillPoint.RequestSent && taken))
                ? FreezeAsync()
                : Task.CompletedTask;

        public Task StoreFault(int recordedStep, bool recorded) =>
            recordedStep == step && ((point == KillPoint.AfterAnswer && !recorded) || (point == KillPoint.AfterRecord && recorded))
                ? FreezeAsync()
                : Task.CompletedTask;

        private Task FreezeAsync()
        {
            frozen.TrySetResult();
            return new TaskCompletionSource().Task;
        }
    }

    private sealed class FreezingJobClient(IBackgroundJobClient inner, FaultInjection faults) : IBackgroundJobClient
    {
        public string Create(Job job, IState state)
        {
            faults.JobClientFault(job);
            return inner.Create(job, state);
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => inner.ChangeState(jobId, state, expectedState);
    }

    private sealed class FreezingStore(IBreakStore inner, FaultInjection faults) : IBreakStore
    {
        public async Task RecordPostAsync(long breakId, int step, string messageId, CancellationToken cancellationToken)
        {
            await faults.StoreFault(step, recorded: false);
            await inner.RecordPostAsync(breakId, step, messageId, cancellationToken);
            await faults.StoreFault(step, recorded: true);
        }

        public Task<(BreakRecord Break, bool Created)> CreateAsync(NewBreak newBreak, CancellationToken cancellationToken) => inner.CreateAsync(newBreak, cancellationToken);

        public Task<BreakRecord?> GetAsync(long breakId, CancellationToken cancellationToken) => inner.GetAsync(breakId, cancellationToken);

        public Task<string?> GetLastDrillAsync(ChannelKey channel, CancellationToken cancellationToken) => inner.GetLastDrillAsync(channel, cancellationToken);

        public Task<PostClaim> ClaimPostAsync(long breakId, int step, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
            inner.ClaimPostAsync(breakId, step, instanceId, now, lease, cancellationToken);

        public Task ReleaseClaimAsync(long breakId, int step, CancellationToken cancellationToken) => inner.ReleaseClaimAsync(breakId, step, cancellationToken);

        public Task RecordRefusalAsync(long breakId, BreakRefusal refusal, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.RecordRefusalAsync(breakId, refusal, at, cancellationToken);

        public Task RecordFinishedAsync(long breakId, DateTimeOffset at, CancellationToken cancellationToken) => inner.RecordFinishedAsync(breakId, at, cancellationToken);

        public Task<IReadOnlyList<UnfinishedBreak>> GetUnfinishedAsync(DateTimeOffset startedSince, CancellationToken cancellationToken) =>
            inner.GetUnfinishedAsync(startedSince, cancellationToken);

        public Task<string?> GetPostedMessageIdAsync(long breakId, int step, CancellationToken cancellationToken) =>
            inner.GetPostedMessageIdAsync(breakId, step, cancellationToken);
    }
}

/// <summary>
/// Crash recovery on the SQLite files. Hangfire's locks, the break chain's among them, are held in the process there
/// (see <see cref="SqliteJobStorage"/>), so they go with the process; lock rows a killed process left in the job file
/// are dropped when the next one opens it.
/// </summary>
public sealed class CrashRecoveryTestsOnSqlite() : CrashRecoveryTests(BotEngine.Sqlite)
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public Task A_kill_while_holding_the_chains_lock_does_not_hold_up_the_restarted_thread(int step) =>
        KillAndRestartAsync(KillPoint.WhileSchedulingNext, step);
}

/// <summary>Crash recovery on PostgreSQL: the new instance shares the database the dead one left.</summary>
public sealed class CrashRecoveryTestsOnPostgres(PostgresCluster cluster) : CrashRecoveryTests(BotEngine.Postgres(cluster));
