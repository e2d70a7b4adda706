using System.Text.Json.Nodes;
using ChatBot.Core.Commands;
using ChatBot.Core.Messages;
using Shouldly;

namespace ChatBot.Slack.Tests;

public sealed class SlackBlockKitRendererTests
{
    [Fact]
    public void Render_keeps_the_rendering_of_a_constant_message_and_renders_every_other_message_anew()
    {
        var help = new OutgoingMessage("**Drills**: `/drill list`") { IsConstant = true };
        var first = SlackBlockKitRenderer.Render(help);

        SlackBlockKitRenderer.Render(help).ShouldBeSameAs(first);
        first.Blocks[0]!["text"]!["text"]!.GetValue<string>().ShouldBe("*Drills*: `/drill list`");
        // Another instance (a reply that depends on the user or the time) is rendered from its own text.
        var streak = new OutgoingMessage("**Streak**: 3 days");
        SlackBlockKitRenderer.Render(streak).ShouldNotBeSameAs(SlackBlockKitRenderer.Render(streak));
        SlackBlockKitRenderer.Render(help with { Text = "**Other**" }).Blocks[0]!["text"]!["text"]!.GetValue<string>().ShouldBe("*Other*");

        // Writing it into a payload copies the blocks: a change to one payload never reaches the next.
        var payload = first.WriteTo(new JsonObject());
        payload["blocks"]![0]!["text"]!["text"] = "changed";
        SlackBlockKitRenderer.Render(help).Blocks[0]!["text"]!["text"]!.GetValue<string>().ShouldBe("*Drills*: `/drill list`");
    }

    [Fact]
    public void ToMrkdwn_EscapesSpecialsAndRendersMarkup()
    {
        var mrkdwn = SlackBlockKitRenderer.ToMrkdwn("a < b & c > d **bold & co** `x<y` at {time:1764072000}");
        mrkdwn.ShouldBe("a &lt; b &amp; c &gt; d *bold &amp; co* `x&lt;y` at <!date^1764072000^{time}|Tue 12:00 UTC>");
    }

    [Fact]
    public void ToMrkdwn_ShowsAHostileDisplayNameVerbatimWithoutMarkupMentionsOrReordering()
    {
        var line = $"🥇 {Markup.Plain("*boss* <!channel> _x_ ~y~ `z` & \u202Eevil")}: streak **3 days**";

        SlackBlockKitRenderer.ToMrkdwn(line)
            .ShouldBe("🥇 ＊boss＊ &lt;!channel&gt; ＿x＿ ～y～ ｀z｀ &amp; evil: streak *3 days*");
        SlackBlockKitRenderer.FallbackText(line).ShouldBe("🥇 *boss* &lt;!channel&gt; _x_ ~y~ `z` &amp; evil: streak 3 days");
    }

    [Fact]
    public void Render_ButtonsBecomeAnActionsBlockWithIdValueAndStyle()
    {
        var message = SlackBlockKitRenderer.Render(new OutgoingMessage("Break time", [
            new MessageButton(ButtonAction.Done(7), "Done", ButtonStyle.Primary),
            new MessageButton("other", new string('L', 100)),
        ]));

        message.Blocks.Count.ShouldBe(2);
        var elements = message.Blocks[1]!["elements"]!.AsArray();
        elements[0]!["action_id"]!.GetValue<string>().ShouldBe("done:7");
        elements[0]!["value"]!.GetValue<string>().ShouldBe("done:7");
        elements[0]!["style"]!.GetValue<string>().ShouldBe("primary");
        elements[1]!["text"]!["text"]!.GetValue<string>().Length.ShouldBe(SlackBlockKitRenderer.MaxButtonLabel);
        elements[1]!.AsObject().ContainsKey("style").ShouldBeFalse();
        message.Text.ShouldBe("Break time");
    }

