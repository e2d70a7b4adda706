using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>Direct messages (issue 12) against the loopback fake Slack: <c>chat.postMessage</c> to the user id, refusals, permalinks.</summary>
public sealed class DirectMessageTests : WebApiTestBase
{
    private static readonly TeamKey Team = new(ChatPlatform.Slack, "T111");

    [Fact]
    public async Task A_DM_is_chat_postMessage_to_the_user_id_and_names_the_DM_conversation_Slack_answers_with()
    {
        Slack.Script("chat.postMessage", call => call.Arg("channel") == "U42"
            ? FakeReply.Ok(new JsonObject { ["channel"] = "D042", ["ts"] = "1700000001.000100" })
            : null);
        var message = new OutgoingMessage("⏰ Your break", [new MessageButton("snooze-done:9", "Done", ButtonStyle.Success)]);

        var receipt = await Platform.SendDirectMessageAsync(Team, "U42", message, new PostOptions("snooze:9:U42"), TestContext.Current.CancellationToken);

        receipt.ShouldBe(new DirectMessageReceipt("D042", "1700000001.000100"));
        var call = Slack.Calls("chat.postMessage").ShouldHaveSingleItem();
        call.Authorization.ShouldBe("Bearer " + Secrets.BotToken);
        call.Body!["blocks"]!.ToJsonString().ShouldContain("snooze-done:9");
    }

    [Theory]
    [InlineData("cannot_dm_bot")]
    [InlineData("user_disabled")]
    [InlineData("messages_tab_disabled")]
    [InlineData("channel_not_found")]
    public async Task A_DM_Slack_refuses_for_the_person_is_a_permanent_closed_DMs_refusal_sent_once(string error)
    {
        Slack.Script("chat.postMessage", _ => FakeReply.Error(error));

        var refused = await Should.ThrowAsync<ChatPlatformException>(() => Platform.SendDirectMessageAsync(
            Team, "U42", new OutgoingMessage("hi"), new PostOptions("remind:1"), TestContext.Current.CancellationToken));

        refused.IsPermanent.ShouldBeTrue();
        refused.IsFatal.ShouldBeFalse();
        refused.Refusal.ShouldBe(PostRefusal.DirectMessagesClosed);
        refused.Message.ShouldContain(error);
        Slack.Calls("chat.postMessage").Count.ShouldBe(1); // not retried
    }

    [Fact]
    public async Task The_link_to_a_prompt_is_chat_getPermalink()
    {
        Slack.Script("chat.getPermalink", call => FakeReply.Ok(new JsonObject
        {
            ["channel"] = call.Arg("channel"),
            ["permalink"] = $"https://test.slack.com/archives/{call.Arg("channel")}/p{call.Arg("message_ts")!.Replace(".", "", StringComparison.Ordinal)}",
        }));

        var link = await Platform.GetMessageLinkAsync(new ChannelKey(ChatPlatform.Slack, "T111", "C111"), "1700000000.000200", TestContext.Current.CancellationToken);

        link.ShouldBe("https://test.slack.com/archives/C111/p1700000000000200");
    }

    [Fact]
    public void The_app_manifest_asks_for_im_write_and_shows_the_Messages_tab()
    {
        var manifest = File.ReadAllText(Path.Combine(RepoRoot(), "config", "slack-app-manifest.yml"));
        manifest.ShouldContain("- im:write");
        manifest.ShouldContain("messages_tab_enabled: true");
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ChatBot.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("ChatBot.sln not found above the test binaries.");
    }
}
