using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Streaks;
using ChatBot.Core.Ports;
using ChatBot.Digest;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;
using SkiaSharp;

namespace ChatBot.Slack.Tests;

/// <summary>
/// <c>/drill stats</c> typed in Slack, end to end: the real Socket Mode client, the command core, the SQLite store
/// and the ScottPlot chart, against the loopback fake Slack. The digest goes up through the upload flow
/// (<c>files.getUploadURLExternal</c> → the bytes → <c>files.completeUploadExternal</c> with <c>channel_id</c> and the
/// text as <c>initial_comment</c>); when Slack refuses the file the text goes alone and a log line says why. When
/// Slack refuses the channel (a private one the bot is not in), the caller alone is told what to do, for the digest
/// as for a break started there.
/// </summary>
public sealed class StatsUploadTests : IAsyncLifetime
{
    // Wednesday 25 November 2026, 12:00 UTC: the week is Mon 23 – Sun 29 November.
    private static readonly DateTimeOffset Wednesday = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private SlackEndToEndHost e2e = null!;
    private FakeSlackServer slack = null!;
    private IHost host = null!;
    private CapturingLoggerProvider logs = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        e2e = await SlackEndToEndHost.StartAsync(
            new Dictionary<string, string?> { ["Breaks:DefaultTimeZone"] = "UTC" },
            services =>
            {
                services.AddSingleton<TimeProvider>(new DateShiftedClock(Wednesday));
                services.AddChatBotDigestChart();
                services.AddSingleton<IBreakRunner>(sp => new PromptOnly(sp.GetRequiredService<BreakPoster>()));
            });
        (slack, host, logs) = (e2e.Slack, e2e.Host, e2e.Logs);
    }

    public ValueTask DisposeAsync() => e2e.DisposeAsync();

    [Fact]
    public async Task Stats_FromASlashCommand_ArrivesAsTheChart_WithTheDigestAsItsComment()
    {
        var socket = await slack.NextSocketAsync();
        await LogBreaksAsync("U1", "U2");

        await socket.WaitForAckAsync(await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("stats", user: "U3")));
        var complete = (await slack.WaitForCallsAsync("files.completeUploadExternal")).Single();

        // Every call of the flow, in order, once: ticket, bytes, share.
        slack.Calls().Select(c => c.Method).Where(m => m is "files.getUploadURLExternal" or "upload" or "files.completeUploadExternal")
            .ShouldBe(["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]);
        var ticket = slack.Calls("files.getUploadURLExternal").Single();
        ticket.Arg("filename").ShouldBe("digest-week-2026-11-23.png");
        ticket.Arg("alt_txt").ShouldNotBeNull().ShouldStartWith("Bar chart of upper back breaks per day in #upper-back");

        var upload = slack.Uploads().Single();
        ticket.Arg("length").ShouldBe(upload.Bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        upload.PartContentType.ShouldBe("image/png");
        using (var chart = SKBitmap.Decode(upload.Bytes))
        {
            chart.ShouldNotBeNull("the uploaded bytes are a PNG");
            (chart.Width, chart.Height).ShouldBe((1200, 600));
        }

        var body = complete.Body!;
        body["channel_id"]!.GetValue<string>().ShouldBe("C111");
        body["files"]!.AsArray().Single()!["id"]!.GetValue<string>().ShouldBe(upload.FileId);
        var comment = body["initial_comment"]!.GetValue<string>();
        comment.ShouldStartWith("*Upper back breaks in #*upper-back*, Mon 23 Nov – Sun 29 Nov 2026*");
        comment.ShouldContain("*2 breaks* by *2 people* this week");
        slack.Calls("files.upload").ShouldBeEmpty("the retired upload method is never used");
        slack.Messages("C111").ShouldBeEmpty("the digest is the file's comment, not a second message");
    }

    [Theory]
    [InlineData("files.getUploadURLExternal", "file_upload_size_restricted")]
    [InlineData("files.getUploadURLExternal", "file_uploads_disabled")]
    public async Task Stats_WhenSlackRefusesTheFile_PostsTheDigestAsText_AndLogsWhy(string method, string error)
    {
        slack.Script(method, _ => FakeReply.Error(error));
        var socket = await slack.NextSocketAsync();
        await LogBreaksAsync("U1");

        await socket.WaitForAckAsync(await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("stats", user: "U3")));
        var posted = (await slack.WaitForCallsAsync("chat.postMessage")).Single();

        posted.Arg("channel").ShouldBe("C111");
        var text = posted.Body!["text"]!.GetValue<string>();
        text.ShouldContain("Upper back breaks in #");
        text.ShouldContain("1 break");
        slack.Calls("files.completeUploadExternal").Count.ShouldBeLessThanOrEqualTo(1, "a refusal is not retried");
        logs.Lines.ShouldContain(l => l.Contains("refused the file digest-week-2026-11-23.png", StringComparison.Ordinal)
            && l.Contains(method, StringComparison.Ordinal) && l.Contains(error, StringComparison.Ordinal));
        logs.Lines.ShouldNotContain(l => l.Contains(Secrets.BotToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stats_InAChannelTheBotIsNotIn_JoinsIt_AndSharesTheFileThere()
    {
        var completions = 0;
        slack.Script("files.completeUploadExternal", _ => Interlocked.Increment(ref completions) == 1 ? FakeReply.Error("not_in_channel") : null);
        var socket = await slack.NextSocketAsync();
        await LogBreaksAsync("U1");

        await socket.WaitForAckAsync(await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("stats", user: "U3")));
        await slack.WaitForCallsAsync("files.completeUploadExternal", 2);

        slack.Calls("conversations.join").Single().Arg("channel").ShouldBe("C111");
        slack.Uploads().Count.ShouldBe(1, "the bytes went up once");
        slack.Calls("files.completeUploadExternal").Select(c => c.Body!["channel_id"]!.GetValue<string>()).ShouldBe(["C111", "C111"]);
        slack.Calls("chat.postMessage").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("not_in_channel", "method_not_supported_for_channel_type")] // a private channel: can't be joined
    [InlineData("not_in_channel", "channel_not_found")]
    [InlineData("channel_not_found", null)] // a private channel the bot can't even see
    public async Task Stats_InAPrivateChannelTheBotIsNotIn_TellsTheCallerToInviteIt_UploadingOnce(string shareError, string? joinError)
    {
        slack.Script("files.completeUploadExternal", _ => FakeReply.Error(shareError));
        if (joinError is not null)
        {
            slack.Script("conversations.join", _ => FakeReply.Error(joinError));
        }

        var socket = await slack.NextSocketAsync();
        await LogBreaksAsync("U1");

        await socket.WaitForAckAsync(await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("stats", user: "U3", responseUrlId: "stats", slack: slack)));
        var reply = (await slack.WaitForCallsAsync("response_url")).ShouldHaveSingleItem();

        reply.Arg("response_type").ShouldBe("ephemeral", "only the caller sees it");
        reply.Body!["text"]!.GetValue<string>().ShouldStartWith("I can't post in this channel: I'm not a member of this conversation");
        var shown = reply.Body["blocks"]!.AsArray().Select(b => b?["text"]?["text"]?.GetValue<string>()).OfType<string>().ShouldHaveSingleItem();
        shown.ShouldContain("Invite me to the channel (on Slack: type `/invite` and pick me)");
        shown.ShouldContain("(Slack files.completeUploadExternal failed: ");
        shown.ShouldNotContain("\n");
        slack.Uploads().Count.ShouldBe(1, "the bytes went up once");
        slack.Calls("files.getUploadURLExternal").Count.ShouldBe(1);
        slack.Calls("files.completeUploadExternal").Count.ShouldBe(1, "a refused share is not retried");
        slack.Calls("chat.postMessage").ShouldBeEmpty("text alone would be refused the same way");
        logs.Lines.ShouldContain(l => l.Contains("refused the reply in channel C111", StringComparison.Ordinal)
            && l.Contains("files.completeUploadExternal", StringComparison.Ordinal) && l.Contains(shareError, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rotation_InAPrivateChannelTheBotIsNotIn_TellsTheCallerOnly_WithTheSameAdvice()
    {
        slack.Script("chat.postMessage", _ => FakeReply.Error("not_in_channel"));
        slack.Script("conversations.join", _ => FakeReply.Error("method_not_supported_for_channel_type"));
        var socket = await slack.NextSocketAsync();

        var (ack, _) = await socket.WaitForAckAsync(await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("rotation", user: "U3", responseUrlId: "rotation", slack: slack)));

        // In the ack when the break's refusal came within the ack budget, else by response_url: caller-only either way.
        var reply = ack["payload"] as JsonObject ?? (await slack.WaitForCallsAsync("response_url")).ShouldHaveSingleItem().Body!;
        reply["response_type"]!.GetValue<string>().ShouldBe("ephemeral");
        var text = reply["text"]!.GetValue<string>();
        text.ShouldStartWith("I couldn't post Quadruped thoracic rotation here: I'm not a member of this conversation");
        text.ShouldContain("Invite me to the channel (on Slack: type /invite and pick me)");
        slack.Calls("chat.postMessage").Count.ShouldBe(1, "a refused prompt is not posted again");
        slack.Calls("conversations.join").Count.ShouldBe(1);
        logs.Lines.ShouldNotContain(l => l.Contains("refused the reply in channel", StringComparison.Ordinal), "the refusal is the break's, answered by Core");
    }

    /// <summary>A break each of <paramref name="users"/> logged in the channel this morning, straight in the store.</summary>
    private async Task LogBreaksAsync(params string[] users)
    {
        var channel = new ChannelKey(ChatPlatform.Slack, "T111", "C111");
        var at = Wednesday.AddHours(-2);
        foreach (var user in users)
        {
            (await host.Services.GetRequiredService<ICompletionStore>().RecordAsync(
                new NewCompletion(channel.Team, user, "Display " + user, channel, null, CompletionKind.SelfLogged, at, DateOnly.FromDateTime(at.UtcDateTime)), Ct))
                .ShouldBe(CompletionOutcome.Recorded);
        }
    }

    /// <summary>
    /// The clock at a chosen date that runs at the real pace (timers and delays are the system's), so the socket's
    /// timers work and the digest's week is the same whatever day the test runs.
    /// </summary>
    private sealed class DateShiftedClock(DateTimeOffset start) : TimeProvider
    {
        private readonly long started = System.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => start + System.GetElapsedTime(started);
    }

    /// <summary>Posts a started break's prompt (step 0) before returning, as the real runner does, and no cues.</summary>
    private sealed class PromptOnly(BreakPoster poster) : IBreakRunner
    {
        public Task StartAsync(long breakId, CancellationToken cancellationToken) =>
            poster.PostStepAsync(breakId, 0, cancellationToken);

        public Task WhenIdleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
