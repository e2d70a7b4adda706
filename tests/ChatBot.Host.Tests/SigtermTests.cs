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
}
