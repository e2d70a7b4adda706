using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

/// <summary>Messages with a file (the digest chart): one multipart POST, follow-ups the same way, refusals fall back to text.</summary>
public sealed class AttachmentTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Discord, "290926798626357999", "645027906669510667");
    private static readonly OutgoingMessage Digest = new("**Upper back breaks in #upper-back**\n13 breaks by 5 people")
    {
        File = new MessageFile("digest-week-2026-11-23.png", new byte[] { 0x89, 0x50, 0x4E, 0x47, 9, 8, 7 }, "image/png", "Bar chart of breaks per day"),
    };

    [Fact]
    public async Task A_message_with_a_file_is_one_multipart_post_with_payload_json_declaring_files_0()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);

        var id = await platform.PostAsync(Channel, Digest, new PostOptions("digest:week@2026-11-23"), TestContext.Current.CancellationToken);

        var post = harness.Fake.Requests.Single();
        post.Route.ShouldBe($"POST channels/{Channel.ChannelId}/messages");
        post.ContentType.ShouldNotBeNull().ShouldStartWith("multipart/form-data");
        post.FieldNames.ShouldBe(["payload_json", "files[0]"]);
        var payload = post.Json;
        payload.GetProperty("content").GetString().ShouldBe("**Upper back breaks in #upper-back**\n13 breaks by 5 people");
        payload.GetProperty("nonce").GetString().ShouldBe("digest:week@2026-11-23");
        payload.GetProperty("enforce_nonce").GetBoolean().ShouldBeTrue();
        var attachment = payload.GetProperty("attachments").EnumerateArray().Single();
        attachment.GetProperty("id").GetInt32().ShouldBe(0);
        attachment.GetProperty("filename").GetString().ShouldBe("digest-week-2026-11-23.png");
        attachment.GetProperty("description").GetString().ShouldBe("Bar chart of breaks per day");
        var file = post.Files.ShouldNotBeNull().Single();
        (file.Name, file.FileName, file.ContentType).ShouldBe(("files[0]", "digest-week-2026-11-23.png", "image/png"));
        file.Bytes.ShouldBe(Digest.File!.Content.ToArray());
        id.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_5xx_is_retried_with_the_same_nonce_so_Discord_creates_one_message()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, count) => request.Method == "POST" && count == 0 ? new FakeResponse(502, "{}") : null;
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);

        await platform.PostAsync(Channel, Digest, new PostOptions("digest:week@2026-11-23"), TestContext.Current.CancellationToken);

        var posts = harness.Fake.Requests.Where(r => r.Method == "POST").ToList();
        posts.Count.ShouldBe(2);
        posts.ShouldAllBe(p => p.Files!.Count == 1);
        posts[1].Body.ShouldBe(posts[0].Body);
        harness.Fake.CreatedMessages.ShouldBe(1);
    }

    [Theory]
    [InlineData(403, """{"message":"Missing Permissions","code":50013}""")]
    [InlineData(413, """{"message":"Request entity too large","code":40005}""")]
    public async Task A_refused_file_is_logged_and_the_text_goes_alone(int status, string body)
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Files is { Count: > 0 } ? new FakeResponse(status, body) : null;
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);

        var id = await platform.PostAsync(Channel, Digest, new PostOptions("digest:week@2026-11-23"), TestContext.Current.CancellationToken);

        id.ShouldNotBeNullOrEmpty();
        var posts = harness.Fake.Requests.Where(r => r.Method == "POST").ToList();
        posts.Count.ShouldBe(2);
        posts[1].Files.ShouldBeNull();
        posts[1].ContentType.ShouldNotBeNull().ShouldStartWith("application/json");
        posts[1].Json.GetProperty("content").GetString().ShouldNotBeNull().ShouldContain("13 breaks by 5 people");
        harness.Logs.Lines.ShouldContain(l => l.Contains("Discord refused the file digest-week-2026-11-23.png", StringComparison.Ordinal));
        harness.Logs.Lines.ShouldNotContain(l => l.Contains(DiscordHarness.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_channel_name_comes_from_GET_channels()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);

        (await platform.GetChannelNameAsync(Channel, TestContext.Current.CancellationToken)).ShouldBe("upper-back");
        harness.Fake.Requests.Single().Route.ShouldBe($"GET channels/{Channel.ChannelId}");
    }

    [Fact]
    public async Task Drill_stats_answers_through_the_follow_up_webhook_with_the_file()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var (run, trace, stop) = harness.RunGateway();
        var connection = await InteractionTests.ReadyAsync(harness, trace);
        var payload = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_rotation.json"))
            .Replace("\"name\": \"rotation\"", "\"name\": \"stats\"", StringComparison.Ordinal);

        await connection.DispatchAsync("INTERACTION_CREATE", 2, payload);

        var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        callback.Json.GetProperty("type").GetInt32().ShouldBe(5);
        callback.Json.TryGetProperty("data", out _).ShouldBeFalse("the digest is for the channel: the deferral is public");
        var followUp = await harness.Fake.NextRequestAsync(r => r.Route == "POST webhooks/111/aW50ZXJhY3Rpb246Nzg2MDA4NzI5NzE1MjEyMzM4OnRva2Vu");
        followUp.FieldNames.ShouldBe(["payload_json", "files[0]"]);
        followUp.Json.GetProperty("attachments")[0].GetProperty("filename").GetString().ShouldBe("digest-week-2026-11-23.png");
        followUp.Json.GetProperty("content").GetString().ShouldNotBeNull().ShouldContain("13 breaks by 5 people");
        followUp.Json.TryGetProperty("flags", out _).ShouldBeFalse();
        followUp.Files!.Single().Bytes.ShouldBe(TestCommandHandler.DigestFile.Content.ToArray());
        harness.Fake.Requests.ShouldContain(r => r.Method == "DELETE" && r.Path.EndsWith("/messages/@original", StringComparison.Ordinal));
        harness.Fake.Requests.ShouldNotContain(r => r.Method == "PATCH");
        harness.Handler.Invocations.Single().Text.ShouldBe("stats");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}
