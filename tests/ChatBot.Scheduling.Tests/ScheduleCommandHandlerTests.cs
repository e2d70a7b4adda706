using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Messages;
using ChatBot.Core.Digests;
using ChatBot.Core.Schedules;
using ChatBot.Scheduling.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

public sealed class ScheduleCommandHandlerTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T1", "C1");
    private static readonly ChatUser Admin = new("U1", "Ada", IsAdmin: true);
    private static readonly ChatUser Member = new("U2", "Bob");

    private readonly InMemoryScheduleStore store = new();
    private readonly RecordingScheduleSync sync = new();
    private readonly InMemoryDigestStore digests = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero)); // a Wednesday
    private readonly ScheduleCommandHandler handler;

    public ScheduleCommandHandlerTests()
    {
        handler = new ScheduleCommandHandler(
            store,
            sync,
            digests,
            clock,
            Options.Create(new BreaksOptions { DefaultTimeZone = "UTC" }),
            NullLogger<ScheduleCommandHandler>.Instance);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("add 09:30")]
    [InlineData("remove 09:30")]
    [InlineData("tz Europe/Berlin")]
    [InlineData("digest off")]
    public async Task NonAdmin_IsPolitelyRefused_AndNothingChanges(string command)
    {
        await store.UpsertSlotAsync(new ScheduleSlot(Channel, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);

        var reply = await RunAsync(command, Member);

        reply.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
        reply.Message.Text.ShouldContain("only admins");
        (await store.GetAsync(Channel, CancellationToken.None)).Slots.ShouldHaveSingleItem();
        (await store.GetAsync(Channel, CancellationToken.None)).TimeZoneId.ShouldBeNull();
        sync.Synced.ShouldBeEmpty();
    }

    [Fact]
    public async Task Add_DefaultsToWeekdays_StoresAndSyncs_AndTellsTheChannel()
    {
        var reply = await RunAsync("add 09:30");

        reply.Visibility.ShouldBe(ReplyVisibility.Channel);
        reply.Message.Text.ShouldContain("**09:30**");
        reply.Message.Text.ShouldContain("on weekdays (time zone UTC, the default)");
        reply.Message.Text.ShouldContain("{time:" + new DateTimeOffset(2026, 11, 25, 9, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds() + "}");
        (await store.GetAsync(Channel, CancellationToken.None)).Slots
            .ShouldBe([new ScheduleSlot(Channel, new TimeOnly(9, 30), ScheduleDays.Weekdays)]);
        sync.Synced.ShouldBe([Channel]);
    }

    [Theory]
    [InlineData("add 14:00 mon,wed,fri", ScheduleDays.Monday | ScheduleDays.Wednesday | ScheduleDays.Friday)]
    [InlineData("add 14:00 mon, wed, fri", ScheduleDays.Monday | ScheduleDays.Wednesday | ScheduleDays.Friday)]
    [InlineData("add 14:00 mon wed fri", ScheduleDays.Monday | ScheduleDays.Wednesday | ScheduleDays.Friday)]
    [InlineData("add 14:00 daily", ScheduleDays.Daily)]
    [InlineData("add 14:00 mon-fri", ScheduleDays.Weekdays)]
    [InlineData("ADD 14:00 Weekends", ScheduleDays.Weekends)]
    public async Task Add_WithDays(string command, ScheduleDays days)
    {
        await RunAsync(command);

        (await store.GetAsync(Channel, CancellationToken.None)).Slots.ShouldBe([new ScheduleSlot(Channel, new TimeOnly(14, 0), days)]);
    }

    [Fact]
    public async Task Add_SameTimeOtherDays_ChangesTheDays()
    {
        await RunAsync("add 09:30");
        var reply = await RunAsync("add 09:30 daily");

        reply.Message.Text.ShouldContain("now runs every day (was on weekdays)");
        (await store.GetAsync(Channel, CancellationToken.None)).Slots.ShouldBe([new ScheduleSlot(Channel, new TimeOnly(9, 30), ScheduleDays.Daily)]);
        sync.Synced.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Add_Duplicate_SaysSo_WithoutResync()
    {
        await RunAsync("add 09:30");
        var reply = await RunAsync("add 9:30 weekdays");

        reply.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
        reply.Message.Text.ShouldContain("already");
        sync.Synced.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("add 9.30", "is not a time", "HH:MM")]
    [InlineData("add 25:00", "is not a time", "HH:MM")]
    [InlineData("add", "Which time?", "HH:MM")]
    [InlineData("add 09:30 mon-fro", "is not a set of days", "`mon,wed,fri`")]
    [InlineData("add 09:30 someday", "is not a set of days", "`weekdays`")]
    [InlineData("remove", "Remove which break?", "HH:MM")]
    [InlineData("remove noon", "Remove which break?", "HH:MM")]
    [InlineData("tz Mars/Phobos", "Unknown time zone 'Mars/Phobos'", "`Europe/Berlin`")]
    [InlineData("tz Europe/Berln", "Did you mean `Europe/Berlin`?", "IANA")]
    [InlineData("tz Eastern Standard Time", "Unknown time zone", "IANA")]
    [InlineData("frobnicate", "Unknown schedule command 'frobnicate'", "/drill schedule add HH:MM [days]")]
    public async Task BadInput_GetsAReplyNamingWhatIsValid_AndChangesNothing(string command, string complaint, string valid)
    {
        var reply = await RunAsync(command);

        reply.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
        var text = reply.Message.Text.Replace("\uE000", "", StringComparison.Ordinal).Replace("\uE001", "", StringComparison.Ordinal); // the echo's literal-span markers
        text.ShouldContain(complaint);
        text.ShouldContain(valid);
        (await store.GetAsync(Channel, CancellationToken.None)).Slots.ShouldBeEmpty();
        sync.Synced.ShouldBeEmpty();
    }

    [Fact]
    public async Task BadInput_IsEchoedInert()
    {
        var reply = await RunAsync("add <!channel>**x**");

        // One literal span, which every renderer escapes for its platform: nothing in it became markup.
        var tokens = Markup.Tokenize(reply.Message.Text).ToList();
        tokens.Where(t => t.Kind == MarkupKind.Literal).ShouldHaveSingleItem().Text.ShouldBe("<!channel>**x**");
        tokens.ShouldNotContain(t => t.Kind == MarkupKind.Bold);
    }

    [Fact]
    public async Task Remove_Existing_RemovesAndSyncs()
    {
        await RunAsync("add 09:30");
        await RunAsync("add 14:00");

        var reply = await RunAsync("remove 09:30");

        reply.Visibility.ShouldBe(ReplyVisibility.Channel);
        reply.Message.Text.ShouldContain("Removed the **09:30** break");
        (await store.GetAsync(Channel, CancellationToken.None)).Slots.Select(s => s.Time).ShouldBe([new TimeOnly(14, 0)]);
        sync.Synced.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Remove_Missing_ListsWhatIsThere()
    {
        await RunAsync("add 14:00");

        var reply = await RunAsync("remove 09:30");

        reply.Message.Text.ShouldContain("There is no break at `09:30`");
        reply.Message.Text.ShouldContain("`14:00`");
        sync.Synced.Count.ShouldBe(1);
    }

    [Fact]
    public async Task List_Empty_ExplainsHowToAdd()
    {
        var reply = await RunAsync("list");

        reply.Message.Text.ShouldContain("No scheduled breaks yet");
        reply.Message.Text.ShouldContain("/drill schedule add 09:30");
        reply.Message.Text.ShouldContain("UTC, the default");
    }

    [Fact]
    public async Task List_ShowsSlotsInOrder_ZoneAndNextBreak()
    {
        await RunAsync("tz Europe/Berlin");
        await RunAsync("add 14:00 mon,wed,fri");
        await RunAsync("add 09:30");

        var reply = await RunAsync(string.Empty);

        reply.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
        var text = reply.Message.Text;
        text.ShouldContain("time zone Europe/Berlin");
        text.IndexOf("`09:30` weekdays", StringComparison.Ordinal).ShouldBeLessThan(text.IndexOf("`14:00` mon,wed,fri", StringComparison.Ordinal));
        // 08:00 UTC on Wednesday is 09:00 in Berlin: the next break is 09:30 Berlin = 08:30 UTC today.
        text.ShouldContain("Next break: {time:" + new DateTimeOffset(2026, 11, 25, 8, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds() + "}");
    }

    [Fact]
    public async Task Tz_SetsTheChannelZone_Canonically_AndSyncs()
    {
        var reply = await RunAsync("tz america/new_york");

        reply.Visibility.ShouldBe(ReplyVisibility.Channel);
        reply.Message.Text.ShouldContain("**America/New_York**");
        (await store.GetAsync(Channel, CancellationToken.None)).TimeZoneId.ShouldBe("America/New_York");
        sync.Synced.ShouldBe([Channel]);

        var show = await RunAsync("tz");
        show.Message.Text.ShouldContain("America/New_York");
    }

    [Fact]
    public async Task Add_BeyondTheLimit_IsRefused()
    {
        for (var i = 0; i < ScheduleCommandHandler.MaxSlotsPerChannel; i++)
        {
            await RunAsync($"add {8 + i}:00");
        }

        var reply = await RunAsync("add 23:00");

        reply.Message.Text.ShouldContain("the most it can have");
        (await store.GetAsync(Channel, CancellationToken.None)).Slots.Count.ShouldBe(ScheduleCommandHandler.MaxSlotsPerChannel);

        // Changing the days of an existing slot is still fine at the limit.
        (await RunAsync("add 08:00 daily")).Visibility.ShouldBe(ReplyVisibility.Channel);
    }

    [Fact]
    public async Task Channels_AreIndependent()
    {
        var other = Channel with { ChannelId = "C2" };
        await RunAsync("add 09:30");
        await handler.HandleAsync(new CommandInvocation(other, Admin, "schedule add 11:00"), ["add", "11:00"], CancellationToken.None);

        (await store.GetAsync(Channel, CancellationToken.None)).Slots.Select(s => s.Time).ShouldBe([new TimeOnly(9, 30)]);
        (await store.GetAsync(other, CancellationToken.None)).Slots.Select(s => s.Time).ShouldBe([new TimeOnly(11, 0)]);
    }

    [Fact]
    public async Task Digest_DefaultsToFriday1600_CanMove_AndTurnOff_ShownInList()
    {
        await RunAsync("tz Europe/Berlin");
        await RunAsync("add 09:30");

        (await RunAsync("list")).Message.Text.ShouldContain("Weekly digest: **fri 16:00** (Europe/Berlin), the default");

        var moved = await RunAsync("digest mon 08:45");
        moved.Visibility.ShouldBe(ReplyVisibility.Channel);
        moved.Message.Text.ShouldContain("**mon 08:45**");
        (await digests.GetSettingAsync(Channel, CancellationToken.None)).ShouldBe(new(true, new(DayOfWeek.Monday, new TimeOnly(8, 45))));
        sync.Synced.Count.ShouldBe(3);

        var off = await RunAsync("digest off");
        off.Message.Text.ShouldContain("Weekly digest: **off**");
        (await RunAsync("list")).Message.Text.ShouldContain("Weekly digest: **off**");
        sync.Synced.Count.ShouldBe(4);
    }

    [Theory]
    [InlineData("digest someday 16:00", "is not one day of the week")]
    [InlineData("digest mon-fri 16:00", "is not one day of the week")]
    [InlineData("digest fri 25:00", "is not a time")]
    [InlineData("digest fri", "is not one day of the week")]
    public async Task Digest_BadInput_IsExplained_AndChangesNothing(string command, string expected)
    {
        var reply = await RunAsync(command);

        reply.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
        reply.Message.Text.ShouldContain(expected);
        (await digests.GetSettingAsync(Channel, CancellationToken.None)).ShouldBe(DigestSetting.Default);
        sync.Synced.ShouldBeEmpty();
    }

    private Task<CommandReply> RunAsync(string arguments, ChatUser? caller = null) =>
        handler.HandleAsync(
            new CommandInvocation(Channel, caller ?? Admin, ("schedule " + arguments).Trim()),
            arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            CancellationToken.None);
}
