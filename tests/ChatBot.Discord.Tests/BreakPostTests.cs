using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

/// <summary>Break posts on Discord against the fake: where no thread can be made, refusals, and a lost answer.</summary>
public sealed class BreakPostTests
{
    // /drill run inside a thread: the "channel" is the thread itself.
    private static readonly ChannelKey InThread = new(ChatPlatform.Discord, "G1", "555");

    [Fact]
    public async Task In_a_thread_Discord_refuses_a_thread_so_the_cues_reply_to_the_prompt_in_order()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Path.EndsWith("/threads", StringComparison.Ordinal)
            ? new FakeResponse(400, """{"message":"Cannot execute action on this channel type","code":50024}""")
            : null;
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);
        var ct = TestContext.Current.CancellationToken;

        var prompt = await platform.PostAsync(InThread, new OutgoingMessage("Break!"), new PostOptions("b1s0"), ct);
        await platform.PostAsync(InThread, new OutgoingMessage("1/2 first"), new PostOptions("b1s1", prompt, "Rotation break"), ct);
        await platform.PostAsync(InThread, new OutgoingMessage("2/2 second"), new PostOptions("b1s2", prompt, "Rotation break"), ct);

        var cues = harness.Fake.Requests.Where(r => r.Route == "POST channels/555/messages").Skip(1).ToList();
        cues.Select(c => c.Json.GetProperty("content").GetString()).ShouldBe(["1/2 first", "2/2 second"]);
        cues.ShouldAllBe(c => c.Json.GetProperty("message_reference").GetProperty("message_id").GetString() == prompt);
        harness.Fake.Requests.Count(r => r.Path.EndsWith("/threads", StringComparison.Ordinal)).ShouldBe(1); // asked once
        harness.Fake.Requests.ShouldNotContain(r => r.Route == $"POST channels/{prompt}/messages");
    }

    [Theory]
    [InlineData(400, 50024)]
    [InlineData(400, 50003)]
    [InlineData(400, 50008)]
    [InlineData(403, 50013)]
    [InlineData(403, 50001)]
    public async Task Where_no_thread_can_be_made_the_cue_replies_to_the_prompt(int status, int code)
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Path.EndsWith("/threads", StringComparison.Ordinal)
            ? new FakeResponse(status, $$"""{"message":"refused","code":{{code}}}""")
            : null;
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);
        var ct = TestContext.Current.CancellationToken;

        var prompt = await platform.PostAsync(InThread, new OutgoingMessage("Break!"), new PostOptions("b5s0"), ct);
        await platform.PostAsync(InThread, new OutgoingMessage("1/2 first"), new PostOptions("b5s1", prompt, "Rotation break"), ct);

        harness.Fake.Requests.Where(r => r.Route == "POST channels/555/messages").Skip(1).ShouldHaveSingleItem()
            .Json.GetProperty("message_reference").GetProperty("message_id").GetString().ShouldBe(prompt);
    }

    [Theory]
    [InlineData(404, 10008, PostRefusal.Other)] // the prompt was deleted
    [InlineData(404, 10003, PostRefusal.NotInChannel)] // the channel is gone
    public async Task A_thread_refused_for_another_reason_is_a_refusal_and_no_cue_is_posted(int status, int code, PostRefusal expected)
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Path.EndsWith("/threads", StringComparison.Ordinal)
            ? new FakeResponse(status, $$"""{"message":"refused","code":{{code}}}""")
            : null;
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);
        var ct = TestContext.Current.CancellationToken;
        var prompt = await platform.PostAsync(InThread, new OutgoingMessage("Break!"), new PostOptions("b6s0"), ct);

        var refused = await Should.ThrowAsync<ChatPlatformException>(
            () => platform.PostAsync(InThread, new OutgoingMessage("1/2 first"), new PostOptions("b6s1", prompt, "Rotation break"), ct));

        refused.IsPermanent.ShouldBeTrue();
        refused.Refusal.ShouldBe(expected);
        harness.Fake.Requests.Count(r => r.Route == "POST channels/555/messages").ShouldBe(1); // the prompt only
    }

    [Theory]
    [InlineData(403, 50001, PostRefusal.NotInChannel)]
    [InlineData(403, 50013, PostRefusal.NotAllowed)]
    [InlineData(404, 10003, PostRefusal.NotInChannel)]
    [InlineData(400, 50024, PostRefusal.UnsupportedChannel)] // a forum or category channel takes no plain message
    [InlineData(400, 50083, PostRefusal.ChannelArchived)]
    [InlineData(400, 50008, PostRefusal.UnsupportedChannel)] // a non-text channel
    [InlineData(403, 50007, PostRefusal.NotAllowed)] // the user takes no messages from the bot
    public async Task A_refused_prompt_fails_for_good_with_the_reason_the_caller_is_told(int status, int code, PostRefusal expected)
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Method == "POST"
            ? new FakeResponse(status, $$"""{"message":"refused","code":{{code}}}""")
            : null;
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);

        var refused = await Should.ThrowAsync<ChatPlatformException>(
            () => platform.PostAsync(InThread, new OutgoingMessage("Break!"), new PostOptions("b2s0"), TestContext.Current.CancellationToken));

        refused.IsPermanent.ShouldBeTrue();
        refused.Refusal.ShouldBe(expected);
        harness.Fake.Requests.Count(r => r.Method == "POST").ShouldBe(1);
    }

    [Fact]
    public async Task A_post_Discord_made_but_whose_answer_was_lost_is_retried_with_the_same_nonce_and_yields_the_same_message()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, count) =>
        {
            if (request.Route != "POST channels/555/messages" || count > 0)
            {
                return null;
            }

            harness.Fake.Default(request); // Discord created the message…
            return new FakeResponse(502, """{"message":"Bad Gateway"}"""); // …but a proxy lost the answer
        };
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);

        var id = await platform.PostAsync(InThread, new OutgoingMessage("Break!"), new PostOptions("b3s0"), TestContext.Current.CancellationToken);
        // A restarted bot resends the step it never recorded: same key, same nonce.
        var again = await platform.PostAsync(InThread, new OutgoingMessage("Break!"), new PostOptions("b3s0", Resend: true), TestContext.Current.CancellationToken);

        var posts = harness.Fake.Requests.Where(r => r.Route == "POST channels/555/messages").ToList();
        posts.Count.ShouldBe(3);
        posts.ShouldAllBe(p => p.Json.GetProperty("nonce").GetString() == "b3s0" && p.Json.GetProperty("enforce_nonce").GetBoolean());
        harness.Fake.Nonces.ShouldHaveSingleItem().Value.ShouldBe(id); // one message on Discord's side
        again.ShouldBe(id);
    }
}
