using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

public sealed class SecretsAndHostingTests
{
    [Fact]
    public async Task The_hosted_service_logs_the_invite_registers_and_connects_and_no_log_line_holds_a_token()
    {
        await using var harness = await DiscordHarness.StartAsync(configure: s => s["Discord:ApplicationId"] = null);
        var hosted = harness.Services.GetServices<IHostedService>().OfType<DiscordGatewayHostedService>().Single();
        await hosted.StartAsync(TestContext.Current.CancellationToken);

        // Start-up: the gateway identifies while the application id comes from applications/@me, the invite link
        // is logged and /drill registered.
        var connection = await harness.Fake.NextConnectionAsync();
        await connection.HelloAsync(45000);
        await connection.ExpectAsync(2);
        await connection.ReadyAsync(1, "session-s");
        await harness.Fake.NextRequestAsync(r => r.Route == "PUT applications/111/commands");
        harness.Fake.Requests.ShouldContain(r => r.Route == "GET applications/@me");
        harness.Logs.Lines.ShouldContain(l => l.Contains(
            "https://discord.com/oauth2/authorize?client_id=111&scope=bot%20applications.commands&permissions=309237763072",
            StringComparison.Ordinal));

        // A whole break, a click whose follow-up is refused (401 on the interaction webhook) and a fatal close:
        // everything that logs.
        await connection.DispatchAsync("INTERACTION_CREATE", 2, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_rotation.json")));
        await harness.Handler.BreakPosted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await harness.Fake.NextRequestAsync(r => r.Method == "PATCH");
        harness.Fake.RestHandler = (request, _) => request.Method == "POST" && request.Path.StartsWith("webhooks/", StringComparison.Ordinal)
            ? new FakeResponse(401, """{"message":"401: Unauthorized","code":0}""")
            : null;
        await connection.DispatchAsync("INTERACTION_CREATE", 3, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "button_done.json")));
        await harness.Logs.WaitForAsync(l => l.Contains("could not send a follow-up", StringComparison.Ordinal));
        harness.Fatal.HasReported.ShouldBeFalse(); // a refused interaction token is not a revoked bot token
        await connection.CloseAsync(4004);
        await hosted.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken); // stopped by the fatal close
        harness.Fatal.Reports.ShouldHaveSingleItem().ToString().ShouldContain("4004");
        await hosted.StopAsync(TestContext.Current.CancellationToken);

        harness.Fake.Requests.ShouldAllBe(r => r.Authorization == "Bot " + DiscordHarness.Token); // the token was really in use
        harness.Logs.Lines.Count.ShouldBeGreaterThan(5);
        var leaks = harness.Logs.Lines.Where(l => l.Contains(DiscordHarness.Token, StringComparison.Ordinal)
            || l.Contains("secret-test-token", StringComparison.Ordinal)
            || l.Contains("aW50ZXJhY3Rpb246Nzg2MDA4NzI5NzE1MjEyMzM4OnRva2Vu", StringComparison.Ordinal)
            || l.Contains("YnV0dG9uLXRva2Vu", StringComparison.Ordinal)).ToList();
        leaks.ShouldBeEmpty();
        harness.Fatal.Reports.ShouldAllBe(r => !r.ToString().Contains(DiscordHarness.Token, StringComparison.Ordinal));
    }
}
