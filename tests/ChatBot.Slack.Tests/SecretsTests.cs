using ChatBot.Slack.Tests.Fakes;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>Tokens never reach a log line, whatever happens in a run.</summary>
public sealed class SecretsTests
{
    [Fact]
    public async Task NoTokenOrSecret_AppearsInAnyLogLine_DuringABusyRun()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        var posts = 0;
        slack.Script("chat.postMessage", _ => Interlocked.Increment(ref posts) switch
        {
            1 => FakeReply.RateLimited(1),
            2 => new FakeReply(502, "bad gateway"),
            _ => null,
        });
        slack.Script("users.info", c => c.Arg("user") == "UGONE" ? FakeReply.Error("user_not_found") : null);
        var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        try
        {
            var socket = await slack.NextSocketAsync();
            var command = await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("rotation"));
            await socket.WaitForAckAsync(command);
            await host.Handler.BreakPosted.Task.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
            slack.Script("chat.update", _ => FakeReply.Error("invalid_auth"));
            var click = await socket.SendEnvelopeAsync("interactive", SocketModeTests.DoneClick("1.1", user: "UGONE"), acceptsResponsePayload: false);
            await socket.WaitForAckAsync(click);
            await socket.SendRawAsync("{broken");
            await socket.SendDisconnectAsync("refresh_requested");
            await slack.NextSocketAsync();
            await host.Fatal.Reported;
        }
        finally
        {
            await host.DisposeAsync();
        }

        var lines = host.Logs.Lines;
        lines.Count.ShouldBeGreaterThan(10);
        lines.ShouldContain(l => l.Contains("rate limited", StringComparison.Ordinal));
        foreach (var secret in new[] { Secrets.BotToken, Secrets.AppToken, "SECRETBOTTOKEN", "SECRETAPPTOKEN", "ticket=" })
        {
            lines.ShouldNotContain(l => l.Contains(secret, StringComparison.Ordinal), $"a log line contains {secret[..6]}…");
        }
    }

    [Fact]
    public async Task ApiExceptions_FromTheRealClient_CarryMethodAndError_NeverAToken()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        slack.Script("chat.update", _ => FakeReply.Error("invalid_auth"));
        var fatal = new RecordingFatalErrorReporter();
        using var api = new SlackApiClient(
            Microsoft.Extensions.Options.Options.Create(new SlackOptions { BotToken = Secrets.BotToken, ApiBaseUrl = slack.ApiUrl }),
            TimeProvider.System,
            fatal,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SlackApiClient>.Instance);

        var ex = await Should.ThrowAsync<SlackApiException>(
            () => api.UpdateMessageAsync("C1", "1.2", SlackBlockKitRenderer.Render(new ChatBot.Core.Messages.OutgoingMessage("x")), TestContext.Current.CancellationToken));

        ex.Message.ShouldBe("Slack chat.update failed: invalid_auth");
        ex.IsFatal.ShouldBeTrue();
        ex.ToString().ShouldNotContain("SECRETBOTTOKEN");
        (await fatal.Reported).ToString().ShouldNotContain("SECRETBOTTOKEN");
        slack.Calls("chat.update").ShouldHaveSingleItem().Authorization.ShouldBe("Bearer " + Secrets.BotToken); // the token was really sent
    }
}
