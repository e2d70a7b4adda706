namespace ChatBot.Host.Tests;

/// <summary>
/// SIGTERM (a supervisor, <c>docker stop</c>, Ctrl-C) ends the bot promptly with exit code 0. The console chat's
/// read of standard input ignored the stop once it waited for a line, so the host waited out its whole shutdown
/// timeout (~25 s) and then crashed with "One or more hosted services failed to stop" and exit code 134.
/// </summary>
public sealed class SigtermTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chatbot-stop-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Sigterm_while_the_console_chat_waits_for_input_stops_the_bot_with_exit_code_0()
    {
        using var bot = await BotProcess.StartAsync(_directory, "ChatBot console chat", [("Storage__Path", Path.Combine(_directory, "chatbot.db"))]);

        var exitCode = await bot.TerminateAsync();

        exitCode.ShouldBe(0);
    }

    /// <remarks>
    /// The job server starts once the platforms are connected (or after 2 s); Slack answers every call with a
    /// transient error here, so the bot is still waiting to connect when the SIGTERM comes.
    /// </remarks>
    [Fact]
    public async Task Sigterm_while_the_bot_still_connects_stops_it_with_exit_code_0_and_no_start_failure()
    {
        await using var slack = new LoopbackHttpStub(200, "OK", """{"ok":false,"error":"internal_error"}""");
        using var bot = await BotProcess.StartAsync(_directory, "registered;",
        [
            ("Storage__Path", Path.Combine(_directory, "chatbot.db")),
            ("Slack__BotToken", "xoxb-fake-0000000000-test"),
            ("Slack__AppToken", "xapp-fake-0000000000-test"),
            ("Slack__ApiBaseUrl", slack.BaseUrl + "api/"),
        ]);

        var exitCode = await bot.TerminateAsync();

        exitCode.ShouldBe(0);
        var log = await bot.LaterOutput + await bot.LaterErrors;
        log.ShouldNotContain("Hosting failed to start");
        log.ShouldNotContain("Unhandled exception");
        log.ShouldNotContain("   at ");
    }
}
