using System.Diagnostics;
using System.Globalization;

namespace ChatBot.Peers.Bench;

/// <summary>
/// A bot under test as a separate process, with its output in a log file. Its CPU and memory are read from
/// <c>/proc/&lt;pid&gt;</c>: <c>stat</c> fields 14 and 15 (utime, stime, in clock ticks) and <c>status</c>
/// (VmRSS, VmHWM, in kB), so the figures are the kernel's, whatever the bot's runtime.
/// </summary>
internal sealed class BotProcess : IDisposable
{
    private static readonly double TicksPerSecond = ReadClockTicks();
    private readonly Process process;

    private BotProcess(Process process, string logPath, long startedAt)
    {
        this.process = process;
        LogPath = logPath;
        StartedAt = startedAt;
    }

    public int Id => process.Id;

    public string LogPath { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long StartedAt { get; }

    public bool HasExited => process.HasExited;

    /// <summary>
    /// Starts <paramref name="executable"/> through <c>sh -c exec</c>, which replaces the shell, so the pid is
    /// the bot's own and stdout/stderr go straight to <paramref name="logPath"/> (no pipe for us to drain).
    /// </summary>
    public static BotProcess Start(string executable, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, string logPath)
    {
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDirectory, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$@\" > \"$BENCH_BOT_LOG\" 2>&1");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(executable);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The bot gets only the settings the bench gives it: nothing from the caller's Slack or Discord setup.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Slack__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Discord__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("SLACK_", StringComparison.Ordinal) || k.StartsWith("DISCORD_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        info.Environment["BENCH_BOT_LOG"] = logPath;
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}.");
        return new BotProcess(process, logPath, startedAt);
    }

    /// <summary>
    /// CPU time of the process so far (every thread, those that ended included), in seconds: from its CPU-time clock
    /// (<c>clock_getcpuclockid</c>, ns), else from <c>/proc/&lt;pid&gt;/stat</c>'s utime + stime in 10 ms ticks. At
    /// steady state a loaded phase costs a bot only a few ticks, so the ticks alone moved a CPU ratio by a tenth.
    /// </summary>
    public double CpuSeconds()
    {
        if (CpuClock.TryRead(Id, out var seconds))
        {
            return seconds;
        }

        var stat = File.ReadAllText($"/proc/{Id}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }

    /// <summary>Resident set size now (VmRSS), in MB.</summary>
    public double RssMegabytes() => StatusKilobytes("VmRSS:") / 1024.0;

    /// <summary>Peak resident set size since start (VmHWM), in MB.</summary>
    public double PeakRssMegabytes() => StatusKilobytes("VmHWM:") / 1024.0;

    public string LogTail(int lines = 20)
    {
        try
        {
            return string.Join(Environment.NewLine, File.ReadLines(LogPath).TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    private long StatusKilobytes(string key)
    {
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{Id}/status has no {key}");
    }

    private static double ReadClockTicks()
    {
        // USER_HZ: what /proc/<pid>/stat counts in (100 on every Linux the bench runs on, asked anyway).
        using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return double.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var hz) && hz > 0 ? hz : 100;
    }
}
