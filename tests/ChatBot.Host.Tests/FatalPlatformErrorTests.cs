namespace ChatBot.Host.Tests;

/// <summary>
/// A token the platform refuses for good must stop the whole bot with a non-zero exit code (so a supervisor
/// restarts or alerts), with one clear line, and without ever printing the token.
/// </summary>
public sealed class FatalPlatformErrorTests : IDisposable
{
    private const string SlackBotToken = "xoxb-fake-0000000000-test";
    private const string SlackAppToken = "xapp-fake-0000000000-test";
    private const string DiscordToken = "fake-discord-token-for-tests.0000.test";
    private readonly string _directory = Directory.CreateTempSubdirectory("chatbot-fatal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Slack_answering_invalid_auth_stops_the_bot_with_exit_code_1()
    {
        await using var slack = new LoopbackHttpStub(200, "OK", """{"ok":false,"error":"invalid_auth"}""");

        var run = await BotProcess.RunAsync(_directory, [],
        [
            ("Storage__Path", Path.Combine(_directory, "chatbot.db")),
            ("Slack__BotToken", SlackBotToken),
            ("Slack__AppToken", SlackAppToken),
            ("Slack__ApiBaseUrl", slack.BaseUrl + "api/"),
        ]);

        run.ExitCode.ShouldBe(1, run.Errors);
        slack.Requests.ShouldBeGreaterThan(0);
        var log = run.Output + run.Errors;
        log.ShouldContain("invalid_auth");
        log.ShouldContain("Stopping the bot");
        ShouldReadAsAStop(log);
        log.ShouldNotContain(SlackBotToken);
        log.ShouldNotContain(SlackAppToken);
    }

    [Fact]
    public async Task Discord_refusing_the_token_stops_the_bot_with_exit_code_1()
    {
        await using var discord = new LoopbackHttpStub(401, "Unauthorized", """{"message":"401: Unauthorized","code":0}""");

        var run = await BotProcess.RunAsync(_directory, [],
        [
            ("Storage__Path", Path.Combine(_directory, "chatbot.db")),
            ("Discord__BotToken", DiscordToken),
            ("Discord__ApiBaseUrl", discord.BaseUrl + "api/v10/"),
        ]);

        run.ExitCode.ShouldBe(1, run.Errors);
        discord.Requests.ShouldBeGreaterThan(0);
        var log = run.Output + run.Errors;
        log.ShouldContain("Stopping the bot");
        ShouldReadAsAStop(log);
        log.ShouldNotContain(DiscordToken);
    }

    /// <summary>
    /// The adapters start before the other services, so a refused token may stop the host while it still starts:
    /// that must read as a stop (the fatal line), not as a start failure or a crash with a stack trace.
    /// </summary>
    private static void ShouldReadAsAStop(string log)
    {
        log.ShouldNotContain("Hosting failed to start");
        log.ShouldNotContain("Unhandled exception");
        log.ShouldNotContain("   at ");
    }
}
