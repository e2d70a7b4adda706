using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBot.Discord.Tests.Fakes;
using ChatBot.ServiceDefaults;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Configuration;

namespace ChatBot.Host.Tests;

/// <summary>
/// The ops listener of the real host (every adapter wired as in production) against the loopback fakes of
/// Slack and Discord: readiness follows the platform connections, /metrics counts what the bot does, the
/// dashboard opens only with the password, and no token shows up in metrics, logs or spans.
/// </summary>
public sealed class OpsEndpointTests
{
    private const string SlackBotToken = "xoxb-1111-2222-OPSBOTTOKEN";
    private const string SlackAppToken = "xapp-1-A111-3333-OPSAPPTOKEN";
    private const string DiscordToken = "MTIzNDU2Nzg5.ops-test-token.Zz9";
    private const string InteractionToken = "aW50ZXJhY3Rpb246b3BzLXNlY3JldC10b2tlbg";

    [Fact]
    public async Task Readyz_is_503_naming_slack_until_the_fake_Slack_says_hello_then_200()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        slack.AutoHello = false;
        await using var bot = await OpsHost.StartAsync(SlackSettings(slack));
        var socket = await slack.NextSocketAsync();

        (await bot.Http.GetAsync("healthz", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var before = await bot.Http.GetAsync("readyz", TestContext.Current.CancellationToken))
        {
            before.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            var report = JsonNode.Parse(await before.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
            report["status"]!.GetValue<string>().ShouldBe("Unhealthy");
            report["checks"]!["slack"]!["status"]!.GetValue<string>().ShouldBe("Unhealthy");
            report["checks"]!["slack"]!["description"]!.GetValue<string>().ShouldBe("no Socket Mode connection is open");
            report["checks"]!["database"]!["status"]!.GetValue<string>().ShouldBe("Healthy");
        }

        await socket.SendHelloAsync();

        var ready = JsonNode.Parse(await bot.WaitForStatusAsync("readyz", HttpStatusCode.OK))!;
        ready["checks"]!.AsObject().Select(c => c.Key).ShouldBe(["database", "hangfire", "slack"], ignoreOrder: true);
    }

    [Fact]
    public async Task Readyz_goes_503_when_the_fake_Discord_drops_the_socket_and_back_to_200_when_the_bot_resumes()
    {
        await using var discord = await FakeDiscord.StartAsync();
        await using var bot = await OpsHost.StartAsync(DiscordSettings(discord));

        var first = await discord.NextConnectionAsync(TimeSpan.FromSeconds(20));
        await first.HelloAsync(45_000);
        await first.ExpectAsync(2);
        (await bot.Http.GetAsync("readyz", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        await first.ReadyAsync(1, "session-ops");
        await bot.WaitForStatusAsync("readyz", HttpStatusCode.OK);

        first.Abort();
        var down = JsonNode.Parse(await bot.WaitForStatusAsync("readyz", HttpStatusCode.ServiceUnavailable))!;
        down["checks"]!["discord"]!["description"]!.GetValue<string>().ShouldBe("the gateway session is not READY or RESUMED");

        var second = await discord.NextConnectionAsync(TimeSpan.FromSeconds(20));
        second.Path.ShouldBe("/resume");
        await second.HelloAsync(45_000);
        (await second.ExpectAsync(6)).GetProperty("d").GetProperty("session_id").GetString().ShouldBe("session-ops");
        await second.DispatchAsync("RESUMED", 2, "{}");

        await bot.WaitForStatusAsync("readyz", HttpStatusCode.OK);
        await bot.WaitForMetricAsync("chatbot_connection_reconnects_total", line => line.Contains("platform=\"discord\"") && line.Contains("reason=\"dropped\""));
        await bot.WaitForMetricAsync("chatbot_connection_resumes_total", line => line.Contains("platform=\"discord\"") && line.Contains("reason=\"dropped\""));
    }

    [Fact]
    public async Task Metrics_show_the_command_counter_and_ack_latency_moving_after_drill_list_and_no_token_anywhere()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        await using var bot = await OpsHost.StartAsync(SlackSettings(slack));
        var socket = await slack.NextSocketAsync();
        await bot.WaitForStatusAsync("readyz", HttpStatusCode.OK);
        var before = await bot.Http.GetStringAsync("metrics", TestContext.Current.CancellationToken);

        var envelope = await socket.SendEnvelopeAsync("slash_commands", SlashCommand("list"));
        var (ack, _) = await socket.WaitForAckAsync(envelope);
        ack["payload"]!["text"]!.GetValue<string>().ShouldContain("Bench thoracic extension");

        await bot.WaitForMetricAsync(
            "chatbot_commands_handled_total",
            line => line.Contains("command=\"list\"") && line.Contains("outcome=\"ok\"") && line.Contains("platform=\"slack\""));
        // The ack's duration and the reply's post are recorded once the ack is sent, after the test sees it.
        var after = await bot.WaitForMetricAsync(
            "chatbot_posts_total",
            line => line.Contains("kind=\"reply\"") && line.Contains("platform=\"slack\""));
        before.ShouldNotContain("command=\"list\"");
        after.ShouldContain("# TYPE chatbot_ack_duration_seconds histogram");
        after.Split('\n').ShouldContain(line => line.StartsWith("chatbot_ack_duration_seconds_count{", StringComparison.Ordinal)
            && line.Contains("kind=\"command\"") && line.Contains("platform=\"slack\"") && !line.EndsWith(" 0", StringComparison.Ordinal));
        after.ShouldContain("chatbot_posts_total{");
        after.ShouldContain("kind=\"reply\"");
        after.ShouldContain("dotnet_gc_collections_total"); // runtime instrumentation
        (await bot.WaitForMetricAsync("chatbot_breaks_active", _ => true, atLeast: 0)).ShouldContain("# TYPE chatbot_breaks_active gauge");
        after.ShouldContain("http_client_request_duration_seconds"); // HttpClient instrumentation

        foreach (var secret in new[] { SlackBotToken, SlackAppToken, "OPSBOTTOKEN", "OPSAPPTOKEN" })
        {
            after.ShouldNotContain(secret);
            bot.Logs.Lines.ShouldAllBe(line => !line.Contains(secret));
            bot.SpansNow().ShouldAllBe(span => !span.TagObjects.Any(tag => (tag.Value as string ?? "").Contains(secret)));
        }
    }

    [Fact]
    public async Task One_trace_runs_from_the_Discord_interaction_through_the_command_to_its_callback_and_no_token_is_in_a_span_log_or_metric()
    {
        await using var discord = await FakeDiscord.StartAsync();
        await using var bot = await OpsHost.StartAsync(DiscordSettings(discord));
        var gateway = await discord.NextConnectionAsync(TimeSpan.FromSeconds(20));
        await gateway.HelloAsync(45_000);
        await gateway.ExpectAsync(2);
        await gateway.ReadyAsync(1, "session-trace");
        await bot.WaitForStatusAsync("readyz", HttpStatusCode.OK);

        await gateway.DispatchAsync("INTERACTION_CREATE", 2, DrillInteraction("list"));
        // The reply: the callback itself (type 4) when ready within Discord:CommandAckBudget, else the edit after a deferral.
        await discord.NextRequestAsync(
            r => (r.Path.EndsWith("/callback", StringComparison.Ordinal) && r.Json.GetProperty("type").GetInt32() == 4)
                || (r.Method == "PATCH" && r.Path.EndsWith("/messages/@original", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20));

        var root = await WaitForSpanAsync(bot, span => span.OperationName == "discord interaction");
        Activity[] trace = [];
        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (!trace.Any(span => span.OperationName == "discord POST interactions/{i}/{t}/callback")
                || !trace.Any(span => span.OperationName == "drill list"))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
                trace = [.. bot.SpansNow().Where(span => span.TraceId == root.TraceId)];
            }
        }

        trace.ShouldContain(span => span.OperationName == "drill list" && span.Source.Name == "ChatBot.Core");
        trace.ShouldContain(span => span.OperationName == "discord POST interactions/{i}/{t}/callback");
        // The HttpClient spans join the same trace, with the interaction token cut out of their URL.
        trace.ShouldContain(span => span.Source.Name == "System.Net.Http"
            && (span.GetTagItem("url.full") as string ?? "").EndsWith("/interactions/786008729715219999/{token}/callback", StringComparison.Ordinal));

        var metrics = await bot.WaitForMetricAsync(
            "chatbot_commands_handled_total",
            line => line.Contains("command=\"list\"") && line.Contains("platform=\"discord\""));
        metrics.ShouldContain("chatbot_ack_duration_seconds_count{");
        foreach (var secret in new[] { DiscordToken, InteractionToken })
        {
            metrics.ShouldNotContain(secret);
            bot.Logs.Lines.ShouldAllBe(line => !line.Contains(secret));
            bot.SpansNow().ShouldAllBe(span => !span.TagObjects.Any(tag => (tag.Value as string ?? "").Contains(secret)) && !span.DisplayName.Contains(secret));
        }
    }

    [Fact]
    public async Task Dashboard_is_404_without_a_password_401_with_a_wrong_one_200_with_the_right_one_and_read_only_unless_writable()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        await using (var closed = await OpsHost.StartAsync(SlackSettings(slack)))
        {
            (await closed.Http.GetAsync("hangfire", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        var settings = SlackSettings(slack);
        settings["Ops:DashboardPassword"] = "correct horse";
        await using var bot = await OpsHost.StartAsync(settings);

        using (var anonymous = await bot.Http.GetAsync("hangfire", TestContext.Current.CancellationToken))
        {
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            anonymous.Headers.WwwAuthenticate.ShouldContain(h => h.Scheme == "Basic");
        }

        (await GetAsAsync(bot, "hangfire", "admin", "wrong horse")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await GetAsAsync(bot, "hangfire", "root", "correct horse")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        using var page = await GetAsAsync(bot, "hangfire/recurring", "admin", "correct horse");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("Recurring");

        // Read-only unless Ops:DashboardWritable: Hangfire refuses its commands even with the right login.
        (await PostAsAsync(bot, "hangfire/recurring/trigger", "admin", "correct horse")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        settings["Ops:DashboardWritable"] = "true";
        await using var writable = await OpsHost.StartAsync(settings);
        (await PostAsAsync(writable, "hangfire/recurring/trigger", "admin", "correct horse")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        // Neither the password nor a wrong guess (nor their basic-auth encoding) shows up in metrics, logs or spans.
        string[] secrets = ["correct horse", "wrong horse", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:correct horse"))];
        foreach (var host in new[] { bot, writable })
        {
            var metrics = await host.Http.GetStringAsync("metrics", TestContext.Current.CancellationToken);
            foreach (var secret in secrets)
            {
                metrics.ShouldNotContain(secret);
                host.Logs.Lines.ShouldAllBe(line => !line.Contains(secret));
                host.SpansNow().ShouldAllBe(span => !span.TagObjects.Any(tag => (tag.Value as string ?? "").Contains(secret)) && !span.DisplayName.Contains(secret));
            }
        }
    }

    [Fact]
    public async Task The_healthcheck_probe_exits_0_while_the_bot_answers_and_1_when_nothing_does()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        var port = 0;
        await using (var bot = await OpsHost.StartAsync(SlackSettings(slack)))
        {
            port = bot.Http.BaseAddress!.Port;
            (await OpsProbe.RunAsync(Config(("Ops:HttpUrl", $"http://0.0.0.0:{port}")), TextWriter.Null)).ShouldBe(0);
        }

        using var errors = new StringWriter();
        (await OpsProbe.RunAsync(Config(("Ops:HttpUrl", $"http://127.0.0.1:{port}")), errors)).ShouldBe(1);
        errors.ToString().ShouldContain("did not answer");
        (await OpsProbe.RunAsync(Config(("Ops:Enabled", "false")), TextWriter.Null)).ShouldBe(1);
    }

    private static async Task<Activity> WaitForSpanAsync(OpsHost bot, Func<Activity, bool> match)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (bot.SpansNow().FirstOrDefault(match) is { } span)
            {
                return span;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
        }
    }

    private static async Task<HttpResponseMessage> PostAsAsync(OpsHost bot, string path, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("jobs[]", "no-such-job")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        return await bot.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<HttpResponseMessage> GetAsAsync(OpsHost bot, string path, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        return await bot.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static Dictionary<string, string?> SlackSettings(FakeSlackServer slack) => new()
    {
        ["Slack:BotToken"] = SlackBotToken,
        ["Slack:AppToken"] = SlackAppToken,
        ["Slack:ApiBaseUrl"] = slack.ApiUrl.ToString(),
        ["Slack:Connections"] = "1",
        ["Slack:ReconnectInitialDelay"] = "00:00:00.050",
        ["Slack:ReconnectMaxDelay"] = "00:00:00.500",
        ["Slack:CommandAckBudget"] = "00:00:02",
    };

    private static Dictionary<string, string?> DiscordSettings(FakeDiscord discord) => new()
    {
        ["Discord:BotToken"] = DiscordToken,
        ["Discord:ApplicationId"] = "111",
        ["Discord:ApiBaseUrl"] = discord.ApiBaseUrl.ToString(),
        ["Discord:GatewayUrl"] = discord.GatewayUrl.ToString(),
        ["Discord:ReconnectBaseDelay"] = "00:00:00",
        ["Discord:InvalidSessionDelay"] = "00:00:00",
    };

    private static JsonObject SlashCommand(string text) => new()
    {
        ["team_id"] = "T111",
        ["team_domain"] = "test",
        ["channel_id"] = "C111",
        ["channel_name"] = "breaks",
        ["user_id"] = "U1",
        ["user_name"] = "name-u1",
        ["command"] = "/drill",
        ["text"] = text,
        ["api_app_id"] = "A111",
        ["trigger_id"] = "1.2.3",
    };

    private static string DrillInteraction(string subcommand) => JsonSerializer.Serialize(new
    {
        application_id = "111",
        channel = new { id = "645027906669510667", guild_id = "290926798626357999", type = 0 },
        channel_id = "645027906669510667",
        data = new { id = "771825006014889984", name = "drill", options = new[] { new { name = subcommand, type = 1 } }, type = 1 },
        guild_id = "290926798626357999",
        id = "786008729715219999",
        member = new
        {
            permissions = "2147483647",
            user = new { id = "53908232506183680", username = "mason", global_name = "Mason K" },
        },
        token = InteractionToken,
        type = 2,
        version = 1,
    });
}
