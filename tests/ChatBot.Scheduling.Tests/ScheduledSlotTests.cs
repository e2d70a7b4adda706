using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Scheduling.Tests.Fakes;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using static ChatBot.Scheduling.BreakSlotJob;

namespace ChatBot.Scheduling.Tests;

/// <summary>Slot jobs: which occurrence they stand for, catch-up after downtime, weekends, rotation, double fires.</summary>
public abstract class ScheduledSlotTests(BotEngine engine)
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Console, "console", "general");
    private static readonly TimeOnly NineThirty = new(9, 30);

    // Wednesday 25 November 2026, 09:30 in Berlin (CET, UTC+1).
    private static readonly DateTimeOffset SlotInstant = new(2026, 11, 25, 8, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task SlotFiredTwice_PostsOneBreak_PromptAndCuesInItsThread()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(SlotInstant.AddSeconds(2));
        using var host = TestBot.Build(files, platform, clock: clock);
        await host.StartAsync(TestContext.Current.CancellationToken);
        await AddSlotAsync(host, ScheduleDays.Weekdays, "Europe/Berlin");

        Jobs.TriggerSlot(host, "Europe/Berlin", NineThirty, ScheduleDays.Weekdays);
        Jobs.TriggerSlot(host, "Europe/Berlin", NineThirty, ScheduleDays.Weekdays);

        var steps = BreakChainTests.StepCount("extension"); // a channel's first scheduled break starts the rotation
        await platform.WaitForPostsAsync(p => p.Count >= steps);
        await Jobs.WaitForIdleAsync(host.Services.GetRequiredService<JobStorage>());
        await host.StopAsync(TestContext.Current.CancellationToken);

        var breakId = long.Parse(platform.Posts.First().Options.IdempotencyKey[1..^2], System.Globalization.CultureInfo.InvariantCulture);
        BreakChainTests.AssertWholeThreadOnce(platform.Posts, breakId, steps);
        platform.Posts.First().Message.Text.ShouldContain("Upper back break");
        var brk = await host.Services.GetRequiredService<IBreakStore>().GetAsync(breakId, TestContext.Current.CancellationToken);
        brk!.SlotKey.ShouldBe("0930@2026-11-25");
        brk.Origin.ShouldBe(BreakOrigin.Scheduled);
        brk.DrillId.ShouldBe("extension");
    }

    [Fact]
    public async Task Fifty_channels_with_the_same_slot_each_get_one_break_with_its_whole_thread_once_however_often_it_fires()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        var logs = new CapturingLoggerProvider();
        using var host = TestBot.Build(files, platform, clock: new FakeTimeProvider(SlotInstant.AddSeconds(2)), logs: logs);
        await host.StartAsync(TestContext.Current.CancellationToken);
        await MultiInstanceTestsOnPostgres.AddSlotsAsync(host);

        Jobs.TriggerSlot(host, "Europe/Berlin", NineThirty, ScheduleDays.Weekdays);
        Jobs.TriggerSlot(host, "Europe/Berlin", NineThirty, ScheduleDays.Weekdays);
        var steps = BreakChainTests.StepCount("extension");
        await MultiInstanceTestsOnPostgres.WaitForPostsAsync([platform], MultiInstanceTestsOnPostgres.Channels * steps, logs: logs, storage: host.Services.GetRequiredService<JobStorage>(), connectionString: files.ConnectionString);
        await Jobs.WaitForIdleAsync(host.Services.GetRequiredService<JobStorage>(), TimeSpan.FromMinutes(1));
        await host.StopAsync(TestContext.Current.CancellationToken);

        MultiInstanceTestsOnPostgres.AssertEveryThreadOnce(platform.Posts.ToList(), steps);
        platform.Posts.Select(p => p.Channel).Distinct().Count().ShouldBe(MultiInstanceTestsOnPostgres.Channels);
    }

    [Fact]
    public async Task A_channel_whose_slot_moves_is_left_out_of_its_old_slot_and_started_by_its_new_one()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(SlotInstant.AddSeconds(2));
        using var host = TestBot.Build(files, platform, clock: clock);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var stays = new ChannelKey(ChatPlatform.Console, "console", "stays");
        await AddSlotAsync(host, ScheduleDays.Weekdays, "Europe/Berlin");
        await AddSlotAsync(host, ScheduleDays.Weekdays, "Europe/Berlin", stays);

        // /drill schedule in the moving channel: 09:30 out, 10:00 in.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var handler = scope.ServiceProvider.GetRequiredService<IScheduleCommandHandler>();
            var admin = new ChatUser("U1", "Ada", IsAdmin: true);
            (await handler.HandleAsync(new(Channel, admin, "schedule remove 09:30"), ["remove", "09:30"], TestContext.Current.CancellationToken)).Message.Text.ShouldContain("Removed");
            (await handler.HandleAsync(new(Channel, admin, "schedule add 10:00"), ["add", "10:00"], TestContext.Current.CancellationToken)).Message.Text.ShouldContain("10:00");
        }

        var steps = BreakChainTests.StepCount("extension");
        Jobs.TriggerSlot(host, "Europe/Berlin", NineThirty, ScheduleDays.Weekdays);
        await platform.WaitForPostsAsync(p => p.Count >= steps);
        await Jobs.WaitForIdleAsync(host.Services.GetRequiredService<JobStorage>());
        platform.Posts.Select(p => p.Channel).Distinct().ShouldBe([stays]);

        clock.SetUtcNow(SlotInstant.AddMinutes(30).AddSeconds(2));
        Jobs.TriggerSlot(host, "Europe/Berlin", new TimeOnly(10, 0), ScheduleDays.Weekdays);
        await platform.WaitForPostsAsync(p => p.Count >= 2 * steps);
        await Jobs.WaitForIdleAsync(host.Services.GetRequiredService<JobStorage>());
        await host.StopAsync(TestContext.Current.CancellationToken);

        platform.Posts.Count(p => p.Channel == Channel).ShouldBe(steps);
        platform.Posts.Count(p => p.Channel == stays).ShouldBe(steps);
        var moved = await host.Services.GetRequiredService<IBreakStore>().GetAsync(platform.Posts.First(p => p.Channel == Channel).Options.Tag!.BreakId, TestContext.Current.CancellationToken);
        moved!.SlotKey.ShouldBe("1000@2026-11-25");
    }

    [Fact]
    public async Task A_slot_job_run_again_after_dying_between_prompt_and_thread_posts_the_rest_of_the_thread_once()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        using var host = TestBot.Build(files, platform, clock: new FakeTimeProvider(SlotInstant.AddSeconds(30)));
        await AddSlotAsync(host, ScheduleDays.Weekdays, "Europe/Berlin");

        // The first run stored the break and posted its prompt, then died before scheduling the thread.
        var (brk, _) = await host.Services.GetRequiredService<IBreakStore>().CreateAsync(
            new NewBreak(Channel, "extension", BreakOrigin.Scheduled, SlotInstant, SlotKey: "0930@2026-11-25"), TestContext.Current.CancellationToken);
        (await host.Services.GetRequiredService<BreakPoster>().PostStepAsync(brk.Id, 0, TestContext.Current.CancellationToken)).Status.ShouldBe(StepStatus.Posted);

        await host.StartAsync(TestContext.Current.CancellationToken);
        Jobs.TriggerSlot(host, "Europe/Berlin", NineThirty, ScheduleDays.Weekdays);
        var steps = BreakChainTests.StepCount("extension");
        await platform.WaitForPostsAsync(p => p.Count >= steps);
        await Jobs.WaitForIdleAsync(host.Services.GetRequiredService<JobStorage>());
        await host.StopAsync(TestContext.Current.CancellationToken);

        BreakChainTests.AssertWholeThreadOnce(platform.Posts, brk.Id, steps);
    }

    [Theory]
    [InlineData(0, SlotOutcome.Started)]
    [InlineData(10, SlotOutcome.Started)]
    [InlineData(15, SlotOutcome.Started)]
    [InlineData(16, SlotOutcome.SkippedTooLate)]
    [InlineData(180, SlotOutcome.SkippedTooLate)]
    public async Task MissedSlot_IsPostedLateOnlyWithinTheCatchUpWindow(int minutesLate, SlotOutcome expected)
    {
        using var files = engine.NewFiles();
        var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(SlotInstant.AddMinutes(minutesLate));
        using var host = TestBot.Build(files, new RecordingPlatform(), clock: clock, logs: logs); // not started: the downtime
        await AddSlotAsync(host, ScheduleDays.Weekdays, "Europe/Berlin");

        var outcome = await RunSlotAsync(host);

        outcome.ShouldBe(expected);
        var lastDrill = await host.Services.GetRequiredService<IBreakStore>().GetLastDrillAsync(Channel, TestContext.Current.CancellationToken);
        if (expected == SlotOutcome.Started)
        {
            lastDrill.ShouldBe("extension");
            logs.Entries.ShouldNotContain(l => l.Message.StartsWith("Skipped", StringComparison.Ordinal));
        }
        else
        {
            lastDrill.ShouldBeNull();
            logs.Entries.ShouldContain(l => l.Level == LogLevel.Warning
                && l.Message.Contains("Skipped the scheduled break 0930@2026-11-25", StringComparison.Ordinal)
                && l.Message.Contains("catch-up window of 00:15:00", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task CatchUpWindow_ComesFromConfiguration()
    {
        using var files = engine.NewFiles();
        var clock = new FakeTimeProvider(SlotInstant.AddMinutes(40));
        using var host = TestBot.Build(files, new RecordingPlatform(), new() { ["Breaks:CatchUpWindow"] = "01:00:00" }, clock);
        await AddSlotAsync(host, ScheduleDays.Weekdays, "Europe/Berlin");

        (await RunSlotAsync(host)).ShouldBe(SlotOutcome.Started);
    }

    [Fact]
    public async Task WeekdaySlot_FiringOnASaturday_PostsNothing_DailySlotDoes()
    {
        using var files = engine.NewFiles();
        var saturday = SlotInstant.AddDays(3).AddMinutes(1);
        var clock = new FakeTimeProvider(saturday);
        using var host = TestBot.Build(files, new RecordingPlatform(), clock: clock);
        await AddSlotAsync(host, ScheduleDays.Weekdays, "Europe/Berlin");

        // A weekday slot has no Saturday occurrence: the latest one is Friday's, a day too late.
        (await RunSlotAsync(host)).ShouldBe(SlotOutcome.SkippedTooLate);

        await AddSlotAsync(host, ScheduleDays.Daily, "Europe/Berlin");
        (await RunSlotAsync(host)).ShouldBe(SlotOutcome.Started);
        var brk = await host.Services.GetRequiredService<IBreakStore>().CreateAsync(
            new NewBreak(Channel, "extension", BreakOrigin.Scheduled, saturday, SlotKey: "0930@2026-11-28"), TestContext.Current.CancellationToken);
        brk.Created.ShouldBeFalse(); // the Saturday break is keyed by Berlin's local date
    }

    [Fact]
    public async Task ScheduledBreaks_TakeTheChannelsRotation_NeverTheSameDrillTwiceInARow()
    {
        using var files = engine.NewFiles();
        var clock = new FakeTimeProvider(SlotInstant.AddSeconds(5));
        using var host = TestBot.Build(files, new RecordingPlatform(), clock: clock);
        await AddSlotAsync(host, ScheduleDays.Daily, "Europe/Berlin");
        var store = host.Services.GetRequiredService<IBreakStore>();

        var drills = new List<string?>();
        for (var day = 0; day < 5; day++)
        {
            (await RunSlotAsync(host)).ShouldBe(SlotOutcome.Started);
            (await RunSlotAsync(host)).ShouldBe(SlotOutcome.AlreadyStarted); // a second firing neither posts nor advances the rotation
            drills.Add(await store.GetLastDrillAsync(Channel, TestContext.Current.CancellationToken));
            clock.Advance(TimeSpan.FromDays(1));
        }

        drills.ShouldBe(["extension", "rotation", "catcamel", "extension", "rotation"]);
    }

    [Fact]
    public async Task SlotJob_ForARemovedSlot_DoesNothing()
    {
        using var files = engine.NewFiles();
        var clock = new FakeTimeProvider(SlotInstant.AddSeconds(5));
        using var host = TestBot.Build(files, new RecordingPlatform(), clock: clock);
        await AddSlotAsync(host, ScheduleDays.Daily, "Europe/Berlin");
        await host.Services.GetRequiredService<IScheduleStore>().RemoveSlotAsync(Channel, NineThirty, TestContext.Current.CancellationToken);

        (await RunSlotAsync(host)).ShouldBe(SlotOutcome.SlotGone);
        (await host.Services.GetRequiredService<IBreakStore>().GetLastDrillAsync(Channel, TestContext.Current.CancellationToken)).ShouldBeNull();
    }

    [Fact]
    public async Task StoredButNeverStartedBreak_IsStartedByTheNextFiring()
    {
        using var files = engine.NewFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(SlotInstant.AddMinutes(3));
        using var host = TestBot.Build(files, platform, clock: clock);
        await AddSlotAsync(host, ScheduleDays.Weekdays, "Europe/Berlin");

        // An earlier run stored the slot's break and died before handing it to the runner.
        await host.Services.GetRequiredService<IBreakStore>().CreateAsync(
            new NewBreak(Channel, "extension", BreakOrigin.Scheduled, SlotInstant, SlotKey: "0930@2026-11-25"), TestContext.Current.CancellationToken);

        (await RunSlotAsync(host)).ShouldBe(SlotOutcome.Resumed);
        platform.Posts.Select(p => p.Options.IdempotencyKey).ShouldBe(["b1s0"]);
    }

    private static async Task AddSlotAsync(IHost host, ScheduleDays days, string zone, ChannelKey? channel = null)
    {
        var store = host.Services.GetRequiredService<IScheduleStore>();
        var key = channel ?? Channel;
        await store.SetTimeZoneAsync(key, zone, TestContext.Current.CancellationToken);
        await store.UpsertSlotAsync(new ScheduleSlot(key, NineThirty, days), TestContext.Current.CancellationToken);
        await host.Services.GetRequiredService<IScheduleSync>().SyncChannelAsync(key, TestContext.Current.CancellationToken);
    }

    private static async Task<SlotOutcome> RunSlotAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BreakSlotJob>().RunSlotAsync(Channel, NineThirty, TestContext.Current.CancellationToken);
    }
}

/// <summary>Slot jobs on the SQLite files.</summary>
public sealed class ScheduledSlotTestsOnSqlite() : ScheduledSlotTests(BotEngine.Sqlite);

/// <summary>Slot jobs on PostgreSQL.</summary>
public sealed class ScheduledSlotTestsOnPostgres(PostgresCluster cluster) : ScheduledSlotTests(BotEngine.Postgres(cluster));
