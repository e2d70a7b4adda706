using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>
/// Issue 8 point 3: where Slack refuses a thread reply (a non-threadable channel, a root that takes no replies),
/// the cues still arrive as messages in the same conversation, in order, as on Discord.
/// </summary>
public sealed class ThreadRefusedTests : WebApiTestBase
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T111", "C111");
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000);

    [Theory]
    [InlineData("restricted_action_non_threadable_channel")]
    [InlineData("cannot_reply_to_message")]
    public async Task Cues_whose_thread_Slack_refuses_arrive_in_order_in_the_same_conversation(string error)
    {
        var ct = TestContext.Current.CancellationToken;
        var prompt = await Platform.PostAsync(Channel, new OutgoingMessage("Break!"), Post(0, null), ct);
        Slack.Script("chat.postMessage", call => call.Arg("thread_ts") is null ? null : FakeReply.Error(error));

        var first = await Platform.PostAsync(Channel, new OutgoingMessage("1/5"), Post(1, prompt), ct);
        var second = await Platform.PostAsync(Channel, new OutgoingMessage("2/5"), Post(2, prompt), ct);

        new[] { prompt, first, second }.Distinct().Count().ShouldBe(3);
        Slack.Messages("C111").Select(m => m["text"]!.GetValue<string>()).ShouldBe(["Break!", "1/5", "2/5"]);
        Slack.Messages("C111").ShouldAllBe(m => m["thread_ts"] == null);
        // Remembered per prompt: the second cue goes straight to the conversation, no refused thread reply first.
        Slack.Calls("chat.postMessage").Count(c => c.Arg("thread_ts") != null).ShouldBe(1);
    }

    private static PostOptions Post(int step, string? thread) =>
        new($"b9s{step}", thread, "Rotation break", new BreakStepTag(9, step, StartedAt));
}
