using ChatBot.Core.Messages;
using ChatBot.Core.Commands;
using ChatBot.Core.Digests;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace ChatBot.Digest.Tests;

/// <summary><c>/drill stats</c> end to end on the real stores: what the digest says, what it draws, and its rate limit.</summary>
public sealed class DigestServiceTests
{
    // Saturday 28 November 2026, 18:00 UTC; the week is Mon 23 – Sun 29 November.
    private static readonly DateTimeOffset Saturday = new(2026, 11, 28, 18, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset On(int day, int hour = 10) => new(2026, 11, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EmptyWeek_SaysSo_AndPointsToDrillNow_WithoutAChart()
    {
        using var bot = new DigestBot(Saturday);

        var reply = await bot.CommandAsync("stats");

        reply.Visibility.ShouldBe(ReplyVisibility.Channel);
        reply.Message.Text.ShouldContain("No breaks yet this week: start one with `/drill now`.");
        reply.Message.File.ShouldBeNull();
    }

    [Fact]
    public async Task Week_CountsPeopleAndBreaks_AgainstLastWeek_BestDay_LeastFunction_AndTopStreaksByName()
    {
        using var bot = new DigestBot(Saturday);
        await bot.BreakAsync("rotation", On(16), "U1"); // last week: 1 break by 1 person
        await bot.BreakAsync("extension", On(23), "U1", "U2", "U3");
        await bot.BreakAsync("catcamel", On(24), "U1", "U2");
        await bot.BreakAsync("extension", On(25), "U1", "U2", "U3", "U4");
        await bot.BreakAsync("rotation", On(25, 14), "U1");
        await bot.SelfLogAsync("@here", On(26));
        await bot.SelfLogAsync("U1", On(26));
        await bot.SelfLogAsync("U1", On(27));

        var reply = await bot.CommandAsync("stats week");
        var text = reply.Message.Text;
        TestContext.Current.TestOutputHelper?.WriteLine(text);

        Markup.ToPlainText(text).ShouldStartWith("Upper back breaks in #general, Mon 23 Nov – Sun 29 Nov 2026\n");
        text.ShouldContain("**13 breaks** by **5 people** this week (+12 breaks, +4 people on last week's 1 by 1)");
        text.ShouldContain("Best day: Wednesday 25 Nov, 5 breaks by 4 people");
        text.ShouldContain("Workdays with a break: 5 of 5 so far (days off never count as misses)");
        text.ShouldContain("Rotation only once this week: try `/drill rotation`");
        Markup.ToPlainText(text).ShouldContain("Top streaks: 1. Ana 5 days");
        text.ShouldNotContain("<@", Case.Sensitive);
        text.ShouldNotContain("@here", Case.Sensitive, "a name is never a mention");

        var file = reply.Message.File.ShouldNotBeNull();
        file.ContentType.ShouldBe("image/png");
        file.FileName.ShouldBe("digest-week-2026-11-23.png");
        using var bitmap = SKBitmap.Decode(file.Content.ToArray());
        (bitmap.Width, bitmap.Height).ShouldBe((1200, 600));
        file.AltText.ShouldContain("Bar chart of upper back breaks per day in #general");
        file.AltText.ShouldContain("Best day: Wednesday 25 Nov, 5 breaks by 4 people");
        file.AltText.ShouldContain("Rotation only once this week: try /drill rotation");
        file.AltText.Length.ShouldBeLessThanOrEqualTo(DigestComposer.MaxAltText);
    }

    [Fact]
    public async Task Days_AreTheChannelsDays_InItsZone()
    {
        using var bot = new DigestBot(Saturday);
        await bot.SetZoneAsync("Pacific/Kiritimati"); // UTC+14
        await bot.SelfLogAsync("U1", new DateTimeOffset(2026, 11, 22, 9, 59, 0, TimeSpan.Zero)); // Sun 22 Nov 23:59 there: last week
        await bot.SelfLogAsync("U2", new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero)); // Mon 23 Nov 00:00 there
        await bot.SelfLogAsync("U3", new DateTimeOffset(2026, 11, 29, 9, 59, 0, TimeSpan.Zero)); // Sun 29 Nov 23:59 there

        var service = bot.Services.GetRequiredService<DigestService>();
        var report = await service.BuildAsync(DigestBot.Channel, DigestPeriodKind.Week, new DateOnly(2026, 11, 25), DigestBot.Ct);

        report.Current.Days[0].Total.ShouldBe(1);
        report.Current.Days[6].Total.ShouldBe(1);
        report.Current.Breaks.ShouldBe(2);
        report.Previous.Breaks.ShouldBe(1);
        report.Today.ShouldBe(new DateOnly(2026, 11, 29), "18:00 UTC Saturday is Sunday morning in Kiritimati");
    }

    [Fact]
    public async Task Functions_AreStacked_WarmupCountsForAllThree_SelfLoggedApart()
    {
        using var bot = new DigestBot(Saturday);
        await bot.BreakAsync("warmup", On(23), "U1");
        await bot.BreakAsync("extension", On(23), "U2");
        await bot.BreakAsync("catcamel", On(23), "U3");
        await bot.SelfLogAsync("U4", On(23));

        var report = await bot.Services.GetRequiredService<DigestService>().BuildAsync(DigestBot.Channel, DigestPeriodKind.Week, new DateOnly(2026, 11, 23), DigestBot.Ct);
        var monday = report.Current.Days[0];

        monday.Breaks.ShouldBe([1, 0, 1, 1, 1]);
        monday.People.ShouldBe(4);
        DigestComposer.LeastDone(report.Current).ShouldBe(("rotation", "rotation", 1));
    }

    [Fact]
    public async Task Month_CoversTheCalendarMonth()
    {
        using var bot = new DigestBot(Saturday);
        await bot.SelfLogAsync("U1", On(1));
        await bot.SelfLogAsync("U1", On(30));
        await bot.SelfLogAsync("U1", new DateTimeOffset(2026, 10, 31, 10, 0, 0, TimeSpan.Zero));

        var text = (await bot.CommandAsync("stats month")).Message.Text;

        Markup.ToPlainText(text).ShouldStartWith("Upper back breaks in #general, November 2026\n");
        text.ShouldContain("**2 breaks** by **1 person** this month (+1 breaks, same people on last month's 1 by 1)");
    }

    [Fact]
    public async Task OnDemand_OncePerChannelPer10Minutes_HeldInTheDatabase_AcrossInstances()
    {
        using var first = new DigestBot(Saturday);
        await first.SelfLogAsync("U1", On(23));
        (await first.CommandAsync("stats")).Visibility.ShouldBe(ReplyVisibility.Channel);

        first.Clock.Advance(TimeSpan.FromMinutes(3));
        var tooSoon = await first.CommandAsync("stats", "U2");
        tooSoon.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
        tooSoon.Message.Text.ShouldContain("The next one can be posted in 7 min");
        tooSoon.Message.File.ShouldBeNull();

        // A second instance on the same database is held to the same turn.
        using var second = new DigestBot(Saturday.AddMinutes(5), first.File);
        (await second.CommandAsync("stats month", "U3")).Visibility.ShouldBe(ReplyVisibility.CallerOnly);

        first.Clock.Advance(TimeSpan.FromMinutes(7));
        (await first.CommandAsync("stats", "U2")).Visibility.ShouldBe(ReplyVisibility.Channel);
    }

    [Fact]
    public async Task OnDemand_RateLimit_OutlivesARestart()
    {
        var directory = DigestBot.CreateDirectory();
        try
        {
            var file = Path.Combine(directory, "chatbot.db");
            using (var before = new DigestBot(Saturday, file))
            {
                await before.SelfLogAsync("U1", On(23));
                (await before.CommandAsync("stats")).Visibility.ShouldBe(ReplyVisibility.Channel);
            }

            // The bot restarts four minutes later on the same database.
            using var after = new DigestBot(Saturday.AddMinutes(4), file);
            var tooSoon = await after.CommandAsync("stats", "U2");

            tooSoon.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
            tooSoon.Message.Text.ShouldContain("The next one can be posted in 6 min");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Days_OnThe25HourDay_InBerlin_KeepTheirLateHour()
    {
        using var bot = new DigestBot(new DateTimeOffset(2026, 10, 26, 12, 0, 0, TimeSpan.Zero));
        await bot.SetZoneAsync("Europe/Berlin");
        // Sunday 25 October 2026 has 25 hours in Berlin: 23:30 there is 22:30 UTC, still Sunday.
        await bot.SelfLogAsync("U1", new DateTimeOffset(2026, 10, 25, 22, 30, 0, TimeSpan.Zero));
        // Monday 26 October 00:30 there is 23:30 UTC on Sunday: Monday, the next week.
        await bot.SelfLogAsync("U2", new DateTimeOffset(2026, 10, 25, 23, 30, 0, TimeSpan.Zero));

        var service = bot.Services.GetRequiredService<DigestService>();
        var last = await service.BuildAsync(DigestBot.Channel, DigestPeriodKind.Week, new DateOnly(2026, 10, 25), DigestBot.Ct);
        var next = await service.BuildAsync(DigestBot.Channel, DigestPeriodKind.Week, new DateOnly(2026, 10, 26), DigestBot.Ct);

        last.Current.Days[6].Total.ShouldBe(1);
        last.Current.Breaks.ShouldBe(1);
        next.Current.Days[0].Total.ShouldBe(1);
        next.Previous.Breaks.ShouldBe(1);
    }

    [Theory]
    [InlineData("stats year")]
    [InlineData("stats week month")]
    public async Task BadPeriod_IsExplained(string command)
    {
        using var bot = new DigestBot(Saturday);

        var reply = await bot.CommandAsync(command);

        reply.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
        reply.Message.Text.ShouldContain("Use `/drill stats week` or `/drill stats month`.");
    }
}
