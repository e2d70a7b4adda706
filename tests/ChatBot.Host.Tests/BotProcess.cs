using System.Diagnostics;
using System.Text;

namespace ChatBot.Host.Tests;

internal sealed record BotRun(int ExitCode, string Output, string Errors);

/// <summary>
/// Runs the real bot binary (ChatBot.dll) as the README's run command does, with stdin piped. The binary reads
/// the machine's real clock, so everything an assertion could depend on is set through configuration: every day
/// is a workday and days are counted in UTC, so a streak reads the same on any weekday, at any hour, in any
/// machine zone (the streak rules themselves are covered with a fake clock in ChatBot.Data.Tests).
/// </summary>
internal static class BotProcess
{
    public static async Task<BotRun> RunAsync(string workingDirectory, string[] lines, (string Key, string Value)[] environment)
    {
        using var process = Process.Start(StartInfo(workingDirectory, environment))!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        foreach (var line in lines)
        {
            await process.StandardInput.WriteLineAsync(line);
        }

        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new BotRun(process.ExitCode, await output, await errors);
    }

    /// <summary>
    /// Starts the bot with stdin left open (the console chat keeps running) and returns once its standard
    /// output shows <paramref name="readyText"/>. Dispose kills it.
    /// </summary>
    public static async Task<RunningBot> StartAsync(string workingDirectory, string readyText, (string Key, string Value)[] environment)
    {
        var process = Process.Start(StartInfo(workingDirectory, environment))!;
        var bot = new RunningBot(process);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains(readyText, StringComparison.Ordinal))
                {
                    // Keep reading, so the bot never blocks on a full pipe.
                    bot.LaterOutput = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    bot.LaterErrors = process.StandardError.ReadToEndAsync(CancellationToken.None);
                    return bot;
                }
            }

            throw new InvalidOperationException($"The bot exited (code {(process.WaitForExit(10_000) ? process.ExitCode : -1)}) before printing '{readyText}': {await process.StandardError.ReadToEndAsync(timeout.Token)}");
        }
        catch
        {
            bot.Dispose();
            throw;
        }
    }

    private static ProcessStartInfo StartInfo(string workingDirectory, (string Key, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ChatBot.dll")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.Environment["Breaks__CueInterval"] = "00:00:00.05";
        start.Environment["Scheduling__PollingInterval"] = "00:00:00.100";
        start.Environment["DOTNET_ENVIRONMENT"] = "Test";
        start.Environment["Breaks__Workdays"] = "daily"; // what tests assert never depends on today's weekday
        start.Environment["Breaks__DefaultTimeZone"] = "UTC";
        start.Environment["Ops__HttpUrl"] = "http://127.0.0.1:0"; // never the default 8080: tests run side by side
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }
}

/// <summary>A bot process left running by <see cref="BotProcess.StartAsync"/>.</summary>
internal sealed class RunningBot(Process process) : IDisposable
{
    public int ProcessId => process.Id;

    /// <summary>Standard output after the ready line, complete once the process has ended.</summary>
    public Task<string> LaterOutput { get; set; } = Task.FromResult(string.Empty);

    /// <summary>Standard error after the ready line (all of it), complete once the process has ended.</summary>
    public Task<string> LaterErrors { get; set; } = Task.FromResult(string.Empty);

    /// <summary>Kills the process the hard way (SIGKILL on Unix): no shutdown code runs, as in an OOM kill.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Sends SIGTERM (what a supervisor or <c>docker stop</c> sends) and returns the exit code once the process ends.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }
}
