using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Host.ConsoleChat;

namespace ChatBot.Host.Tests;

/// <summary>Direct messages in the console chat (issue 12): printed as a DM, buttons offered as words that tap them there.</summary>
public sealed class ConsoleDirectMessageTests
{
    [Fact]
    public async Task A_DM_prints_as_a_DM_and_its_buttons_are_words_that_tap_them_in_the_DM()
    {
        using var output = new StringWriter();
        var transcript = new ConsoleTranscript(new StringReader(""), output);
        var platform = new ConsolePlatform(transcript);
        var message = new OutgoingMessage(
            "👋 No break logged yet today.",
            [new MessageButton("remind-start:7", "Start", ButtonStyle.Primary), new MessageButton("remind-done:7", "Done", ButtonStyle.Success)]);

        var receipt = await platform.SendDirectMessageAsync(new TeamKey(ChatPlatform.Console, "console"), "local-user", message, new PostOptions("remind:7"), TestContext.Current.CancellationToken);

        output.ToString().ShouldStartWith("bot (DM to you): 👋 No break logged yet today.");
        output.ToString().ShouldContain("[ Start ]  type \"start\" to tap it");
        transcript.TryGetButton("done", out var action, out var channel).ShouldBeTrue();
        action.ShouldBe("remind-done:7");
        channel.ShouldBe(new ChannelKey(ChatPlatform.Console, "console", receipt.ChannelId));

        // A break started from the DM posts into the DM conversation: printed as a DM too.
        await platform.PostAsync(channel, new OutgoingMessage("**Upper back break**"), new PostOptions("b1s0"), TestContext.Current.CancellationToken);
        output.ToString().ShouldContain("bot (DM to you): Upper back break");
    }
}
