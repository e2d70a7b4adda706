using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>
/// Break posts whose outcome is unknown (Slack took the message but the answer was lost; the bot died after
/// sending) are found again by their message metadata instead of being posted twice; refusals say why.
/// </summary>
public sealed class ExactlyOncePostTests : WebApiTestBase
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T111", "C111");
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000);

    private static PostOptions Step(long breakId, int step, string? thread = null, bool resend = false) =>
        new($"b{breakId}s{step}", thread, "Rotation break", new BreakStepTag(breakId, step, StartedAt), resend);

    protected override TimeSpan RequestTimeout => TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_prompt_Slack_posted_but_whose_answer_was_lost_is_found_in_the_history_and_not_posted_again()
    {
        var attempts = 0;
        Slack.Script("chat.postMessage", call =>
        {
            if (Interlocked.Increment(ref attempts) > 1)
            {
                return null;
            }

            Slack.Default(call); // Slack stores the message…
            return FakeReply.NoAnswer; // …and the answer never arrives: the client times out
        });

        var ts = await Platform.PostAsync(Channel, new OutgoingMessage("Break!"), Step(7, 0), TestContext.Current.CancellationToken);

        var stored = Slack.Messages("C111").ShouldHaveSingleItem();
        ts.ShouldBe(stored["ts"]!.GetValue<string>());
        stored["metadata"]!["event_type"]!.GetValue<string>().ShouldBe("chatbot_break_step");
        stored["metadata"]!["event_payload"]!["break_id"]!.GetValue<long>().ShouldBe(7);
        stored["metadata"]!["event_payload"]!["step"]!.GetValue<int>().ShouldBe(0);
        Slack.Calls("chat.postMessage").Count.ShouldBe(1);
        var search = Slack.Calls("conversations.history").ShouldHaveSingleItem();
        search.Arg("include_all_metadata").ShouldBe("true");
        search.Arg("channel").ShouldBe("C111");
    }

    [Fact]
    public async Task A_cue_whose_answer_was_lost_is_found_among_the_thread_replies()
    {
        var prompt = await Platform.PostAsync(Channel, new OutgoingMessage("Break!"), Step(8, 0), TestContext.Current.CancellationToken);
        await Platform.PostAsync(Channel, new OutgoingMessage("1/5"), Step(8, 1, prompt), TestContext.Current.CancellationToken);
        var dropped = 0;
        Slack.Script("chat.postMessage", call =>
        {
            if (call.Body?["metadata"]?["event_payload"]?["step"]?.GetValue<int>() != 2 || Interlocked.Increment(ref dropped) > 1)
            {
                return null;
            }

            Slack.Default(call);
            return FakeReply.NoAnswer;
        });

        var ts = await Platform.PostAsync(Channel, new OutgoingMessage("2/5"), Step(8, 2, prompt), TestContext.Current.CancellationToken);

        Slack.Messages("C111").Count.ShouldBe(3);
        Slack.Messages("C111")[2]["ts"]!.GetValue<string>().ShouldBe(ts);
        Slack.Calls("conversations.replies").ShouldHaveSingleItem().Arg("ts").ShouldBe(prompt);
    }

    [Fact]
    public async Task A_post_that_timed_out_before_Slack_took_it_is_sent_again_once_the_search_finds_nothing()
    {
        var attempts = 0;
        Slack.Script("chat.postMessage", _ => Interlocked.Increment(ref attempts) == 1 ? FakeReply.NoAnswer : null);

        var ts = await Platform.PostAsync(Channel, new OutgoingMessage("Break!"), Step(9, 0), TestContext.Current.CancellationToken);

        Slack.Messages("C111").ShouldHaveSingleItem()["ts"]!.GetValue<string>().ShouldBe(ts);
        Slack.Calls("chat.postMessage").Count.ShouldBe(2);
        Slack.Calls("conversations.history").Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_resend_after_a_crash_adopts_the_message_the_dead_process_posted()
    {
        var first = await Platform.PostAsync(Channel, new OutgoingMessage("Break!"), Step(10, 0), TestContext.Current.CancellationToken);
        Slack.Messages("C111").Count.ShouldBe(1);

        // A restarted bot re-runs the step whose message id it never recorded.
        var again = await Platform.PostAsync(Channel, new OutgoingMessage("Break!"), Step(10, 0, resend: true), TestContext.Current.CancellationToken);

        again.ShouldBe(first);
        Slack.Messages("C111").Count.ShouldBe(1);
        Slack.Calls("chat.postMessage").Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_resend_of_a_post_that_never_reached_Slack_posts_it()
    {
        await Platform.PostAsync(Channel, new OutgoingMessage("other break"), Step(11, 0), TestContext.Current.CancellationToken);

        await Platform.PostAsync(Channel, new OutgoingMessage("Break!"), Step(12, 0, resend: true), TestContext.Current.CancellationToken);

        Slack.Messages("C111").Count.ShouldBe(2);
    }

    [Fact]
    public async Task Without_the_history_scope_a_resend_posts_and_says_why_duplicates_are_possible()
    {
        Slack.Script("conversations.history", _ => FakeReply.Error("missing_scope"));

        await Platform.PostAsync(Channel, new OutgoingMessage("Break!"), Step(13, 0, resend: true), TestContext.Current.CancellationToken);

        Slack.Messages("C111").Count.ShouldBe(1);
        Logs.Entries.ShouldContain(e => e.Message.Contains("missing_scope", StringComparison.Ordinal) && e.Message.Contains("history scopes", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("channel_not_found", null, PostRefusal.NotInChannel)] // a DM between two people, a private channel
    [InlineData("not_in_channel", "method_not_supported_for_channel_type", PostRefusal.NotInChannel)] // private: can't join
    [InlineData("not_in_channel", "channel_not_found", PostRefusal.NotInChannel)]
    [InlineData("is_archived", null, PostRefusal.ChannelArchived)]
    [InlineData("not_in_channel", "is_archived", PostRefusal.ChannelArchived)]
    [InlineData("restricted_action", null, PostRefusal.NotAllowed)]
    [InlineData("msg_too_long", null, PostRefusal.Other)]
    public async Task A_refused_post_fails_for_good_with_the_reason_the_caller_is_told(string postError, string? joinError, PostRefusal expected)
    {
        Slack.Script("chat.postMessage", _ => FakeReply.Error(postError));
        if (joinError is not null)
        {
            Slack.Script("conversations.join", _ => FakeReply.Error(joinError));
        }

        var refused = await Should.ThrowAsync<ChatPlatformException>(
            () => Platform.PostAsync(Channel, new OutgoingMessage("Break!"), Step(14, 0), TestContext.Current.CancellationToken));

        refused.IsPermanent.ShouldBeTrue();
        refused.Refusal.ShouldBe(expected);
        Slack.Calls("chat.postMessage").Count.ShouldBe(1); // never retried
    }
}
