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
public sealed class FileUploadTests : WebApiTestBase
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T111", "C111");
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5];
    private static readonly OutgoingMessage Digest = new("**Upper back breaks in #upper-back**\n13 breaks by 5 people")
    {
        File = new MessageFile("digest-week-2026-11-23.png", Png, "image/png", "Bar chart of upper back breaks per day"),
    };


    protected override TimeSpan RequestTimeout => TimeSpan.FromSeconds(5);

    [Fact]
    public async Task File_GoesUpInThreeSteps_AndIsSharedWithTheTextAsItsComment()
    {
        var id = await new SlackPlatform(Api).PostAsync(Channel, Digest, new PostOptions("digest:week@2026-11-23"), TestContext.Current.CancellationToken);

        Slack.Calls().Select(c => c.Method).ShouldBe(["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]);
        var ticket = Slack.Calls("files.getUploadURLExternal").Single();
        ticket.Arg("filename").ShouldBe("digest-week-2026-11-23.png");
        ticket.Arg("length").ShouldBe(Png.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ticket.Arg("alt_txt").ShouldBe("Bar chart of upper back breaks per day");
        ticket.Authorization.ShouldBe("Bearer " + Secrets.BotToken);

        var upload = Slack.Uploads().Single();
        upload.ContentType.ShouldStartWith("multipart/form-data");
        upload.PartName.ShouldBe("filename");
        upload.FileName.ShouldBe("digest-week-2026-11-23.png");
        upload.PartContentType.ShouldBe("image/png");
        upload.Bytes.ShouldBe(Png);
        upload.HadAuthorization.ShouldBeFalse("the upload URL is the credential: the token never goes to it");

        var complete = Slack.Calls("files.completeUploadExternal").Single().Body!;
        complete["channel_id"]!.GetValue<string>().ShouldBe("C111");
        complete["files"]!.AsArray().Single()!["id"]!.GetValue<string>().ShouldBe(upload.FileId);
        complete["initial_comment"]!.GetValue<string>().ShouldBe("*Upper back breaks in #upper-back*\n13 breaks by 5 people");
        id.ShouldBe(upload.FileId);
        Slack.Calls("files.upload").ShouldBeEmpty();
        Slack.Calls("chat.postMessage").ShouldBeEmpty();
    }

    [Fact]
    public async Task CompleteFailsOnce_OnlyTheCompletionIsRetried_TheBytesGoUpOnce()
    {
        var attempts = 0;
        Slack.Script("files.completeUploadExternal", _ => Interlocked.Increment(ref attempts) == 1 ? new FakeReply(503, "{}") : null);

        await new SlackPlatform(Api).PostAsync(Channel, Digest, new PostOptions("d"), TestContext.Current.CancellationToken);

        Slack.Calls("files.getUploadURLExternal").Count.ShouldBe(1);
        Slack.Uploads().Count.ShouldBe(1);
        Slack.Calls("files.completeUploadExternal").Count.ShouldBe(2);
    }

    [Fact]
    public async Task UploadFailsOnce_TheSameFileIsSentAgain_ToTheSameUrl_AndCompletedOnce()
    {
        Slack.UploadStatus = u => u.Sequence == Slack.Uploads()[0].Sequence ? 502 : null;

        await new SlackPlatform(Api).PostAsync(Channel, Digest, new PostOptions("d"), TestContext.Current.CancellationToken);

        Slack.Calls("files.getUploadURLExternal").Count.ShouldBe(1);
        Slack.Uploads().Select(u => u.FileId).Distinct().Count().ShouldBe(1);
        Slack.Uploads().Count.ShouldBe(2);
        Slack.Calls("files.completeUploadExternal").Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("file_uploads_disabled")]
    [InlineData("file_upload_size_restricted")]
    [InlineData("missing_scope")]
    public async Task Refused_TheTextGoesAlone_WithALogLineSayingWhy(string error)
    {
        Slack.Script("files.getUploadURLExternal", _ => FakeReply.Error(error));

        var ts = await new SlackPlatform(Api).PostAsync(Channel, Digest, new PostOptions("d"), TestContext.Current.CancellationToken);

        ts.ShouldStartWith("1700000000.");
        Slack.Calls("chat.postMessage").Single().Arg("channel").ShouldBe("C111");
        Slack.Calls("chat.postMessage").Single().Body!["text"]!.GetValue<string>().ShouldContain("13 breaks by 5 people");
        Slack.Uploads().ShouldBeEmpty();
        Slack.Calls("files.completeUploadExternal").ShouldBeEmpty();
        Logs.Lines.ShouldContain(l => l.Contains("refused the file digest-week-2026-11-23.png", StringComparison.Ordinal) && l.Contains(error, StringComparison.Ordinal));
        Logs.Lines.ShouldNotContain(l => l.Contains(Secrets.BotToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChannelName_ComesFromConversationsInfo()
    {
        (await new SlackPlatform(Api).GetChannelNameAsync(Channel, TestContext.Current.CancellationToken)).ShouldBe("upper-back");
        Slack.Calls("conversations.info").Single().Arg("channel").ShouldBe("C111");
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
