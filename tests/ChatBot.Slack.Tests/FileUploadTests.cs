using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>Posting a message with a file (the digest chart) through Slack's upload flow, against the fake Slack.</summary>
public sealed class FileUploadTests : IAsyncLifetime
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T111", "C111");
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5];
    private static readonly OutgoingMessage Digest = new("**Upper back breaks in #upper-back**\n13 breaks by 5 people")
    {
        File = new MessageFile("digest-week-2026-11-23.png", Png, "image/png", "Bar chart of upper back breaks per day"),
    };

    private readonly CapturingLoggerProvider logs = new();
    private FakeSlackServer slack = null!;
    private SlackApiClient api = null!;

    public async ValueTask InitializeAsync()
    {
        slack = await FakeSlackServer.StartAsync();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        api = new SlackApiClient(
            Options.Create(new SlackOptions { BotToken = Secrets.BotToken, AppToken = Secrets.AppToken, ApiBaseUrl = slack.ApiUrl, RequestTimeout = TimeSpan.FromSeconds(5) }),
            TimeProvider.System,
            new RecordingFatalErrorReporter(),
            factory.CreateLogger<SlackApiClient>());
    }

    public async ValueTask DisposeAsync()
    {
        api.Dispose();
        await slack.DisposeAsync();
    }

    [Fact]
    public async Task File_GoesUpInThreeSteps_AndIsSharedWithTheTextAsItsComment()
    {
        var id = await new SlackPlatform(api).PostAsync(Channel, Digest, new PostOptions("digest:week@2026-11-23"), TestContext.Current.CancellationToken);

        slack.Calls().Select(c => c.Method).ShouldBe(["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]);
        var ticket = slack.Calls("files.getUploadURLExternal").Single();
        ticket.Arg("filename").ShouldBe("digest-week-2026-11-23.png");
        ticket.Arg("length").ShouldBe(Png.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ticket.Arg("alt_txt").ShouldBe("Bar chart of upper back breaks per day");
        ticket.Authorization.ShouldBe("Bearer " + Secrets.BotToken);

        var upload = slack.Uploads().Single();
        upload.ContentType.ShouldStartWith("multipart/form-data");
        upload.PartName.ShouldBe("filename");
        upload.FileName.ShouldBe("digest-week-2026-11-23.png");
        upload.PartContentType.ShouldBe("image/png");
        upload.Bytes.ShouldBe(Png);
        upload.HadAuthorization.ShouldBeFalse("the upload URL is the credential: the token never goes to it");

        var complete = slack.Calls("files.completeUploadExternal").Single().Body!;
        complete["channel_id"]!.GetValue<string>().ShouldBe("C111");
        complete["files"]!.AsArray().Single()!["id"]!.GetValue<string>().ShouldBe(upload.FileId);
        complete["initial_comment"]!.GetValue<string>().ShouldBe("*Upper back breaks in #upper-back*\n13 breaks by 5 people");
        id.ShouldBe(upload.FileId);
        slack.Calls("files.upload").ShouldBeEmpty();
        slack.Calls("chat.postMessage").ShouldBeEmpty();
    }

    [Fact]
    public async Task CompleteFailsOnce_OnlyTheCompletionIsRetried_TheBytesGoUpOnce()
    {
        var attempts = 0;
        slack.Script("files.completeUploadExternal", _ => Interlocked.Increment(ref attempts) == 1 ? new FakeReply(503, "{}") : null);

        await new SlackPlatform(api).PostAsync(Channel, Digest, new PostOptions("d"), TestContext.Current.CancellationToken);

        slack.Calls("files.getUploadURLExternal").Count.ShouldBe(1);
        slack.Uploads().Count.ShouldBe(1);
        slack.Calls("files.completeUploadExternal").Count.ShouldBe(2);
    }

    [Fact]
    public async Task UploadFailsOnce_TheSameFileIsSentAgain_ToTheSameUrl_AndCompletedOnce()
    {
        slack.UploadStatus = u => u.Sequence == slack.Uploads()[0].Sequence ? 502 : null;

        await new SlackPlatform(api).PostAsync(Channel, Digest, new PostOptions("d"), TestContext.Current.CancellationToken);

        slack.Calls("files.getUploadURLExternal").Count.ShouldBe(1);
        slack.Uploads().Select(u => u.FileId).Distinct().Count().ShouldBe(1);
        slack.Uploads().Count.ShouldBe(2);
        slack.Calls("files.completeUploadExternal").Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("file_uploads_disabled")]
    [InlineData("file_upload_size_restricted")]
    [InlineData("missing_scope")]
    public async Task Refused_TheTextGoesAlone_WithALogLineSayingWhy(string error)
    {
        slack.Script("files.getUploadURLExternal", _ => FakeReply.Error(error));

        var ts = await new SlackPlatform(api).PostAsync(Channel, Digest, new PostOptions("d"), TestContext.Current.CancellationToken);

        ts.ShouldStartWith("1700000000.");
        slack.Calls("chat.postMessage").Single().Arg("channel").ShouldBe("C111");
        slack.Calls("chat.postMessage").Single().Body!["text"]!.GetValue<string>().ShouldContain("13 breaks by 5 people");
        slack.Uploads().ShouldBeEmpty();
        slack.Calls("files.completeUploadExternal").ShouldBeEmpty();
        logs.Lines.ShouldContain(l => l.Contains("refused the file digest-week-2026-11-23.png", StringComparison.Ordinal) && l.Contains(error, StringComparison.Ordinal));
        logs.Lines.ShouldNotContain(l => l.Contains(Secrets.BotToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChannelName_ComesFromConversationsInfo()
    {
        (await new SlackPlatform(api).GetChannelNameAsync(Channel, TestContext.Current.CancellationToken)).ShouldBe("upper-back");
        slack.Calls("conversations.info").Single().Arg("channel").ShouldBe("C111");
    }

    [Fact]
    public void Manifest_AsksForFilesWrite()
    {
        var manifest = File.ReadAllText(Path.Combine(RepoRoot(), "config", "slack-app-manifest.yml"));
        manifest.ShouldContain("- files:write");
        manifest.ShouldContain("- channels:read");
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ChatBot.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ChatBot.sln not found above the test's directory.");
    }
}