    [Fact]
    public void Render_LongText_SplitsIntoSectionsWithinTheLimit_AtLineBreaks()
    {
        var lines = Enumerable.Range(0, 400).Select(i => $"Line {i:000} & some more words to fill it up");
        var text = string.Join("\n", lines);

        var message = SlackBlockKitRenderer.Render(new OutgoingMessage(text));

        message.Blocks.Count.ShouldBeGreaterThan(1);
        var sections = message.Blocks.Select(b => b!["text"]!["text"]!.GetValue<string>()).ToList();
        sections.ShouldAllBe(s => s.Length <= SlackBlockKitRenderer.MaxSectionText);
        string.Join("\n", sections).ShouldBe(SlackBlockKitRenderer.ToMrkdwn(text));
    }

    [Fact]
    public void Render_HugeText_KeepsToFiftyBlocksIncludingButtons()
    {
        var text = string.Join("\n", Enumerable.Range(0, 10_000).Select(i => $"Row {i} of a very long leaderboard with names"));

        var message = SlackBlockKitRenderer.Render(new OutgoingMessage(text, [new MessageButton("done:1", "Done")]));

        message.Blocks.Count.ShouldBe(SlackBlockKitRenderer.MaxBlocks);
        message.Blocks[^1]!["type"]!.GetValue<string>().ShouldBe("actions");
        message.Blocks.Take(49).ShouldAllBe(b => b!["text"]!["text"]!.GetValue<string>().Length <= SlackBlockKitRenderer.MaxSectionText);
        message.Blocks[48]!["text"]!["text"]!.GetValue<string>().ShouldEndWith("…");
        message.Text.Length.ShouldBeLessThanOrEqualTo(SlackBlockKitRenderer.MaxFallbackText);
    }

    [Fact]
    public void Render_OneEndlessLine_NeverCutsAnEntityOrDateToken()
    {
        var text = string.Concat(Enumerable.Repeat("x&y {time:1764072000} ", 400));

        var message = SlackBlockKitRenderer.Render(new OutgoingMessage(text));

        foreach (var section in message.Blocks.Select(b => b!["text"]!["text"]!.GetValue<string>()))
        {
            section.Length.ShouldBeLessThanOrEqualTo(SlackBlockKitRenderer.MaxSectionText);
            section.Count(c => c == '<').ShouldBe(section.Count(c => c == '>'));
            section.ShouldNotEndWith("&amp");
        }
    }

    [Fact]
    public void Render_TooManyButtonsOrOverlongIds_StaysWithinLimits()
    {
        var buttons = Enumerable.Range(0, 30).Select(i => new MessageButton("b" + i, "B" + i))
            .Append(new MessageButton(new string('x', 300), "too long id"))
            .ToList();

        var message = SlackBlockKitRenderer.Render(new OutgoingMessage("pick", buttons));

        var elements = message.Blocks[^1]!["elements"]!.AsArray();
        elements.Count.ShouldBe(SlackBlockKitRenderer.MaxButtons);
        elements.ShouldAllBe(e => e!["action_id"]!.GetValue<string>().Length <= SlackBlockKitRenderer.MaxActionId);
    }

    [Fact]
    public void ToResponsePayload_MapsVisibility()
    {
        SlackInteractionDispatcher.ToResponsePayload(CommandReply.ToCaller("hi"), null)["response_type"]!.GetValue<string>().ShouldBe("ephemeral");
        var channel = SlackInteractionDispatcher.ToResponsePayload(CommandReply.ToChannel("**Top**"), false);
        channel["response_type"]!.GetValue<string>().ShouldBe("in_channel");
        channel["replace_original"]!.GetValue<bool>().ShouldBeFalse();
        channel["blocks"]!.AsArray()[0]!["text"]!["text"]!.GetValue<string>().ShouldBe("*Top*");
        channel["text"]!.GetValue<string>().ShouldBe("Top");
    }

    [Fact]
    public void Render_EmptyText_StillHasFallbackAndNoEmptySection()
    {
        var message = SlackBlockKitRenderer.Render(new OutgoingMessage("", [new MessageButton("a", "A")]));
        message.Text.ShouldNotBeNullOrEmpty();
        message.Blocks.Count.ShouldBe(1);
        message.WriteTo(new JsonObject())["blocks"].ShouldNotBeNull();
    }
}
