using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Personal;
using ChatBot.Core.Ports;
using ChatBot.Data;
using ChatBot.Scheduling.Tests.Fakes;
using Dapper;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>
/// Snooze and the daily reminder (issue 12) on the real composition: the bot's SQLite file, Hangfire's SQLite job
/// storage, a recording platform with direct messages, and a fake clock for the bot's own code.
/// Europe/Berlin skips 02:00–03:00 on Sunday 28 March 2027 and repeats 02:00–03:00 on Sunday 25 October 2026.
/// </summary>
public sealed class PersonalControlsTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Console, "console", "general");
    private static readonly ChatUser Ann = new("U1", "Ann");

    /// <summary>Ann's 15:00 reminder on Tuesday 24 November 2026 (UTC, the default zone here).</summary>
    private static readonly DateTimeOffset ReminderDue = new(2026, 11, 24, 15, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Snooze_tapped_twice_schedules_one_durable_job_whose_DM_goes_once_and_its_Done_counts_for_the_break()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        using var host = TestBot.Build(files, platform, clock: clock);
        var breakId = await StartBreakAsync(host, platform);

        (await TapAsync(host, ButtonAction.Snooze(breakId))).Reply.Message.Text.ShouldBe("I'll remind you at 12:10 (your time).");
        (await TapAsync(host, ButtonAction.Snooze(breakId))).Reply.Message.Text.ShouldBe("Already set: I'll remind you at 12:10 (your time).");
        var jobs = SnoozeJobs(host);
        jobs.Count.ShouldBe(1);
        jobs[0].Value.EnqueueAt.ShouldBeInRange(DateTime.UtcNow.AddMinutes(9), DateTime.UtcNow.AddMinutes(11));

        (await RunSnoozeAsync(host, breakId)).ShouldBe(SnoozeOutcome.Sent);
        (await RunSnoozeAsync(host, breakId)).ShouldBe(SnoozeOutcome.AlreadySent);

        var dm = platform.DirectMessages.ShouldHaveSingleItem();
        dm.UserId.ShouldBe("U1");
        dm.Message.Text.ShouldContain("**Quadruped thoracic rotation**");
        dm.Message.Text.ShouldContain($"https://chat.example/general/{platform.Posts.First().MessageId}");
        var done = dm.Message.Buttons.ShouldHaveSingleItem();
        done.Label.ShouldBe("Done");

        // Tapped in the DM, where Discord names no server: it still counts for the channel's break, once.
        var dmChannel = new ChannelKey(ChatPlatform.Console, "dm:U1", dm.ChannelId);
        var outcome = await TapAsync(host, done.ActionId, dmChannel);
        outcome.Reply.Message.Text.ShouldStartWith("Logged ✅ Quadruped thoracic rotation.");
        outcome.UpdatedPrompt.ShouldBeNull();
        (await TapAsync(host, ButtonAction.Done(breakId))).Reply.Message.Text.ShouldStartWith("Already counted");
    }

    [Fact]
    public async Task A_snooze_whose_break_was_done_before_it_is_due_sends_nothing()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        using var host = TestBot.Build(files, platform, clock: new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero)));
        var breakId = await StartBreakAsync(host, platform);

        await TapAsync(host, ButtonAction.Snooze(breakId));
        await TapAsync(host, ButtonAction.Done(breakId));

        (await RunSnoozeAsync(host, breakId)).ShouldBe(SnoozeOutcome.DoneBefore);
        platform.DirectMessages.ShouldBeEmpty();
        (await TapAsync(host, ButtonAction.Snooze(breakId))).Reply.Message.Text.ShouldBe("You've already done **Quadruped thoracic rotation** ✅, so no reminder needed.");
    }

    [Fact]
    public async Task A_pending_snooze_survives_a_restart_and_is_sent_once_by_the_new_process()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        long breakId;
        using (var before = TestBot.Build(files, platform))
        {
            breakId = await StartBreakAsync(before, platform);
            await TapAsync(before, ButtonAction.Snooze(breakId));
        }

        // A new process on the same files: the reminder is a job in Hangfire's store, not a timer of the old one.
        using var after = TestBot.Build(files, platform);
        await after.StartAsync(Ct);
        var job = SnoozeJobs(after).ShouldHaveSingleItem();
        var client = after.Services.GetRequiredService<IBackgroundJobClient>();
        var storage = after.Services.GetRequiredService<JobStorage>();

        client.Requeue(job.Key).ShouldBeTrue(); // its ten minutes are up
        await Jobs.WaitForIdleAsync(storage);
        client.Requeue(job.Key).ShouldBeTrue(); // Hangfire runs a job at least once: a second run must not send again
        await Jobs.WaitForIdleAsync(storage);
        await after.StopAsync(Ct);

        platform.DirectMessages.ShouldHaveSingleItem().Message.Buttons.ShouldHaveSingleItem().ActionId.ShouldBe(ButtonAction.SnoozeDone(breakId));
    }

    [Fact]
    public async Task A_reminder_in_the_skipped_hour_fires_once_when_the_clocks_jump()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 27, 12, 0, 0, TimeSpan.Zero));
        using var host = TestBot.Build(files, platform, new() { ["Breaks:Workdays"] = "daily" }, clock);
        await SayAsync(host, "tz Europe/Berlin");

        (await SayAsync(host, "remind 02:30")).ShouldContain("Next: Sun 28 Mar at 03:00 your time.");

        clock.SetUtcNow(new DateTimeOffset(2027, 3, 28, 0, 59, 0, TimeSpan.Zero)); // 01:59 CET, just before the jump
        await PassAsync(host);
        platform.DirectMessages.ShouldBeEmpty();

        clock.SetUtcNow(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero)); // 03:00 CEST
        await PassAsync(host);
        await PassAsync(host);
        platform.DirectMessages.Count.ShouldBe(1);

        (await SayAsync(host, "remind")).ShouldContain("Next: Mon 29 Mar at 02:30 your time.");
        clock.SetUtcNow(new DateTimeOffset(2027, 3, 29, 0, 30, 0, TimeSpan.Zero));
        await PassAsync(host);
        platform.DirectMessages.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_reminder_in_the_repeated_hour_fires_the_first_time_only()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero));
        using var host = TestBot.Build(files, platform, new() { ["Breaks:Workdays"] = "daily" }, clock);
        await SayAsync(host, "tz Europe/Berlin");
        await SayAsync(host, "remind 02:30");

        clock.SetUtcNow(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero)); // 02:30 CEST
        await PassAsync(host);
        clock.SetUtcNow(new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero)); // 02:30 CET, the same clock time again
        await PassAsync(host);

        platform.DirectMessages.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_reminder_skips_a_logged_day_days_off_and_away_days_and_follows_a_zone_change_with_working_Start_and_Done()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero)); // Friday
        using var host = TestBot.Build(files, platform, clock: clock);
        (await SayAsync(host, "remind 15:00")).ShouldContain("Next: Fri 27 Nov at 15:00 your time.");
        await SayAsync(host, "done");

        foreach (var day in new[] { 27, 28, 29 }) // Friday with a break logged, then the weekend
        {
            clock.SetUtcNow(new DateTimeOffset(2026, 11, day, 15, 0, 0, TimeSpan.Zero));
            await PassAsync(host);
        }

        clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
        (await SayAsync(host, "away 1")).ShouldContain("today, Mon 30 Nov");
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 15, 0, 0, TimeSpan.Zero));
        await PassAsync(host);
        platform.DirectMessages.ShouldBeEmpty();

        clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
        await SayAsync(host, "tz America/New_York");
        (await SayAsync(host, "remind")).ShouldContain("workdays at 15:00 (America/New_York)");
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 15, 0, 0, TimeSpan.Zero)); // 10:00 in New York
        await PassAsync(host);
        platform.DirectMessages.ShouldBeEmpty();
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 20, 0, 0, TimeSpan.Zero)); // 15:00 in New York
        await PassAsync(host);

        var dm = platform.DirectMessages.ShouldHaveSingleItem();
        dm.Message.Buttons.Select(b => b.Label).ShouldBe(["Start", "Done"]);
        var dmChannel = new ChannelKey(ChatPlatform.Console, "dm:U1", dm.ChannelId);
        (await TapAsync(host, dm.Message.Buttons[0].ActionId, dmChannel)).Reply.Message.Text.ShouldStartWith("Started **");
        platform.Posts.ShouldContain(p => p.Channel.ChannelId == dm.ChannelId && p.Channel.TeamId == "console" && p.Options.ThreadRootMessageId == null);
        (await TapAsync(host, dm.Message.Buttons[1].ActionId, dmChannel)).Reply.Message.Text.ShouldStartWith("Logged ✅ a break on your own for Tue 1 Dec.");
        (await TapAsync(host, dm.Message.Buttons[1].ActionId, dmChannel, new ChatUser("U2", "Bob"))).Reply.Message.Text.ShouldStartWith("That reminder isn't known here");

        (await SayAsync(host, "remind off")).ShouldStartWith("Daily reminder off.");
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 20, 0, 0, TimeSpan.Zero));
        await PassAsync(host);
        platform.DirectMessages.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_refused_DM_is_recorded_and_the_persons_next_command_gets_a_one_line_note_once()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform { DirectMessagesClosed = true };
        using var host = TestBot.Build(files, platform, clock: new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero)));
        var breakId = await StartBreakAsync(host, platform);
        await TapAsync(host, ButtonAction.Snooze(breakId));

        (await RunSnoozeAsync(host, breakId)).ShouldBe(SnoozeOutcome.Refused);
        (await RunSnoozeAsync(host, breakId)).ShouldBe(SnoozeOutcome.Refused); // never tried again

        (await SayAsync(host, "streak")).ShouldEndWith("\nNote: my reminders can't reach you: the chat service refused my direct message to you.");
        (await SayAsync(host, "streak")).ShouldNotContain("Note:");
    }

    [Fact]
    public async Task Two_passes_at_once_message_each_person_once()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        using var host = TestBot.Build(files, platform, clock: clock);
        for (var i = 0; i < 40; i++)
        {
            await SayAsync(host, "remind 09:00", new ChatUser($"U{i}", $"Person {i}"));
        }

        clock.SetUtcNow(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        await Task.WhenAll(PassAsync(host), PassAsync(host), PassAsync(host));

        platform.DirectMessages.Select(d => d.UserId).OrderBy(u => u, StringComparer.Ordinal)
            .ShouldBe(Enumerable.Range(0, 40).Select(i => $"U{i}").OrderBy(u => u, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_reminder_whose_DM_failed_transiently_is_sent_once_by_the_next_pass()
    {
        using var bot = await ReminderSetAtDueAsync();
        var (platform, clock, host) = (bot.Platform, bot.Clock, bot.Host);
        platform.DirectMessageTransientFailures = 1; // a 503 (or a timeout, or the rate limit spent)
        (await PassAsync(host)).NotSent.ShouldBe(1);
        platform.DirectMessages.ShouldBeEmpty();

        clock.Advance(TimeSpan.FromMinutes(1));
        (await PassAsync(host)).Resent.ShouldBe(1);
        clock.Advance(TimeSpan.FromMinutes(1));
        (await PassAsync(host)).Resent.ShouldBe(0);

        var dm = platform.DirectMessages.ShouldHaveSingleItem();
        dm.Message.Buttons.Select(b => b.Label).ShouldBe(["Start", "Done"]);
    }

    [Fact]
    public async Task A_reminder_whose_sender_died_holding_the_DM_claim_is_sent_once_after()
    {
        using var bot = await ReminderSetAtDueAsync();
        var (platform, clock, host) = (bot.Platform, bot.Clock, bot.Host);
        platform.DirectMessageTransientFailures = 1;
        await PassAsync(host);

        // Another instance takes the DM's claim and dies before sending: its heartbeat stops at the claim.
        var dms = host.Services.GetRequiredService<IDirectMessageStore>();
        var sends = host.Services.GetRequiredService<IReminderStore>();
        var row = (await sends.GetUnsentAsync(clock.GetUtcNow(), TimeSpan.FromMinutes(15), ReminderService.KeyPrefix, 10, Ct)).ShouldHaveSingleItem();
        await using (var connection = await host.Services.GetRequiredService<SqliteDatabase>().OpenAsync(Ct))
        {
            await connection.ExecuteAsync(
                "INSERT INTO instances (id, started_at, last_seen) VALUES ('crashed', @now, @now);", new { now = clock.GetUtcNow().ToUnixTimeMilliseconds() });
        }

        (await dms.ClaimAsync(ReminderService.Key(row.Id), row.Team, row.UserId, "crashed", clock.GetUtcNow(), DirectMessagePoster.ClaimLease, Ct))
            .ShouldBeOfType<DirectMessageClaim.Granted>();

        clock.Advance(TimeSpan.FromSeconds(10)); // the holder still counts as alive: its claim is respected
        (await PassAsync(host)).Resent.ShouldBe(0);
        platform.DirectMessages.ShouldBeEmpty();

        clock.Advance(TimeSpan.FromSeconds(50)); // no heartbeat for a minute, its lease not yet over
        (await PassAsync(host)).Resent.ShouldBe(1);
        clock.Advance(TimeSpan.FromMinutes(3));
        await PassAsync(host);

        platform.DirectMessages.ShouldHaveSingleItem().Options.Resend.ShouldBeTrue();
    }

    [Fact]
    public async Task A_failed_reminder_is_not_resent_more_than_the_catch_up_window_late()
    {
        using var bot = await ReminderSetAtDueAsync();
        var (platform, clock, host) = (bot.Platform, bot.Clock, bot.Host);
        platform.DirectMessageTransientFailures = 1;
        await PassAsync(host);

        clock.Advance(TimeSpan.FromMinutes(16)); // Breaks:CatchUpWindow is 15 min here
        (await PassAsync(host)).Resent.ShouldBe(0);

        platform.DirectMessages.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failed_reminder_is_not_resent_once_the_person_logged_a_break()
    {
        using var bot = await ReminderSetAtDueAsync();
        var (platform, clock, host) = (bot.Platform, bot.Clock, bot.Host);
        platform.DirectMessageTransientFailures = 1;
        await PassAsync(host);

        clock.Advance(TimeSpan.FromSeconds(30));
        (await SayAsync(host, "done")).ShouldStartWith("Logged ✅");
        clock.Advance(TimeSpan.FromSeconds(30));
        (await PassAsync(host)).Resent.ShouldBe(0);

        platform.DirectMessages.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_refused_reminder_is_never_resent()
    {
        using var bot = await ReminderSetAtDueAsync();
        var (platform, clock, host) = (bot.Platform, bot.Clock, bot.Host);
        platform.DirectMessagesClosed = true;
        (await PassAsync(host)).NotSent.ShouldBe(1);

        platform.DirectMessagesClosed = false; // even when they open their DMs again, that day's reminder stays refused
        for (var minute = 1; minute <= 3; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            (await PassAsync(host)).Resent.ShouldBe(0);
        }

        platform.DirectMessages.ShouldBeEmpty();
    }

    private static async Task<long> StartBreakAsync(IHost host, RecordingPlatform platform)
    {
        (await SayAsync(host, "rotation")).ShouldStartWith("Started **Quadruped thoracic rotation**");
        var prompt = platform.Posts.Last(p => p.Options.Tag is { Step: 0 });
        prompt.Message.Buttons.Select(b => b.Label).ShouldBe(["Done", "Remind me in 10 min"]);
        return prompt.Options.Tag!.BreakId;
    }

    /// <summary>A bot whose one person set <c>/drill remind 15:00</c>, with the clock at that reminder's due time.</summary>
    private static async Task<ReminderBot> ReminderSetAtDueAsync()
    {
        var files = new BotFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(ReminderDue.AddHours(-5));
        var host = TestBot.Build(files, platform, clock: clock);
        await SayAsync(host, "remind 15:00");
        clock.SetUtcNow(ReminderDue);
        return new ReminderBot(files, platform, clock, host);
    }

    private sealed record ReminderBot(BotFiles Files, RecordingPlatform Platform, FakeTimeProvider Clock, IHost Host) : IDisposable
    {
        public void Dispose()
        {
            Host.Dispose();
            Files.Dispose();
        }
    }

    private static async Task<string> SayAsync(IHost host, string text, ChatUser? who = null)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var reply = await scope.ServiceProvider.GetRequiredService<ICommandHandler>().HandleAsync(new CommandInvocation(Channel, who ?? Ann, text), Ct);
        reply.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
        return reply.Message.Text;
    }

    private static async Task<ClickOutcome> TapAsync(IHost host, string actionId, ChannelKey? channel = null, ChatUser? who = null)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICommandHandler>().HandleClickAsync(new ButtonClick(channel ?? Channel, who ?? Ann, actionId), Ct);
    }

    private static Task<SnoozeOutcome> RunSnoozeAsync(IHost host, long breakId) =>
        host.Services.GetRequiredService<SnoozeService>().SendDueAsync(breakId, "U1", Ct);

    private static Task<ReminderPassResult> PassAsync(IHost host) => host.Services.GetRequiredService<ReminderService>().RunPassAsync(Ct);

    private static List<KeyValuePair<string, Hangfire.Storage.Monitoring.ScheduledJobDto>> SnoozeJobs(IHost host) =>
        host.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 1000)
            .Where(j => j.Value.Job?.Type == typeof(SnoozeJob))
            .ToList();
}
