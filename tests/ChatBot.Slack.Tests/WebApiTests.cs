using System.Diagnostics;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>The real Web API client over HTTP against the fake Slack.</summary>
public sealed class WebApiTests : IAsyncLifetime
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T111", "C111");
    private FakeSlackServer slack = null!;
    private readonly RecordingFatalErrorReporter fatal = new();
    private readonly CapturingLoggerProvider logs = new();
    private SlackApiClient api = null!;

    public async ValueTask InitializeAsync()
    {
        slack = await FakeSlackServer.StartAsync();
        api = CreateClient(new SlackOptions
        {
            BotToken = Secrets.BotToken,
            AppToken = Secrets.AppToken,
            ApiBaseUrl = slack.ApiUrl,
            RequestTimeout = TimeSpan.FromSeconds(5),
        });
    }

    public async ValueTask DisposeAsync()
    {
        api.Dispose();
        await slack.DisposeAsync();
    }

    private SlackApiClient CreateClient(SlackOptions options, TimeProvider? time = null)
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        return new SlackApiClient(Options.Create(options), time ?? TimeProvider.System, fatal, factory.CreateLogger<SlackApiClient>());
    }

    private static PostOptions Post(string key) => new(key);

    [Fact]
    public async Task RateLimited_WithRetryAfter_WaitsAndPostsExactlyOnce()
    {
        var attempts = 0;
        slack.Script("chat.postMessage", _ => Interlocked.Increment(ref attempts) == 1 ? FakeReply.RateLimited(1) : null);
        var platform = new SlackPlatform(api);

        var ts = await platform.PostAsync(Channel, new OutgoingMessage("Break!"), Post("b:1:0"), TestContext.Current.CancellationToken);

        var posts = slack.Calls("chat.postMessage");
        posts.Count.ShouldBe(2);
        ts.ShouldNotBeNullOrEmpty();
        Stopwatch.GetElapsedTime(posts[0].At, posts[1].At).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900));
        logs.Lines.ShouldContain(l => l.Contains("rate limited", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RateLimit_OnOneChannel_PausesThatChannel_NotOthers()
    {
        var attempts = 0;
        slack.Script("chat.postMessage", c => c.Arg("channel") == "CSLOW" && Interlocked.Increment(ref attempts) == 1 ? FakeReply.RateLimited(2) : null);

        var slow = api.PostMessageAsync("CSLOW", SlackBlockKitRenderer.Render(new OutgoingMessage("a")), null, TestContext.Current.CancellationToken);
        var limited = (await slack.WaitForCallsAsync("chat.postMessage", 1, c => c.Arg("channel") == "CSLOW"))[0];
        await api.PostMessageAsync("CFAST", SlackBlockKitRenderer.Render(new OutgoingMessage("b")), null, TestContext.Current.CancellationToken);
        var fast = slack.Calls("chat.postMessage").Single(c => c.Arg("channel") == "CFAST");

        await slow;
        var retried = slack.Calls("chat.postMessage")[^1];
        Stopwatch.GetElapsedTime(limited.At, fast.At).ShouldBeLessThan(TimeSpan.FromMilliseconds(1500), "the other channel did not wait out CSLOW's Retry-After");
        Stopwatch.GetElapsedTime(limited.At, retried.At).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1900));
        slack.Calls("chat.postMessage").Select(c => c.Arg("channel")).ShouldBe(["CSLOW", "CFAST", "CSLOW"]);
    }

    [Fact]
    public async Task PostsToOneChannel_AreSpacedAtLeastASecondApart()
    {
        var first = api.PostMessageAsync("C1", SlackBlockKitRenderer.Render(new OutgoingMessage("1")), null, TestContext.Current.CancellationToken);
        var second = api.PostMessageAsync("C1", SlackBlockKitRenderer.Render(new OutgoingMessage("2")), null, TestContext.Current.CancellationToken);
        await Task.WhenAll(first, second);

        var posts = slack.Calls("chat.postMessage");
        Stopwatch.GetElapsedTime(posts[0].At, posts[1].At).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950));
    }

    [Fact]
    public async Task ServerErrors_AreRetriedWithBackoff_ThenSucceed()
    {
        var attempts = 0;
        slack.Script("chat.update", _ => Interlocked.Increment(ref attempts) <= 2 ? new FakeReply(503, "upstream down") : null);

        await api.UpdateMessageAsync("C1", "1.2", SlackBlockKitRenderer.Render(new OutgoingMessage("x")), TestContext.Current.CancellationToken);

        slack.Calls("chat.update").Count.ShouldBe(3);
    }

    [Fact]
    public async Task ServerErrors_ThatOutlastTheRetries_AreTransientFailures()
    {
        slack.Script("chat.update", _ => new FakeReply(500, "boom"));

        var ex = await Should.ThrowAsync<SlackApiException>(() => api.UpdateMessageAsync("C1", "1.2", SlackBlockKitRenderer.Render(new OutgoingMessage("x")), TestContext.Current.CancellationToken));

        ex.IsPermanent.ShouldBeFalse();
        ex.Error.ShouldBe("http_500");
        slack.Calls("chat.update").Count.ShouldBe(4);
    }

    [Fact]
    public async Task OkFalse_IsATypedPermanentError_NotRetried()
    {
        slack.Script("chat.postMessage", _ => FakeReply.Error("channel_not_found"));
        var platform = new SlackPlatform(api);

        var ex = await Should.ThrowAsync<ChatPlatformException>(() => platform.PostAsync(Channel, new OutgoingMessage("x"), Post("k"), TestContext.Current.CancellationToken));

        var slackError = ex.ShouldBeOfType<SlackApiException>();
        slackError.Error.ShouldBe("channel_not_found");
        slackError.Method.ShouldBe("chat.postMessage");
        ex.IsPermanent.ShouldBeTrue();
        slack.Calls("chat.postMessage").Count.ShouldBe(1);
        fatal.HasReported.ShouldBeFalse();
    }

    [Fact]
    public async Task NotInChannel_JoinsThenPostsOnce()
    {
        var attempts = 0;
        slack.Script("chat.postMessage", _ => Interlocked.Increment(ref attempts) == 1 ? FakeReply.Error("not_in_channel") : null);

        var ts = await api.PostMessageAsync("CPUB", SlackBlockKitRenderer.Render(new OutgoingMessage("hi")), null, TestContext.Current.CancellationToken);

        ts.ShouldNotBeNullOrEmpty();
        slack.Calls("conversations.join").ShouldHaveSingleItem().Arg("channel").ShouldBe("CPUB");
        slack.Calls("chat.postMessage").Count.ShouldBe(2);
    }

    [Fact]
    public async Task RevokedToken_OnAPost_ReportsFatalOnce()
    {
        slack.Script("chat.postMessage", _ => FakeReply.Error("token_revoked"));

        await Should.ThrowAsync<SlackApiException>(() => api.PostMessageAsync("C1", SlackBlockKitRenderer.Render(new OutgoingMessage("x")), null, TestContext.Current.CancellationToken));
        await Should.ThrowAsync<SlackApiException>(() => api.PostMessageAsync("C2", SlackBlockKitRenderer.Render(new OutgoingMessage("x")), null, TestContext.Current.CancellationToken));

        (await fatal.Reported).Reason.ShouldContain("Slack:BotToken");
        fatal.Count.ShouldBe(1);
    }

    [Fact]
    public async Task UsersInfo_ReadsZoneNameAndAdminFlags_AndIsCachedUntilExpiry()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var cachedApi = CreateClient(new SlackOptions { BotToken = Secrets.BotToken, ApiBaseUrl = slack.ApiUrl, UserCacheDuration = TimeSpan.FromMinutes(30) }, time);
        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "users_info.json")))!["user"]!.AsObject();
        slack.UserInfo = _ => (JsonObject)recorded.DeepClone();

        var user = await cachedApi.GetUserAsync("W012A3CDE", TestContext.Current.CancellationToken);
        await cachedApi.GetUserAsync("W012A3CDE", TestContext.Current.CancellationToken);

        user.ShouldBe(new SlackUserInfo("W012A3CDE", "spengler", "America/Los_Angeles", IsAdmin: true, IsOwner: false));
        var call = slack.Calls("users.info").ShouldHaveSingleItem();
        call.Arg("user").ShouldBe("W012A3CDE");
        call.Authorization.ShouldBe("Bearer " + Secrets.BotToken);

        time.Advance(TimeSpan.FromMinutes(31));
        await cachedApi.GetUserAsync("W012A3CDE", TestContext.Current.CancellationToken);
        slack.Calls("users.info").Count.ShouldBe(2);
    }

    [Fact]
    public async Task PostEphemeral_AndCueThreading_SendTheRightFields()
    {
        await api.PostEphemeralAsync("C1", "U1", SlackBlockKitRenderer.Render(new OutgoingMessage("only you")), "1.5", TestContext.Current.CancellationToken);
        var platform = new SlackPlatform(api);
        await platform.PostAsync(Channel, new OutgoingMessage("cue"), new PostOptions("b:1:1", ThreadRootMessageId: "1700000000.000001"), TestContext.Current.CancellationToken);

        var ephemeral = slack.Calls("chat.postEphemeral").ShouldHaveSingleItem();
        ephemeral.Arg("user").ShouldBe("U1");
        ephemeral.Arg("thread_ts").ShouldBe("1.5");
        slack.Calls("chat.postMessage").ShouldHaveSingleItem().Arg("thread_ts").ShouldBe("1700000000.000001");
    }

    [Fact]
    public async Task SlackPlatform_RefusesOtherPlatformsChannels()
    {
        var platform = new SlackPlatform(api);
        var ex = await Should.ThrowAsync<ChatPlatformException>(() => platform.PostAsync(new ChannelKey(ChatPlatform.Discord, "G", "C"), new OutgoingMessage("x"), Post("k"), TestContext.Current.CancellationToken));
        ex.IsPermanent.ShouldBeTrue();
        slack.Calls().ShouldBeEmpty();
    }

    [Fact]
    public async Task MalformedResponse_IsATransientError_NotACrash()
    {
        slack.Script("chat.update", _ => new FakeReply(200, "<html>not json</html>"));
        var ex = await Should.ThrowAsync<SlackApiException>(() => api.UpdateMessageAsync("C1", "1", SlackBlockKitRenderer.Render(new OutgoingMessage("x")), TestContext.Current.CancellationToken));
        ex.Error.ShouldBe("invalid_response");
        ex.IsPermanent.ShouldBeFalse();
    }
}
