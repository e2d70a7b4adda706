using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Ports;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>The real Socket Mode client, in a real host, against the loopback fake Slack.</summary>
public sealed class SocketModeTests : IAsyncLifetime
{
    private FakeSlackServer slack = null!;

    public async ValueTask InitializeAsync() => slack = await FakeSlackServer.StartAsync();

    public async ValueTask DisposeAsync() => await slack.DisposeAsync();

    internal static JsonObject SlashCommand(string text, string user = "U1", string? responseUrlId = null, FakeSlackServer? slack = null) => new()
    {
        ["token"] = "legacy",
        ["team_id"] = "T111",
        ["team_domain"] = "test",
        ["channel_id"] = "C111",
        ["channel_name"] = "breaks",
        ["user_id"] = user,
        ["user_name"] = "name-" + user,
        ["command"] = "/drill",
        ["text"] = text,
        ["api_app_id"] = "A111",
        ["response_url"] = responseUrlId is null ? null : slack!.ResponseUrl(responseUrlId).ToString(),
        ["trigger_id"] = "1.2.3",
    };

    internal static JsonObject DoneClick(string messageTs, string user = "U1", string? responseUrlId = null, FakeSlackServer? slack = null) => new()
    {
        ["type"] = "block_actions",
        ["user"] = new JsonObject { ["id"] = user, ["username"] = "name-" + user, ["name"] = "name-" + user, ["team_id"] = "T111" },
        ["api_app_id"] = "A111",
        ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = "C111", ["is_ephemeral"] = false },
        ["team"] = new JsonObject { ["id"] = "T111", ["domain"] = "test" },
        ["channel"] = new JsonObject { ["id"] = "C111", ["name"] = "breaks" },
        ["response_url"] = responseUrlId is null ? null : slack!.ResponseUrl(responseUrlId).ToString(),
        ["actions"] = new JsonArray(new JsonObject
        {
            ["action_id"] = ButtonAction.Done(1),
            ["block_id"] = "b",
            ["type"] = "button",
            ["value"] = ButtonAction.Done(1),
            ["action_ts"] = "1.1",
            ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Done" },
        }),
    };

    [Fact]
    public async Task Hello_ThenSlashCommand_IsAckedOnTheSameSocketWithTheReply()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var socket = await slack.NextSocketAsync();

        var envelopeId = await socket.SendEnvelopeAsync("slash_commands", SlashCommand("help", user: "UADMIN"));
        var (ack, _) = await socket.WaitForAckAsync(envelopeId);

        ack["envelope_id"]!.GetValue<string>().ShouldBe(envelopeId);
        var payload = ack["payload"]!.AsObject();
        payload["response_type"]!.GetValue<string>().ShouldBe("ephemeral");
        payload["text"]!.GetValue<string>().ShouldBe("You said help");
        var invocation = await host.Handler.NextInvocationAsync();
        invocation.Channel.ShouldBe(new ChannelKey(ChatPlatform.Slack, "T111", "C111"));
        invocation.Caller.ShouldBe(new ChatUser("UADMIN", "Display UADMIN", "Europe/Berlin", IsAdmin: true));
        slack.Calls("apps.connections.open").ShouldAllBe(c => c.Authorization == "Bearer " + Secrets.AppToken);
        (await slack.WaitForCallsAsync("auth.test")).ShouldHaveSingleItem().Authorization.ShouldBe("Bearer " + Secrets.BotToken);
    }

    [Fact]
    public async Task DrillRotation_IsAckedWithinThreeSeconds_ThenPromptAndThreeCuesThreadUnderIt()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var socket = await slack.NextSocketAsync();

        var envelopeId = await socket.SendEnvelopeAsync("slash_commands", SlashCommand("rotation"));
        var (ack, latency) = await socket.WaitForAckAsync(envelopeId);
        latency.ShouldBeLessThan(TimeSpan.FromSeconds(3));
        ack["payload"]!["text"]!.GetValue<string>().ShouldContain("rotation");

        var ids = await host.Handler.BreakPosted.Task.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        var posts = slack.Calls("chat.postMessage");
        posts.Count.ShouldBe(4);
        var prompt = posts[0];
        posts.ShouldAllBe(post => post.ContentType == "application/json; charset=utf-8"); // else Slack warns missing_charset
        prompt.Arg("channel").ShouldBe("C111");
        prompt.Body!.ContainsKey("thread_ts").ShouldBeFalse();
        prompt.Body["blocks"]!.AsArray()[^1]!["elements"]![0]!["action_id"]!.GetValue<string>().ShouldBe("done:1");
        prompt.Body["blocks"]!.AsArray()[0]!["text"]!["text"]!.GetValue<string>().ShouldContain("<!date^1764072000^{time}|");
        posts.Skip(1).ShouldAllBe(cue => cue.Arg("thread_ts") == ids[0]);
        posts.Skip(1).Select(c => c.Arg("text")).ShouldBe(["Cue 1: rotate gently", "Cue 2: rotate gently", "Cue 3: rotate gently"]);
    }

    [Fact]
    public async Task DoneClick_DeliveredTwice_IsCountedOnce_AndAckedOnlyAfterCoreStoredIt()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var socket = await slack.NextSocketAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Handler.OnClick = async _ =>
        {
            entered.TrySetResult();
            await release.Task;
        };

        var envelopeId = await socket.SendEnvelopeAsync("interactive", DoneClick("1700000000.001001", responseUrlId: "click1", slack: slack), acceptsResponsePayload: false);
        await entered.Task.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        await socket.SendEnvelopeAsync("interactive", DoneClick("1700000000.001001", responseUrlId: "click1", slack: slack), envelopeId, acceptsResponsePayload: false);

        // Core is still storing the click: nothing may be acked yet.
        socket.AckCount(envelopeId).ShouldBe(0);
        release.SetResult();

        await socket.WaitForAcksAsync(envelopeId, 2);
        host.Handler.ClickCount.ShouldBe(1);
        var click = await host.Handler.NextClickAsync();
        click.ActionId.ShouldBe("done:1");
        click.Caller.TimeZoneId.ShouldBe("Europe/Berlin");

        var update = (await slack.WaitForCallsAsync("chat.update")).ShouldHaveSingleItem();
        update.Arg("ts").ShouldBe("1700000000.001001");
        update.Arg("text")!.ShouldContain("1 done so far");
        var reply = (await slack.WaitForCallsAsync("response_url")).ShouldHaveSingleItem();
        reply.Arg("response_type").ShouldBe("ephemeral");
        reply.Body!["replace_original"]!.GetValue<bool>().ShouldBeFalse();
        reply.Authorization.ShouldBeNullOrEmpty();
    }

    [Fact]
    public async Task StoppingWaitsForThePromptUpdateADoneClickQueued()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var socket = await slack.NextSocketAsync();
        var updating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        slack.Script("chat.update", _ =>
        {
            updating.TrySetResult();
            release.Task.Wait(TestTimeouts.Guard);
            return null;
        });

        var envelopeId = await socket.SendEnvelopeAsync("interactive", DoneClick("1700000000.001001", responseUrlId: "click1", slack: slack), acceptsResponsePayload: false);
        await socket.WaitForAckAsync(envelopeId);
        await updating.Task.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);

        var dispatcher = host.Host.Services.GetRequiredService<SlackInteractionDispatcher>();
        var drain = dispatcher.DrainAsync(TestContext.Current.CancellationToken);
        drain.IsCompleted.ShouldBeFalse(); // the update is still in flight: stopping must wait for it
        release.SetResult();

        (await drain.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken)).ShouldBe(0);
        slack.Calls("chat.update").ShouldHaveSingleItem().Arg("ts").ShouldBe("1700000000.001001");
    }

    [Fact]
    public async Task ClickThatCoreFailsToStore_IsNotAcked_SoARedeliveryIsHandled()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var socket = await slack.NextSocketAsync();
        var attempts = 0;
        host.Handler.OnClick = _ => Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("database is locked") : Task.CompletedTask;

        var envelopeId = await socket.SendEnvelopeAsync("interactive", DoneClick("1.1", responseUrlId: "c2", slack: slack), acceptsResponsePayload: false);
        var apology = (await slack.WaitForCallsAsync("response_url")).ShouldHaveSingleItem();
        apology.Arg("text")!.ShouldContain("tap the button again");
        socket.AckCount(envelopeId).ShouldBe(0);

        await socket.SendEnvelopeAsync("interactive", DoneClick("1.1", responseUrlId: "c2", slack: slack), envelopeId, acceptsResponsePayload: false);
        await socket.WaitForAckAsync(envelopeId);
        host.Handler.ClickCount.ShouldBe(2);
    }

    [Fact]
    public async Task SlowCommand_IsAckedEmpty_ThenTheReplyGoesToResponseUrl()
    {
        var config = SlackTestHost.SocketModeConfig(slack);
        config["Slack:CommandAckBudget"] = "00:00:00.050";
        await using var host = await SlackTestHost.StartAsync(config);
        var socket = await slack.NextSocketAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Handler.OnCommand = async (_, _) =>
        {
            await release.Task;
            return CommandReply.ToChannel("**Leaderboard**");
        };

        var envelopeId = await socket.SendEnvelopeAsync("slash_commands", SlashCommand("leaderboard", responseUrlId: "lb", slack: slack));
        var (ack, _) = await socket.WaitForAckAsync(envelopeId);
        ack.ContainsKey("payload").ShouldBeFalse();

        release.SetResult();
        var reply = (await slack.WaitForCallsAsync("response_url")).ShouldHaveSingleItem();
        reply.Arg("response_type").ShouldBe("in_channel");
        reply.Body!["blocks"]![0]!["text"]!["text"]!.GetValue<string>().ShouldBe("*Leaderboard*");
    }

    [Fact]
    public async Task RefreshRequested_OpensTheReplacementFirst_AndLosesNoCommand()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var first = await slack.NextSocketAsync();

        await first.SendDisconnectAsync("refresh_requested");
        var second = await slack.NextSocketAsync();
        second.Ticket.ShouldNotBe(first.Ticket);
        (await slack.WaitForCallsAsync("apps.connections.open", 2)).Count.ShouldBe(2);

        // A command Slack had already routed to the old socket is still acked there...
        var onOld = await first.SendEnvelopeAsync("slash_commands", SlashCommand("streak"));
        await first.WaitForAckAsync(onOld);

        // ...and the new socket serves the next ones.
        var onNew = await second.SendEnvelopeAsync("slash_commands", SlashCommand("list"));
        await second.WaitForAckAsync(onNew);
        host.Handler.CommandCount.ShouldBe(2);

        // Slack closes the old socket after a refresh; the client then retires it without reconnecting again.
        await first.CloseAsync();
        await first.Closed.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        var third = await second.SendEnvelopeAsync("slash_commands", SlashCommand("help"));
        await second.WaitForAckAsync(third);
        slack.Calls("apps.connections.open").Count.ShouldBe(2);
    }

    [Fact]
    public async Task DroppedSocket_Reconnects_WithAFreshUrl()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var first = await slack.NextSocketAsync();

        first.Abort();
        var second = await slack.NextSocketAsync();

        second.Ticket.ShouldNotBe(first.Ticket);
        var id = await second.SendEnvelopeAsync("slash_commands", SlashCommand("help"));
        await second.WaitForAckAsync(id);
    }

    [Fact]
    public async Task ZombiePeer_ThatStopsAnsweringPings_IsDetected_AndReplaced()
    {
        var config = SlackTestHost.SocketModeConfig(slack);
        // Loose enough that a healthy socket on a busy 2-core machine never looks dead; the frozen one always does.
        config["Slack:KeepAliveInterval"] = "00:00:00.500";
        config["Slack:KeepAliveTimeout"] = "00:00:02";
        await using var host = await SlackTestHost.StartAsync(config);
        var zombie = await slack.NextSocketAsync();
        zombie.FreezeAfterNextFrame = true;

        var id = await zombie.SendEnvelopeAsync("slash_commands", SlashCommand("help"));
        await zombie.WaitForAckAsync(id);
        var replacement = await slack.NextSocketAsync();

        var next = await replacement.SendEnvelopeAsync("slash_commands", SlashCommand("list"));
        await replacement.WaitForAckAsync(next);
        host.Logs.Lines.ShouldContain(l => l.Contains("dropped; reconnecting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TooManyWebsockets_ClosesTheOldSocketBeforeOpeningAnother()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var first = await slack.NextSocketAsync();
        var openedWhileFirstOpen = false;
        slack.CallObserver = call => openedWhileFirstOpen |= call.Method == "apps.connections.open" && !first.Closed.IsCompleted;

        await first.SendDisconnectAsync("too_many_websockets");
        await first.Closed.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        var second = await slack.NextSocketAsync();
        openedWhileFirstOpen.ShouldBeFalse("the old socket is closed before another is opened");
        slack.Calls("apps.connections.open").Count.ShouldBe(2);

        var id = await second.SendEnvelopeAsync("slash_commands", SlashCommand("help"));
        await second.WaitForAckAsync(id);
    }

    [Fact]
    public async Task TwoConnections_AreBothOpen_AndEitherServes()
    {
        var config = SlackTestHost.SocketModeConfig(slack);
        config["Slack:Connections"] = "2";
        await using var host = await SlackTestHost.StartAsync(config);
        var a = await slack.NextSocketAsync();
        var b = await slack.NextSocketAsync();

        var onB = await b.SendEnvelopeAsync("slash_commands", SlashCommand("help"));
        var onA = await a.SendEnvelopeAsync("slash_commands", SlashCommand("list"));

        await a.WaitForAckAsync(onA);
        await b.WaitForAckAsync(onB);
    }

    [Fact]
    public async Task MalformedAndUnknownFrames_AreDropped_AndTheLoopKeepsServing()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var socket = await slack.NextSocketAsync();

        await socket.SendRawAsync("{not json");
        await socket.SendRawAsync("[1,2,3]");
        await socket.SendRawAsync("""{"envelope_id":"two-values","type":"slash_commands"} {}""");
        await socket.SendRawAsync("""{"type":"mystery"}""");
        var bogusCommand = await socket.SendEnvelopeAsync("slash_commands", new JsonObject { ["text"] = "no ids" });
        var events = await socket.SendEnvelopeAsync("events_api", new JsonObject { ["event"] = new JsonObject { ["type"] = "app_mention" } });
        var bogusClick = await socket.SendEnvelopeAsync("interactive", new JsonObject { ["type"] = "view_submission" });

        await socket.WaitForAckAsync(bogusCommand);
        await socket.WaitForAckAsync(events);
        await socket.WaitForAckAsync(bogusClick);
        var good = await socket.SendEnvelopeAsync("slash_commands", SlashCommand("help"));
        await socket.WaitForAckAsync(good);
        host.Handler.CommandCount.ShouldBe(1);
        socket.AckCount("two-values").ShouldBe(0); // a frame holding two JSON values is malformed, not an envelope
        host.Logs.Lines.ShouldContain(l => l.Contains("malformed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostStop_ClosesTheSocket_WithoutErrorsOrFatalReports()
    {
        var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var socket = await slack.NextSocketAsync();

        await host.DisposeAsync();

        await socket.Closed.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        host.Logs.Lines.ShouldNotContain(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal));
        host.Fatal.HasReported.ShouldBeFalse();
    }

    [Fact]
    public async Task InvalidAuth_FromConnectionsOpen_ReportsFatal_AndStopsTheClient()
    {
        slack.Script("apps.connections.open", _ => FakeReply.Error("invalid_auth"));
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack), start: false);
        var client = host.Get<SlackSocketModeClient>();

        await client.RunAsync(TestContext.Current.CancellationToken).WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);

        client.StoppedByFatalError.ShouldBeTrue();
        var (source, reason) = await host.Fatal.Reported;
        source.ShouldBe("Slack");
        reason.ShouldContain("invalid_auth");
        reason.ShouldContain("Slack:AppToken");
        host.Fatal.Count.ShouldBe(1);
        slack.Calls("apps.connections.open").Count.ShouldBe(1);
        slack.Sockets.ShouldBeEmpty();
    }

    [Fact]
    public async Task SocketMode_Connects_WithoutWaitingFor_AuthTest()
    {
        using var authTestHeld = new SemaphoreSlim(0);
        slack.Script("auth.test", _ => authTestHeld.Wait(TestTimeouts.Guard) ? null : FakeReply.Error("test_timeout"));
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));

        // Connected (hello) while auth.test is still unanswered: one round trip less before the bot is reachable.
        var socket = await slack.NextSocketAsync();
        slack.Calls("apps.connections.open").Count.ShouldBe(1);
        authTestHeld.Release();
        await host.Logs.WaitForAsync(line => line.Contains("Slack bot authenticated", StringComparison.Ordinal));
        host.Fatal.Count.ShouldBe(0);
        socket.Closed.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task InvalidAuth_FromAuthTest_ReportsFatal_AndEndsSocketMode()
    {
        slack.Script("auth.test", _ => FakeReply.Error("invalid_auth"));
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));

        var (_, reason) = await host.Fatal.Reported;
        reason.ShouldContain("Slack:BotToken");
        host.Fatal.Count.ShouldBe(1);
        // Socket Mode (app token) doesn't wait for the bot token's check, but a refused bot token ends it.
        await host.Get<SlackSocketModeHostedService>().ExecuteTask!.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        await Task.WhenAll(slack.Sockets.Select(s => s.Closed)).WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AuthTest_BegunBeforeTheHostStarts_IsTheOneSocketModeWaitsFor()
    {
        using var authTestHeld = new SemaphoreSlim(0);
        slack.Script("auth.test", _ => authTestHeld.Wait(TestTimeouts.Guard) ? FakeReply.Error("invalid_auth") : FakeReply.Error("test_timeout"));
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack), start: false);

        // What the composition root does while it checks the database, before the host starts.
        host.Get<IStartupPreparation>().Begin();
        await slack.WaitForCallsAsync("auth.test").WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        await host.Host.StartAsync(TestContext.Current.CancellationToken);
        var socket = await slack.NextSocketAsync();
        authTestHeld.Release();

        // The early answer (a refused bot token) ends Socket Mode: the service waited on that auth.test, not a second one.
        await host.Get<SlackSocketModeHostedService>().ExecuteTask!.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        await socket.Closed.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        slack.Calls("auth.test").ShouldHaveSingleItem();
        (await host.Fatal.Reported).Reason.ShouldContain("Slack:BotToken");
    }

    [Fact]
    public async Task LinkDisabled_Disconnect_IsFatal_AndDoesNotReconnect()
    {
        await using var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack), start: false);
        var client = host.Get<SlackSocketModeClient>();
        var run = client.RunAsync(TestContext.Current.CancellationToken);
        var socket = await slack.NextSocketAsync();

        await socket.SendDisconnectAsync("link_disabled");

        await run.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        client.StoppedByFatalError.ShouldBeTrue();
        (await host.Fatal.Reported).Reason.ShouldContain("link_disabled");
        slack.Calls("apps.connections.open").Count.ShouldBe(1);
    }
}
