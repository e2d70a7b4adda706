namespace ChatBot.Host.Tests;

/// <summary>
/// Issue 9, point 2: one bot process per database file. A second one on the same files is refused with one
/// line naming the file and the first process; a killed first process never blocks a restart.
/// </summary>
public sealed class SingleInstanceTests : IDisposable
{
    private const string Ready = "ChatBot console chat in #console";
    private readonly string _directory = Directory.CreateTempSubdirectory("chatbot-lock-").FullName;

    private string DatabasePath => Path.Combine(_directory, "data", "chatbot.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_second_process_on_the_same_files_exits_2_naming_the_file_and_the_first_process()
    {
        using var first = await BotProcess.StartAsync(_directory, Ready, [("Storage__Path", DatabasePath)]);

        var second = await BotProcess.RunAsync(_directory, ["/drill done"], [("Storage__Path", DatabasePath)]);

        second.ExitCode.ShouldBe(2, second.Output + second.Errors);
        var line = second.Errors.Trim();
        line.ShouldNotContain("\n");
        line.ShouldContain("Storage:Path '" + DatabasePath + "' is in use by another ChatBot process");
        line.ShouldContain($"(pid {first.ProcessId})");
        second.Output.ShouldNotContain("Logged"); // it never took the command
    }

    [Fact]
    public async Task After_the_first_process_is_killed_the_next_one_starts_on_the_same_files()
    {
        using (var first = await BotProcess.StartAsync(_directory, Ready, [("Storage__Path", DatabasePath)]))
        {
            await first.KillAsync();
        }

        File.Exists(DatabasePath + ".lock").ShouldBeTrue(); // left behind by the killed process, and harmless

        var next = await BotProcess.RunAsync(_directory, ["/drill done"], [("Storage__Path", DatabasePath)]);

        next.ExitCode.ShouldBe(0, next.Errors);
        next.Output.ShouldContain("Logged");
    }
}
