using ChatBot.Core.Messages;
using ChatBot.Discord.Rendering;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

public sealed class RendererTests
{
    [Fact]
    public void A_constant_message_is_rendered_once_and_every_reply_gets_its_own_payload()
    {
        var list = new OutgoingMessage("**Drills**: `/drill list` for ana_b", [new MessageButton("done:1", "Done")]) { IsConstant = true };
        var first = DiscordRenderer.RenderMessages(list).ShouldHaveSingleItem();
        var again = DiscordRenderer.RenderMessages(list).ShouldHaveSingleItem();

        // Rendered once: the second reply carries the very same content string, in a payload of its own.
        var content = first["content"]!.GetValue<string>();
        content.ShouldBe("**Drills**: `/drill list` for ana\\_b");
        ReferenceEquals(again["content"]!.GetValue<string>(), content).ShouldBeTrue("the markup is not rendered again");
        ReferenceEquals(DiscordRenderer.RenderSingle(list)["content"]!.GetValue<string>(), content).ShouldBeTrue();
        again.ShouldNotBeSameAs(first);

        // A reply changed on its way out (made ephemeral, content edited, a button removed) never reaches the next.
        first["flags"] = 64;
        first["content"] = "changed";
        first["components"]!.AsArray().Clear();
        var next = DiscordRenderer.RenderMessages(list).ShouldHaveSingleItem();
        next["content"]!.GetValue<string>().ShouldBe(content);
        next["flags"].ShouldBeNull();
        next["components"]!.AsArray().ShouldHaveSingleItem();

        // A message that is not constant (a streak, a copy with other text) is rendered from its own text every time.
        var streak = new OutgoingMessage("**Streak**: 3 days");
        ReferenceEquals(DiscordRenderer.RenderSingle(streak)["content"]!.GetValue<string>(), DiscordRenderer.RenderSingle(streak)["content"]!.GetValue<string>())
            .ShouldBeFalse();
        DiscordRenderer.RenderSingle(list with { Text = "**Other**" })["content"]!.GetValue<string>().ShouldBe("**Other**");
    }

    [Fact]
    public void Markup_becomes_discord_markdown_with_local_times_and_escaped_text()
    {
        DiscordRenderer.RenderText("**Rotation** at {time:1764061200} for `ana_b` and bob_c *now*")
            .ShouldBe("**Rotation** at <t:1764061200:t> for `ana_b` and bob\\_c \\*now\\*");
    }

    [Fact]
    public void A_hostile_display_name_shows_verbatim_without_markdown_mentions_links_or_reordering()
    {
        var line = $"🥇 {Markup.Plain("*boss* <!channel> @everyone <@123> [x](https://e.vil) # -_~|`\\ \u202Eevil")}: streak **3 days**";

        DiscordRenderer.RenderText(line).ShouldBe(
            "🥇 \\*boss\\* \\<!channel\\> @\u200Beveryone \\<@\u200B123\\> \\[x\\]\\(https\\://e.vil\\) \\# \\-\\_\\~\\|\\`\\\\ evil: streak **3 days**");
    }

    [Fact]
    public void Every_payload_suppresses_mentions()
    {
        var payload = DiscordRenderer.RenderSingle(new OutgoingMessage("Leaderboard: @everyone"));
        payload["allowed_mentions"]!.ToJsonString().ShouldBe("""{"parse":[]}""");
    }

    [Fact]
    public void Long_text_is_split_at_line_breaks_within_2000_characters_and_buttons_go_last()
    {
        var lines = Enumerable.Range(0, 120).Select(i => $"Line {i}: " + new string('x', 30));
        var message = new OutgoingMessage(string.Join("\n", lines), [new MessageButton("done:1", "Done", ButtonStyle.Success)]);
        var parts = DiscordRenderer.RenderMessages(message);
        parts.Count.ShouldBeGreaterThan(1);
        parts.ShouldAllBe(p => p["content"]!.GetValue<string>().Length <= 2000);
        parts[^1]["components"]!.AsArray().Count.ShouldBe(1);
        parts[0]["components"]!.AsArray().Count.ShouldBe(0);
        string.Join("\n", parts.Select(p => p["content"]!.GetValue<string>())).ShouldBe(DiscordRenderer.RenderText(message.Text));
    }

    [Fact]
    public void A_single_payload_is_trimmed_to_the_limit()
    {
        var payload = DiscordRenderer.RenderSingle(new OutgoingMessage(new string('a', 2500)));
        payload["content"]!.GetValue<string>().Length.ShouldBe(2000);
    }

    [Fact]
    public void Buttons_fill_at_most_five_rows_of_five_and_skip_oversized_ids()
    {
        var buttons = Enumerable.Range(0, 30).Select(i => new MessageButton($"b:{i}", "B" + i))
            .Append(new MessageButton(new string('x', 101), "Too long"))
            .Prepend(new MessageButton("p", new string('L', 90), ButtonStyle.Primary))
            .ToList();
        var rows = DiscordRenderer.RenderComponents(buttons);
        rows.Count.ShouldBe(5);
        rows.ShouldAllBe(r => r!["components"]!.AsArray().Count <= 5);
        var all = rows.SelectMany(r => r!["components"]!.AsArray()).ToList();
        all.Count.ShouldBe(25);
        all.ShouldAllBe(b => b!["custom_id"]!.GetValue<string>().Length <= 100);
        all[0]!["style"]!.GetValue<int>().ShouldBe(1);
        all[0]!["label"]!.GetValue<string>().Length.ShouldBeLessThanOrEqualTo(80);
        all[1]!["style"]!.GetValue<int>().ShouldBe(2);
    }
}
