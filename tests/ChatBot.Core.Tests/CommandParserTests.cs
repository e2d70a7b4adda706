using ChatBot.Core.Commands;
using ChatBot.Core.Messages;
using ChatBot.Core.Streaks;

namespace ChatBot.Core.Tests;

public class CommandParserTests
{
    private readonly CommandParser _parser = new(TestCatalog.Shipped);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("help")]
    [InlineData("HELP")]
    [InlineData("/drill")]
    [InlineData("/drill help")]
    [InlineData("\u0000\u0001\u200B\u00A0")] // only invisible characters: nothing was typed
    public void Help_is_what_an_empty_or_help_command_means(string? text) =>
        _parser.Parse(text).ShouldBeOfType<ParsedCommand.Help>();

    [Theory]
    [InlineData("remind 15:00", 15, 0)]
    [InlineData("remind 9:05", 9, 5)]
    [InlineData("Reminder at 23:59", 23, 59)]
    public void Remind_with_a_time_sets_the_daily_reminder(string text, int hour, int minute) =>
        _parser.Parse(text).ShouldBe(new ParsedCommand.Remind(At: new TimeOnly(hour, minute)));

    [Fact]
    public void Remind_alone_shows_and_remind_off_stops()
    {
        _parser.Parse("remind").ShouldBe(new ParsedCommand.Remind());
        _parser.Parse("remind OFF").ShouldBe(new ParsedCommand.Remind(Off: true));
    }

    [Theory]
    [InlineData("remind 24:00")]
    [InlineData("remind 3pm")]
    [InlineData("remind 15:00 16:00")]
    public void A_bad_reminder_time_says_what_is_valid(string text) =>
        _parser.Parse(text).ShouldBeOfType<ParsedCommand.Invalid>().Message.ShouldContain("write it as HH:MM, 00:00 to 23:59");

    [Theory]
    [InlineData("rotation", "rotation")]
    [InlineData("  Rotation  ", "rotation")]
    [InlineData("extension", "extension")]
    [InlineData("catcamel", "catcamel")]
    [InlineData("flexion", "catcamel")]
    [InlineData("warmup", "warmup")]
    [InlineData("/drill rotation", "rotation")]
    public void A_drill_name_or_alias_starts_that_drill(string text, string drillId) =>
        _parser.Parse(text).ShouldBe(new ParsedCommand.StartDrill(drillId));

    [Theory]
    [InlineData("/drill streak\u200B")] // a zero-width space pasted from a web page
    [InlineData("\uFEFF/drill streak")] // a byte order mark
    [InlineData("/drill\u00A0streak")] // no-break space
    [InlineData("/drill\u3000streak")] // ideographic space
    [InlineData("/drill\tstreak\r\n")]
    [InlineData("/drill\u2028streak")] // line separator
    [InlineData("str\u200Deak\u2060")] // joiner inside, word joiner after
    [InlineData("\u202Estreak\u202C")] // right-to-left override around it
    [InlineData("\u2066streak\u2069")] // isolates
    public void Pasted_spaces_and_invisible_characters_do_not_change_the_command(string text) =>
        _parser.Parse(text).ShouldBeOfType<ParsedCommand.Streak>();

    [Theory]
    [InlineData("leaderboard\u00A0month", LeaderboardPeriod.Month)]
    [InlineData("leaderboard\u2003\u200Ball\u200B", LeaderboardPeriod.All)]
    [InlineData("\u200Bleaderboard\u202F\u202Fweek", LeaderboardPeriod.Week)]
    public void Any_unicode_space_separates_arguments(string text, LeaderboardPeriod period) =>
        _parser.Parse(text).ShouldBe(new ParsedCommand.Leaderboard(period));

    [Fact]
    public void Normalize_turns_every_space_into_a_space_and_drops_format_and_control_characters()
    {
        CommandText.Normalize("\uFEFF a\u00A0b\u2009c\u3000d\te\u0085f\u200Bg\u200Ch\u200Di\u2060j\u202Ek\u0007l ").ShouldBe("a b c d e fghijkl");
        CommandText.Normalize(null).ShouldBe("");
        CommandText.Normalize("tz Europe/Berlin").ShouldBe("tz Europe/Berlin");
    }

    [Fact]
    public void Echoed_bad_input_is_a_literal_span_without_invisible_characters()
    {
        var invalid = _parser.Parse("leaderboard <!channel>\u202Eforever").ShouldBeOfType<ParsedCommand.Invalid>();
        Markup.Tokenize(invalid.Message).Single(t => t.Kind == MarkupKind.Literal).Text.ShouldBe("<!channel>forever");
    }

    [Theory]
    [InlineData("list", typeof(ParsedCommand.List))]
    [InlineData("now", typeof(ParsedCommand.Now))]
    [InlineData("done", typeof(ParsedCommand.Done))]
    [InlineData("streak", typeof(ParsedCommand.Streak))]
    public void Action_words_parse_to_their_commands(string text, Type expected) =>
        _parser.Parse(text).ShouldBeOfType(expected);

    [Theory]
    [InlineData("leaderboard", LeaderboardPeriod.Week)]
    [InlineData("leaderboard week", LeaderboardPeriod.Week)]
    [InlineData("leaderboard MONTH", LeaderboardPeriod.Month)]
    [InlineData("leaderboard all", LeaderboardPeriod.All)]
    public void Leaderboard_defaults_to_this_week_and_takes_a_period(string text, LeaderboardPeriod period) =>
        _parser.Parse(text).ShouldBe(new ParsedCommand.Leaderboard(period));

    [Fact]
    public void A_bad_leaderboard_period_says_which_periods_are_valid()
    {
        var invalid = _parser.Parse("leaderboard year").ShouldBeOfType<ParsedCommand.Invalid>();
        Markup.ToPlainText(invalid.Message).ShouldContain("'year'");
        invalid.Message.ShouldContain("month");
        invalid.Message.ShouldContain("all");
    }

    [Fact]
    public void A_typo_in_a_drill_names_the_drill_meant_and_lists_the_drills()
    {
        var invalid = _parser.Parse("rotaton").ShouldBeOfType<ParsedCommand.Invalid>();
        Markup.ToPlainText(invalid.Message).ShouldBe("Unknown drill 'rotaton'. Did you mean rotation? Drills: extension, rotation, catcamel, warmup.");
    }

    [Theory]
    [InlineData("leaderbord", "leaderboard")]
    [InlineData("stak", "streak")]
    [InlineData("lsit", "list")]
    public void A_typo_in_a_command_names_the_command_meant(string text, string meant)
    {
        var invalid = _parser.Parse(text).ShouldBeOfType<ParsedCommand.Invalid>();
        invalid.Message.ShouldContain($"Did you mean `/drill {meant}`?");
    }

    [Theory]
    [InlineData("xyzzy")]
    [InlineData("🙂🙂🙂")]
    [InlineData("'; DROP TABLE completions; --")]
    public void Junk_gets_a_reply_listing_what_is_valid(string text)
    {
        var invalid = _parser.Parse(text).ShouldBeOfType<ParsedCommand.Invalid>();
        invalid.Message.ShouldContain("Drills: extension, rotation, catcamel, warmup");
    }

    [Fact]
    public void Echoed_junk_is_shortened_and_cannot_ping_or_inject_markup()
    {
        var invalid = _parser.Parse("@everyone<!channel>**bold**" + new string('x', 5000)).ShouldBeOfType<ParsedCommand.Invalid>();
        invalid.Message.Length.ShouldBeLessThan(400);

        // The echo is one literal span (each renderer escapes it for its platform); nothing in it became markup.
        var tokens = Markup.Tokenize(invalid.Message).ToList();
        tokens.Where(t => t.Kind == MarkupKind.Literal).ShouldHaveSingleItem().Text.ShouldStartWith("@everyone<!channel>**bold**xxx");
        tokens.ShouldNotContain(t => t.Kind == MarkupKind.Bold && t.Text == "bold");
    }

    [Theory]
    [InlineData("\U0001F44D")] // 👍, a surrogate pair
    [InlineData("\U0001F44D\U0001F3FD")] // 👍🏽, with a skin tone modifier
    public void An_emoji_at_the_cut_of_the_echo_stays_whole(string emoji)
    {
        var invalid = _parser.Parse("tz " + new string('a', 39) + emoji + "bbb more").ShouldBeOfType<ParsedCommand.Invalid>();

        var echoed = Markup.Tokenize(invalid.Message).Single(t => t.Kind == MarkupKind.Literal).Text;
        echoed.ShouldBe(new string('a', 39) + emoji + "…");
    }

    [Fact]
    public void Words_after_a_command_that_takes_none_are_refused_not_ignored()
    {
        var invalid = _parser.Parse("done twice").ShouldBeOfType<ParsedCommand.Invalid>();
        invalid.Message.ShouldContain("`/drill done` takes nothing after it");
    }

    [Fact]
    public void Tz_takes_one_zone_or_none()
    {
        _parser.Parse("tz Europe/Berlin").ShouldBe(new ParsedCommand.TimeZone("Europe/Berlin"));
        _parser.Parse("tz").ShouldBe(new ParsedCommand.TimeZone(null));
        _parser.Parse("tz New York").ShouldBeOfType<ParsedCommand.Invalid>().Message.ShouldContain("America/New_York");
    }

    [Fact]
    public void Schedule_passes_its_words_on()
    {
        var schedule = _parser.Parse("schedule add 09:30 mon-fri").ShouldBeOfType<ParsedCommand.Schedule>();
        schedule.Arguments.ShouldBe(["add", "09:30", "mon-fri"]);
    }
}
