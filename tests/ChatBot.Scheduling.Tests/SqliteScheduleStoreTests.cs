using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Scheduling.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>The schedule store on the real SQLite file, migrated by the bot's own migrations.</summary>
public sealed class SqliteScheduleStoreTests : IDisposable
{
    private static readonly ChannelKey Slack = new(ChatPlatform.Slack, "T1", "C1");
    private static readonly ChannelKey Discord = new(ChatPlatform.Discord, "G1", "42");

    private readonly BotFiles files = new();
    private readonly IHost host;
    private readonly IScheduleStore store;

    public SqliteScheduleStoreTests()
    {
        host = TestBot.Build(files, new RecordingPlatform());
        store = host.Services.GetRequiredService<IScheduleStore>();
    }

    [Fact]
    public async Task Upsert_Get_Remove()
    {
        var ct = TestContext.Current.CancellationToken;
        (await store.UpsertSlotAsync(new ScheduleSlot(Slack, new TimeOnly(14, 0), ScheduleDays.Daily), ct)).ShouldBeNull();
        (await store.UpsertSlotAsync(new ScheduleSlot(Slack, new TimeOnly(9, 30), ScheduleDays.Weekdays), ct)).ShouldBeNull();
        var previous = await store.UpsertSlotAsync(new ScheduleSlot(Slack, new TimeOnly(9, 30), ScheduleDays.Monday | ScheduleDays.Friday), ct);
        previous.ShouldBe(new ScheduleSlot(Slack, new TimeOnly(9, 30), ScheduleDays.Weekdays));

        var schedule = await store.GetAsync(Slack, ct);
        schedule.TimeZoneId.ShouldBeNull();
        schedule.Slots.ShouldBe([
            new ScheduleSlot(Slack, new TimeOnly(9, 30), ScheduleDays.Monday | ScheduleDays.Friday),
            new ScheduleSlot(Slack, new TimeOnly(14, 0), ScheduleDays.Daily),
        ]);

        (await store.RemoveSlotAsync(Slack, new TimeOnly(9, 30), ct)).ShouldBeTrue();
        (await store.RemoveSlotAsync(Slack, new TimeOnly(9, 30), ct)).ShouldBeFalse();
        (await store.GetAsync(Slack, ct)).Slots.Select(s => s.Time).ShouldBe([new TimeOnly(14, 0)]);
        (await store.GetAsync(Discord, ct)).Slots.ShouldBeEmpty();
    }

    [Fact]
    public async Task Zone_LivesOnTheChannelRow_WhereIChannelStoreReadsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await store.UpsertSlotAsync(new ScheduleSlot(Slack, new TimeOnly(9, 30), ScheduleDays.Weekdays), ct);
        await store.SetTimeZoneAsync(Slack, "Europe/Berlin", ct);
        await store.SetTimeZoneAsync(Discord, "America/New_York", ct); // a channel without slots yet

        (await store.GetAsync(Slack, ct)).TimeZoneId.ShouldBe("Europe/Berlin");
        var channels = host.Services.GetRequiredService<IChannelStore>();
        (await channels.GetTimeZoneAsync(Slack, ct)).ShouldBe("Europe/Berlin");
        (await channels.GetTimeZoneAsync(Discord, ct)).ShouldBe("America/New_York");
    }

    [Fact]
    public async Task ListAll_GivesChannelsWithSlots_AndTheirZones()
    {
        var ct = TestContext.Current.CancellationToken;
        await store.SetTimeZoneAsync(Slack, "Europe/Berlin", ct);
        await store.UpsertSlotAsync(new ScheduleSlot(Slack, new TimeOnly(9, 30), ScheduleDays.Weekdays), ct);
        await store.UpsertSlotAsync(new ScheduleSlot(Slack, new TimeOnly(14, 0), ScheduleDays.Weekdays), ct);
        await store.UpsertSlotAsync(new ScheduleSlot(Discord, new TimeOnly(23, 59), ScheduleDays.Weekends), ct);
        await store.SetTimeZoneAsync(Slack with { ChannelId = "C-empty" }, "UTC", ct);

        var all = await store.ListAllAsync(ct);

        all.Count.ShouldBe(2);
        all.Single(s => s.Channel == Slack).ShouldSatisfyAllConditions(
            s => s.TimeZoneId.ShouldBe("Europe/Berlin"),
            s => s.Slots.Count.ShouldBe(2));
        all.Single(s => s.Channel == Discord).ShouldSatisfyAllConditions(
            s => s.TimeZoneId.ShouldBeNull(),
            s => s.Slots.ShouldBe([new ScheduleSlot(Discord, new TimeOnly(23, 59), ScheduleDays.Weekends)]));
    }

    [Fact]
    public async Task Seed_AppliesOncePerVersion_ChatChangesStandUntilTheConfigChanges()
    {
        var ct = TestContext.Current.CancellationToken;
        ScheduleSlot[] seeded = [new(Slack, new TimeOnly(9, 30), ScheduleDays.Weekdays), new(Slack, new TimeOnly(15, 0), ScheduleDays.Weekdays)];

        (await store.ApplySeedAsync(Slack, "Europe/Berlin", seeded, "v1", ct)).ShouldBeTrue();
        (await store.GetAsync(Slack, ct)).Slots.Count.ShouldBe(2);

        // An admin removes a slot in chat; the next start sees the same config and leaves it removed.
        await store.RemoveSlotAsync(Slack, new TimeOnly(15, 0), ct);
        (await store.ApplySeedAsync(Slack, "Europe/Berlin", seeded, "v1", ct)).ShouldBeFalse();
        (await store.GetAsync(Slack, ct)).Slots.Select(s => s.Time).ShouldBe([new TimeOnly(9, 30)]);

        // The config entry changes: it becomes the channel's schedule.
        (await store.ApplySeedAsync(Slack, "Asia/Tokyo", [new(Slack, new TimeOnly(10, 0), ScheduleDays.Daily)], "v2", ct)).ShouldBeTrue();
        var schedule = await store.GetAsync(Slack, ct);
        schedule.TimeZoneId.ShouldBe("Asia/Tokyo");
        schedule.Slots.ShouldBe([new ScheduleSlot(Slack, new TimeOnly(10, 0), ScheduleDays.Daily)]);
    }

    public void Dispose()
    {
        host.Dispose();
        files.Dispose();
    }
}
