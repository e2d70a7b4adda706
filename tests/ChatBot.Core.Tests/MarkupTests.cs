using ChatBot.Core.Messages;

namespace ChatBot.Core.Tests;

public class MarkupTests
{
    [Fact]
    public void User_text_is_one_literal_span_whatever_markup_it_contains()
    {
        var tokens = Markup.Tokenize($"1. {Markup.Plain("**Ana** <@U123> `x` {time:1}\n@here")}: **3 days**").ToList();

        tokens.Select(t => t.Kind).ShouldBe([MarkupKind.Text, MarkupKind.Literal, MarkupKind.Text, MarkupKind.Bold]);
        tokens[1].Text.ShouldBe("**Ana** <@U123> `x` {time:1} @here"); // verbatim for the renderer to escape; the line break is a space
        tokens[3].Text.ShouldBe("3 days");
    }

    [Fact]
    public void User_text_cannot_close_its_span_early_or_forge_one()
    {
        var forged = Markup.Plain("x\uE001 **bold** \uE000y");

        Markup.Tokenize($"{forged} after").Select(t => (t.Kind, t.Text)).ShouldBe([(MarkupKind.Literal, "x **bold** y"), (MarkupKind.Text, " after")]);
    }

    [Fact]
    public void A_right_to_left_override_in_a_name_is_removed_so_it_cannot_flip_the_rest_of_the_line()
    {
        var line = Markup.ToPlainText($"{Markup.Plain("Eve\u202Ekcol\u202D\u2066")}: streak 3 days");

        line.ShouldBe("Evekcol: streak 3 days");
    }

    [Fact]
    public void A_right_to_left_name_is_isolated_and_emoji_joiners_stay()
    {
        Markup.ToPlainText(Markup.Plain("مريم")).ShouldBe("\u2068مريم\u2069");
        Markup.ToPlainText(Markup.Plain("Sam 👩\u200D💻\u200B\u0007")).ShouldBe("Sam 👩\u200D💻");
    }

    [Fact]
    public void Tokenize_splits_bold_code_and_times_in_order()
    {
        var moment = DateTimeOffset.FromUnixTimeSeconds(1_764_000_000);
        var tokens = Markup.Tokenize($"Hi {Markup.Bold("Ana")}, run {Markup.Code("/drill now")} at {Markup.Time(moment)}.").ToList();
        tokens.Select(t => t.Kind).ShouldBe([MarkupKind.Text, MarkupKind.Bold, MarkupKind.Text, MarkupKind.Code, MarkupKind.Text, MarkupKind.Time, MarkupKind.Text]);
        tokens[1].Text.ShouldBe("Ana");
        tokens[3].Text.ShouldBe("/drill now");
        tokens[5].Time.ShouldBe(moment);
    }

    [Fact]
    public void Plain_rendering_shows_times_in_the_given_zone()
    {
        var moment = new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
        Markup.ToPlainText($"at {Markup.Time(moment)}", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"))
            .ShouldBe("at Wed 14:00 Europe/Berlin");
    }
}
