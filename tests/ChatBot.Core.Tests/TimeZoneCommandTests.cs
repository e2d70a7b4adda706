using ChatBot.Core.Messages;

namespace ChatBot.Core.Tests;

/// <summary><c>/drill tz</c>: what the person is told about their zone.</summary>
public class TimeZoneCommandTests
{
    [Fact]
    public async Task Tz_shows_the_local_time_in_the_named_zone_not_in_the_readers()
    {
        // 23:30 UTC on Saturday 28 November is 08:30 on Sunday in Tokyo.
        var bot = new AwayCommandTests.Bot(new DateTimeOffset(2026, 11, 28, 23, 30, 0, TimeSpan.Zero));

        var reply = await bot.SayAsync("tz", "Asia/Tokyo");

        Markup.ToPlainText(reply).ShouldStartWith("Your days are counted in Asia/Tokyo (it's Sun 08:30 there).");
    }

    [Fact]
    public async Task An_unknown_zone_echoed_with_an_emoji_at_the_cut_keeps_the_emoji_whole()
    {
        var bot = new AwayCommandTests.Bot(new DateTimeOffset(2026, 11, 28, 23, 30, 0, TimeSpan.Zero));

        var reply = await bot.SayAsync("tz " + new string('a', 39) + "\U0001F44D\U0001F3FDbbb");

        Markup.Tokenize(reply).First(t => t.Kind == MarkupKind.Literal).Text.ShouldBe(new string('a', 39) + "\U0001F44D\U0001F3FD…");
    }
}
