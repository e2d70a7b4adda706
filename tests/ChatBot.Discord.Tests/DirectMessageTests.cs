using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

/// <summary>Direct messages (issue 12) against the fake Discord: the DM channel, closed DMs (50007), message links.</summary>
public sealed class DirectMessageTests
{
    private static readonly TeamKey Guild = new(ChatPlatform.Discord, "G1");

    [Fact]
    public async Task A_DM_opens_the_persons_DM_channel_once_and_posts_there_with_the_DMs_nonce()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Route == "POST users/@me/channels"
            ? new FakeResponse(200, $$"""{"id":"9{{request.Json.GetProperty("recipient_id").GetString()}}","type":1}""")
            : null;
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);
        var ct = TestContext.Current.CancellationToken;
        var message = new OutgoingMessage("⏰ Your break", [new MessageButton("snooze-done:9", "Done", ButtonStyle.Success)]);

        var first = await platform.SendDirectMessageAsync(Guild, "42", message, new PostOptions("snooze:9:42"), ct);
        var second = await platform.SendDirectMessageAsync(Guild, "42", new OutgoingMessage("👋 No break logged yet today."), new PostOptions("remind:3"), ct);

        first.ChannelId.ShouldBe("942");
        second.ChannelId.ShouldBe("942");
        harness.Fake.Requests.Where(r => r.Route == "POST users/@me/channels").ShouldHaveSingleItem()
            .Json.GetProperty("recipient_id").GetString().ShouldBe("42");
        var posts = harness.Fake.Requests.Where(r => r.Route == "POST channels/942/messages").ToList();
        posts.Count.ShouldBe(2);
        posts[0].Json.GetProperty("nonce").GetString().ShouldBe("snooze:9:42");
        posts[0].Json.GetProperty("enforce_nonce").GetBoolean().ShouldBeTrue();
        posts[0].Body.ShouldContain("snooze-done:9");
        first.MessageId.ShouldNotBe(second.MessageId);
    }

    [Fact]
    public async Task Closed_DMs_50007_are_a_closed_DMs_refusal_not_an_error_of_the_bot()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Route switch
        {
            "POST users/@me/channels" => new FakeResponse(200, """{"id":"977","type":1}"""),
            "POST channels/977/messages" => new FakeResponse(403, """{"message":"Cannot send messages to this user","code":50007}"""),
            _ => null,
        };
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);

        var refused = await Should.ThrowAsync<ChatPlatformException>(() => platform.SendDirectMessageAsync(
            Guild, "77", new OutgoingMessage("hi"), new PostOptions("remind:1"), TestContext.Current.CancellationToken));

        refused.IsPermanent.ShouldBeTrue();
        refused.IsFatal.ShouldBeFalse();
        refused.Refusal.ShouldBe(PostRefusal.DirectMessagesClosed);
        harness.Fatal.Reports.ShouldBeEmpty();
        harness.Fake.Requests.Count(r => r.Route == "POST channels/977/messages").ShouldBe(1);
    }

    [Fact]
    public async Task The_link_to_a_prompt_is_the_Discord_message_URL()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);

        var link = await platform.GetMessageLinkAsync(new ChannelKey(ChatPlatform.Discord, "G1", "555"), "777", TestContext.Current.CancellationToken);

        link.ShouldBe("https://discord.com/channels/G1/555/777");
    }
}
