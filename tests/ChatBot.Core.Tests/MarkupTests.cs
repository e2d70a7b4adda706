using ChatBot.Core.Messages;

namespace ChatBot.Core.Tests;

public class MarkupTests
{
    [Fact]
    public void Plain_text_from_users_cannot_format_or_mention()
    {
        var plain = Markup.Plain("**Ana** <@U123> `x` {time:1}\n@here");
        plain.ShouldNotContain("*");
        plain.ShouldNotContain("<");
        plain.ShouldNotContain("`");
        plain.ShouldNotContain("{");
        plain.ShouldNotContain("@");
        plain.ShouldNotContain("\n");
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
