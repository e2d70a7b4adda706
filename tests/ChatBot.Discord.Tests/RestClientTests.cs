using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Discord.Rest;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

public sealed class RestClientTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Discord, "290926798626357999", "645027906669510667");

    [Fact]
    public async Task A_429_with_retry_after_is_retried_once_the_bucket_resets_and_posts_once()
    {
        var clock = new SignalingTimeProvider(new FakeTimeProvider());
        await using var harness = await DiscordHarness.StartAsync(clock);
        harness.Fake.RestHandler = (request, count) => request.Route == $"POST channels/{Channel.ChannelId}/messages" && count == 0
            ? new FakeResponse(
                429,
                """{"message":"You are being rate limited.","retry_after":2.5,"global":false}""",
                new Dictionary<string, string>
                {
                    ["X-RateLimit-Bucket"] = "abcd1234",
                    ["X-RateLimit-Limit"] = "5",
                    ["X-RateLimit-Remaining"] = "0",
                    ["X-RateLimit-Reset-After"] = "2.5",
                    ["X-RateLimit-Scope"] = "user",
                    ["Retry-After"] = "3",
                })
            : null;
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);

        var post = platform.PostAsync(Channel, new OutgoingMessage("Break time"), new PostOptions("break-7-step-0"), TestContext.Current.CancellationToken);
        var first = await harness.Fake.NextRequestAsync(r => r.Method == "POST");
        var wait = await clock.WaitForTimerAsync(due => due >= TimeSpan.FromSeconds(2));
        wait.ShouldBe(TimeSpan.FromSeconds(2.5));
        post.IsCompleted.ShouldBeFalse();
        harness.Fake.Requests.Count(r => r.Method == "POST").ShouldBe(1);

        clock.Inner.Advance(TimeSpan.FromSeconds(2.5));
        var second = await harness.Fake.NextRequestAsync(r => r.Method == "POST");
        var id = await post.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        id.ShouldNotBeNullOrEmpty();
        harness.Fake.Requests.Count(r => r.Method == "POST").ShouldBe(2);
        first.Json.GetProperty("nonce").GetString().ShouldBe("break-7-step-0");
        first.Json.GetProperty("enforce_nonce").GetBoolean().ShouldBeTrue();
        second.Body.ShouldBe(first.Body); // the retry is the same post, so Discord dedupes it by nonce
    }

    [Fact]
    public async Task A_drained_bucket_holds_the_next_request_until_its_reset()
    {
        var clock = new SignalingTimeProvider(new FakeTimeProvider());
        await using var harness = await DiscordHarness.StartAsync(clock);
        harness.Fake.RestHandler = (request, count) => request.Method == "POST" && count == 0
            ? new FakeResponse(200, """{"id":"1"}""", new Dictionary<string, string>
            {
                ["X-RateLimit-Bucket"] = "b1",
                ["X-RateLimit-Remaining"] = "0",
                ["X-RateLimit-Reset-After"] = "1.5",
            })
            : null;
        var rest = harness.Services.GetRequiredService<DiscordRestClient>();
        await rest.CreateMessageAsync("42", new JsonObject { ["content"] = "a" }, null, TestContext.Current.CancellationToken);

        var next = rest.CreateMessageAsync("42", new JsonObject { ["content"] = "b" }, null, TestContext.Current.CancellationToken);
        (await clock.WaitForTimerAsync(due => due > TimeSpan.Zero)).ShouldBe(TimeSpan.FromSeconds(1.5));
        harness.Fake.Requests.Count(r => r.Method == "POST").ShouldBe(1);
        clock.Inner.Advance(TimeSpan.FromSeconds(1.5));
        await next.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        harness.Fake.Requests.Count(r => r.Method == "POST").ShouldBe(2);
    }

    [Fact]
    public async Task Thousands_of_interactions_leave_no_rate_limit_buckets_behind()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Path.StartsWith("webhooks/", StringComparison.Ordinal)
            ? new FakeResponse(200, """{"id":"1"}""", new Dictionary<string, string>
            {
                ["X-RateLimit-Bucket"] = "webhook-bucket",
                ["X-RateLimit-Limit"] = "5",
                ["X-RateLimit-Remaining"] = "4",
                ["X-RateLimit-Reset-After"] = "2",
            })
            : null;
        var rest = harness.Services.GetRequiredService<DiscordRestClient>();
        var ct = TestContext.Current.CancellationToken;

        // As the processor answers them: a callback, then (for late replies) the edit and a follow-up; 100 at once.
        await Parallel.ForAsync(0, 3000, new ParallelOptions { MaxDegreeOfParallelism = 100, CancellationToken = ct }, async (i, token) =>
        {
            var id = (1_300_000_000_000_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await rest.CreateInteractionResponseAsync(id, "tok-" + id, new JsonObject { ["type"] = 5 }, token);
            if (i % 3 == 0)
            {
                await rest.EditOriginalResponseAsync("111", "tok-" + id, new JsonObject { ["content"] = "a" }, token);
                await rest.CreateFollowupAsync("111", "tok-" + id, new JsonObject { ["content"] = "b" }, token);
            }
        });

        harness.Fake.Requests.Count.ShouldBe(5000);
        rest.BucketCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_drained_bucket_is_kept_until_its_reset_and_then_forgotten()
    {
        var clock = new FakeTimeProvider();
        await using var harness = await DiscordHarness.StartAsync(clock);
        harness.Fake.RestHandler = (request, _) => request.Path.StartsWith("webhooks/", StringComparison.Ordinal)
            ? new FakeResponse(200, """{"id":"1"}""", new Dictionary<string, string>
            {
                ["X-RateLimit-Bucket"] = "webhook-bucket",
                ["X-RateLimit-Remaining"] = "0",
                ["X-RateLimit-Reset-After"] = "1",
            })
            : null;
        var rest = harness.Services.GetRequiredService<DiscordRestClient>();
        for (var i = 0; i < 300; i++)
        {
            await rest.CreateFollowupAsync("111", "tok-" + i, new JsonObject { ["content"] = "b" }, TestContext.Current.CancellationToken);
        }

        // Each token's webhook bucket is drained for a second: kept, so a next follow-up on it waits (the first
        // is held by its route and its hash; once the route's hash is known, the others by the hash alone).
        rest.BucketCount.ShouldBe(301);

        clock.Advance(TimeSpan.FromSeconds(1));
        await rest.CreateFollowupAsync("111", "tok-new", new JsonObject { ["content"] = "c" }, TestContext.Current.CancellationToken);
        rest.BucketCount.ShouldBe(1); // only the new, drained one
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, count) => request.Method == "POST" && count < 2 ? new FakeResponse(502, "bad gateway") : null;
        var rest = harness.Services.GetRequiredService<DiscordRestClient>();
        var id = await rest.CreateMessageAsync("42", new JsonObject { ["content"] = "a" }, "k", TestContext.Current.CancellationToken);
        id.ShouldNotBeNullOrEmpty();
        harness.Fake.Requests.Count(r => r.Method == "POST").ShouldBe(3);
    }

    [Fact]
    public async Task Requests_carry_bot_authorization_and_the_discordbot_user_agent()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var rest = harness.Services.GetRequiredService<DiscordRestClient>();
        await rest.GetGatewayBotAsync(TestContext.Current.CancellationToken);
        var request = harness.Fake.Requests.Single();
        request.Authorization.ShouldBe("Bot " + DiscordHarness.Token);
        request.UserAgent.ShouldNotBeNull();
        request.UserAgent.ShouldStartWith("DiscordBot (");
    }

    [Fact]
    public async Task A_client_given_its_own_headers_sends_only_the_bots_authorization_and_user_agent()
    {
        await using var harness = await DiscordHarness.StartAsync();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bot an-old-token");
        http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "something-else/1.0");
        var rest = new DiscordRestClient(
            http,
            harness.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DiscordOptions>>(),
            harness.Services.GetRequiredService<IFatalErrorReporter>(),
            harness.Services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DiscordRestClient>>());

        await rest.GetGatewayBotAsync(TestContext.Current.CancellationToken);

        var request = harness.Fake.Requests.Single();
        request.Authorization.ShouldBe("Bot " + DiscordHarness.Token);
        request.UserAgent.ShouldBe(DiscordRestClient.UserAgent);
    }

    [Fact]
    public async Task A_401_on_a_bot_token_route_is_reported_as_fatal_and_not_retried()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (_, _) => new FakeResponse(401, """{"message":"401: Unauthorized","code":0}""");
        var rest = harness.Services.GetRequiredService<DiscordRestClient>();
        var ex = await Should.ThrowAsync<DiscordApiException>(() => rest.GetGatewayBotAsync(TestContext.Current.CancellationToken));
        ex.IsPermanent.ShouldBeTrue();
        (await harness.Fatal.Reported).ToString().ShouldContain("401");
        harness.Fake.Requests.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("callback")]
    [InlineData("edit")]
    [InlineData("follow-up")]
    public async Task A_401_on_an_interaction_token_route_fails_that_call_only_and_is_not_fatal(string route)
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (_, _) => new FakeResponse(401, """{"message":"401: Unauthorized","code":0}""");
        var rest = harness.Services.GetRequiredService<DiscordRestClient>();
        var payload = new JsonObject { ["type"] = 6 };
        Func<Task> call = route switch
        {
            "callback" => () => rest.CreateInteractionResponseAsync("786008729715212338", "expired-token", payload, TestContext.Current.CancellationToken),
            "edit" => () => rest.EditOriginalResponseAsync("111", "expired-token", payload, TestContext.Current.CancellationToken),
            _ => () => rest.CreateFollowupAsync("111", "expired-token", payload, TestContext.Current.CancellationToken),
        };

        var ex = await Should.ThrowAsync<DiscordApiException>(call);

        ex.Status.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        ex.IsPermanent.ShouldBeTrue();
        ex.Message.ShouldNotContain("expired-token");
        harness.Fatal.HasReported.ShouldBeFalse();
        harness.Fake.Requests.Count.ShouldBe(1);

        // The bot token is still good: a bot route afterwards works and nothing was reported.
        harness.Fake.RestHandler = null;
        await rest.GetGatewayBotAsync(TestContext.Current.CancellationToken);
        harness.Fatal.HasReported.ShouldBeFalse();
    }

    [Fact]
    public async Task A_refused_post_is_a_permanent_chat_platform_exception()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (_, _) => new FakeResponse(403, """{"message":"Missing Permissions","code":50013}""");
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);
        var ex = await Should.ThrowAsync<ChatPlatformException>(
            () => platform.PostAsync(Channel, new OutgoingMessage("x"), new PostOptions("k"), TestContext.Current.CancellationToken));
        ex.IsPermanent.ShouldBeTrue();
        ex.Message.ShouldContain("50013");
    }

    [Fact]
    public async Task A_thread_that_exists_already_counts_as_started_and_cues_go_into_it()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Path.EndsWith("/threads", StringComparison.Ordinal)
            ? new FakeResponse(400, """{"message":"A thread has already been created for this message","code":160004}""")
            : null;
        var platform = harness.Services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);
        await platform.PostAsync(Channel, new OutgoingMessage("cue"), new PostOptions("k1", "777", "Rotation break"), TestContext.Current.CancellationToken);
        await platform.PostAsync(Channel, new OutgoingMessage("cue 2"), new PostOptions("k2", "777", "Rotation break"), TestContext.Current.CancellationToken);

        harness.Fake.Requests.Count(r => r.Path.EndsWith("/threads", StringComparison.Ordinal)).ShouldBe(1);
        harness.Fake.Requests.Count(r => r.Route == "POST channels/777/messages").ShouldBe(2);
    }

    [Fact]
    public void Long_idempotency_keys_become_stable_25_character_nonces()
    {
        var key = "break-1234567890-step-12-channel-645027906669510667";
        DiscordRestClient.ToNonce(key).Length.ShouldBe(25);
        DiscordRestClient.ToNonce(key).ShouldBe(DiscordRestClient.ToNonce(key));
        DiscordRestClient.ToNonce(key).ShouldNotBe(DiscordRestClient.ToNonce(key + "x"));
        DiscordRestClient.ToNonce("short").ShouldBe("short");
    }
}
