using ChatBot.Core;
using ChatBot.Core.Digests;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Core.Streaks;
using ChatBot.Scheduling.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using static ChatBot.Scheduling.DigestJob;

namespace ChatBot.Scheduling.Tests;

/// <summary>The weekly digest job on the real stack (SQLite stores, Hangfire registrar), with a fake clock.</summary>
public sealed class DigestJobTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Console, "console", "general");

    // Friday 27 November 2026, 16:00 in Berlin (CET, UTC+1): the default digest slot.
    private static readonly DateTimeOffset FridayFour = new(2026, 11, 27, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunTwice_PostsTheWeeksDigestOnce()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(FridayFour.AddSeconds(30));
        using var host = TestBot.Build(files, platform, clock: clock);
        await host.StartAsync(TestContext.Current.CancellationToken);
        await ScheduleAsync(host);
        await LogBreakAsync(host, "U1", "Ana", new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        await LogBreakAsync(host, "U2", "Bo", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));

        (await RunAsync(host)).ShouldBe(DigestOutcome.Posted);
        (await RunAsync(host)).ShouldBe(DigestOutcome.AlreadyPosted);
        await host.StopAsync(TestContext.Current.CancellationToken);

        var post = platform.Posts.ShouldHaveSingleItem();
        Markup.ToPlainText(post.Message.Text).ShouldContain("Upper back breaks in #general, Mon 23 Nov – Sun 29 Nov 2026");
        post.Message.Text.ShouldContain("**2 breaks** by **2 people**");
        post.Options.IdempotencyKey.ShouldBe("digest:week@2026-11-23");
    }

    [Fact]
    public async Task AfterDowntime_PastTheCatchUpWindow_IsSkipped_AndOff_PostsNothing()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        var clock = new FakeTimeProvider(FridayFour.AddMinutes(1));
        using var host = TestBot.Build(files, platform, clock: clock);
        await host.StartAsync(TestContext.Current.CancellationToken);
        await ScheduleAsync(host);
        var digests = host.Services.GetRequiredService<IDigestStore>();

        await digests.SetSettingAsync(Channel, new(false, null), TestContext.Current.CancellationToken);
        (await RunAsync(host)).ShouldBe(DigestOutcome.Off);

        await digests.SetSettingAsync(Channel, DigestSetting.Default, TestContext.Current.CancellationToken);
        clock.SetUtcNow(FridayFour.AddMinutes(16));
        (await RunAsync(host)).ShouldBe(DigestOutcome.SkippedTooLate);
        await host.StopAsync(TestContext.Current.CancellationToken);

        platform.Posts.ShouldBeEmpty();
    }

    [Fact]
    public async Task AFailedPost_ReleasesItsClaim_SoTheRetryPosts()
    {
        using var files = new BotFiles();
        var platform = new RecordingPlatform { PermanentFailures = 1 };
        var clock = new FakeTimeProvider(FridayFour.AddSeconds(30));
        using var host = TestBot.Build(files, platform, clock: clock);
        await host.StartAsync(TestContext.Current.CancellationToken);
        await ScheduleAsync(host);

        await Should.ThrowAsync<ChatPlatformException>(() => RunAsync(host));
        (await RunAsync(host)).ShouldBe(DigestOutcome.Posted);
        await host.StopAsync(TestContext.Current.CancellationToken);

        platform.Posts.ShouldHaveSingleItem().Message.Text.ShouldContain("No breaks yet this week: start one with `/drill now`.");
    }

    private static async Task ScheduleAsync(IHost host)
    {
        var store = host.Services.GetRequiredService<IScheduleStore>();
        await store.SetTimeZoneAsync(Channel, "Europe/Berlin", TestContext.Current.CancellationToken);
        await store.UpsertSlotAsync(new ScheduleSlot(Channel, new TimeOnly(9, 30), ScheduleDays.Weekdays), TestContext.Current.CancellationToken);
        await host.Services.GetRequiredService<IScheduleSync>().SyncChannelAsync(Channel, TestContext.Current.CancellationToken);
    }

    private static Task<CompletionOutcome> LogBreakAsync(IHost host, string userId, string name, DateTimeOffset at) =>
        host.Services.GetRequiredService<ICompletionStore>().RecordAsync(
            new NewCompletion(Channel.Team, userId, name, Channel, null, CompletionKind.SelfLogged, at, DateOnly.FromDateTime(at.UtcDateTime)),
            TestContext.Current.CancellationToken);

    private static async Task<DigestOutcome> RunAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DigestJob>().RunDigestAsync(Channel, TestContext.Current.CancellationToken);
    }
}
