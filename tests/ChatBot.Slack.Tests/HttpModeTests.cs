using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ChatBot.Slack.Tests.Fakes;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>HTTP mode: the adapter's own Kestrel endpoints on 127.0.0.1:0, requests signed like Slack signs them.</summary>
public sealed class HttpModeTests : IAsyncLifetime
{
    private FakeSlackServer slack = null!;
    private SlackTestHost host = null!;
    private HttpClient http = null!;

    public async ValueTask InitializeAsync()
    {
        slack = await FakeSlackServer.StartAsync();
        host = await SlackTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Secrets.BotToken,
            ["Slack:SigningSecret"] = Secrets.SigningSecret,
            ["Slack:ApiBaseUrl"] = slack.ApiUrl.ToString(),
            ["Slack:HttpUrl"] = "http://127.0.0.1:0",
            ["Slack:CommandAckBudget"] = "00:00:02", // the tests read the reply from the ack: no race with a 30 ms default
        });
        var address = host.Get<SlackHttpModeHostedService>().Addresses.ShouldHaveSingleItem();
        http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await host.DisposeAsync();
        await slack.DisposeAsync();
    }

    private static string Form(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));

    private static string CommandBody(string text) => Form(new Dictionary<string, string>
    {
        ["token"] = "legacy",
        ["team_id"] = "T111",
        ["team_domain"] = "test",
        ["channel_id"] = "C111",
        ["channel_name"] = "breaks",
        ["user_id"] = "U1",
        ["user_name"] = "ann",
        ["command"] = "/drill",
        ["text"] = text,
        ["trigger_id"] = "1.2.3",
    });

    private async Task<HttpResponseMessage> PostAsync(string path, string body, DateTimeOffset? signedAt = null, string? secret = null, string? bodyOverride = null)
    {
        var timestamp = (signedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = SlackRequestSignature.Compute(secret ?? Secrets.SigningSecret, timestamp, Encoding.UTF8.GetBytes(body));
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(bodyOverride ?? body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", signature);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task SignedSlashCommand_IsAnsweredInTheResponse()
    {
        using var response = await PostAsync(SlackHttpModeHostedService.CommandsPath, CommandBody("help"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        json["response_type"]!.GetValue<string>().ShouldBe("ephemeral");
        json["text"]!.GetValue<string>().ShouldBe("You said help");
        (await host.Handler.NextInvocationAsync()).Text.ShouldBe("help");
    }

    [Fact]
    public async Task ForgedStaleOrUnsignedRequests_Get401_AndChangeNothing()
    {
        using (var tampered = await PostAsync(SlackHttpModeHostedService.CommandsPath, CommandBody("help"), bodyOverride: CommandBody("schedule remove 09:30")))
        {
            tampered.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var stale = await PostAsync(SlackHttpModeHostedService.CommandsPath, CommandBody("help"), DateTimeOffset.UtcNow.AddMinutes(-6)))
        {
            stale.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var wrongSecret = await PostAsync(SlackHttpModeHostedService.InteractivityPath, "payload=%7B%7D", secret: "not-the-secret"))
        {
            wrongSecret.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var unsigned = await http.PostAsync(SlackHttpModeHostedService.CommandsPath, new StringContent(CommandBody("help"), Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken))
        {
            unsigned.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        host.Handler.CommandCount.ShouldBe(0);
        host.Handler.ClickCount.ShouldBe(0);
        slack.Calls().Where(c => c.Method != "auth.test").ShouldBeEmpty();
    }

    private async Task<HttpResponseMessage> SendSignedAsync(string path, string body, string timestamp, string signature, string? retryNum = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", signature);
        if (retryNum is not null)
        {
            request.Headers.Add("X-Slack-Retry-Num", retryNum);
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }

        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ReplayedSignedRotationCommand_Gets401_AndStartsNoSecondBreak()
    {
        var body = CommandBody("rotation");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = SlackRequestSignature.Compute(Secrets.SigningSecret, timestamp, Encoding.UTF8.GetBytes(body));

        using (var first = await SendSignedAsync(SlackHttpModeHostedService.CommandsPath, body, timestamp, signature))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await host.Handler.NextInvocationAsync()).Text.ShouldBe("rotation");

        using (var replay = await SendSignedAsync(SlackHttpModeHostedService.CommandsPath, body, timestamp, signature))
        {
            replay.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        // Slack's own retry of the same delivery is acknowledged (so Slack stops) but not run again either.
        using (var retry = await SendSignedAsync(SlackHttpModeHostedService.CommandsPath, body, timestamp, signature, retryNum: "1"))
        {
            retry.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await retry.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
        }

        host.Handler.CommandCount.ShouldBe(1);

        // A new request (new timestamp, so a new signature) with the same text is a new command and runs.
        var later = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var fresh = await SendSignedAsync(
            SlackHttpModeHostedService.CommandsPath, body, later, SlackRequestSignature.Compute(Secrets.SigningSecret, later, Encoding.UTF8.GetBytes(body))))
        {
            fresh.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        host.Handler.CommandCount.ShouldBe(2);
    }

    [Fact]
    public async Task ReplayedSignedDoneClick_Gets401_AndIsNotStoredTwice()
    {
        var payload = SocketModeTests.DoneClick("1700000000.000778", responseUrlId: "http-replay", slack: slack).ToJsonString();
        var body = "payload=" + Uri.EscapeDataString(payload);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = SlackRequestSignature.Compute(Secrets.SigningSecret, timestamp, Encoding.UTF8.GetBytes(body));

        using (var first = await SendSignedAsync(SlackHttpModeHostedService.InteractivityPath, body, timestamp, signature))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using (var replay = await SendSignedAsync(SlackHttpModeHostedService.InteractivityPath, body, timestamp, signature))
        {
            replay.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        host.Handler.ClickCount.ShouldBe(1);
    }

    [Fact]
    public async Task SignedDoneClick_IsStored_ThenAnswered()
    {
        var payload = SocketModeTests.DoneClick("1700000000.000777", responseUrlId: "http-click", slack: slack).ToJsonString();

        using var response = await PostAsync(SlackHttpModeHostedService.InteractivityPath, "payload=" + Uri.EscapeDataString(payload));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        host.Handler.ClickCount.ShouldBe(1);
        (await slack.WaitForCallsAsync("chat.update")).ShouldHaveSingleItem().Arg("ts").ShouldBe("1700000000.000777");
        (await slack.WaitForCallsAsync("response_url")).ShouldHaveSingleItem().Arg("response_type").ShouldBe("ephemeral");
    }

    [Fact]
    public async Task SignedButMalformedInteractivity_IsRejectedWithoutACrash()
    {
        using var response = await PostAsync(SlackHttpModeHostedService.InteractivityPath, "payload=%7Bnot-json");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var next = await PostAsync(SlackHttpModeHostedService.CommandsPath, CommandBody("list"));
        next.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
