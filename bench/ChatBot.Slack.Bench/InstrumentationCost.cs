using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Data;
using ChatBot.ServiceDefaults;
using ChatBot.Slack;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

/// <summary>
/// What the telemetry and the logs cost per command: the real Socket Mode client, Core's command router and the
/// SQLite stores answer <c>/drill list</c> (the cheapest real command, so the worst case for the relative cost)
/// from the in-process fake Slack, in three hosts: <c>bare</c> (no OpenTelemetry, no log output),
/// <c>telemetry</c> (<c>AddServiceDefaults()</c>: metrics, traces, runtime and HttpClient instrumentation, the
/// Prometheus exporter; no log output), <c>shipped</c> (that plus the console logger at Information, as the
/// container runs, writing to <c>/dev/null</c> as it would to the container's log pipe) and <c>verbose</c> (the same with <c>ChatBot.Slack</c> at Debug: a line
/// per command, as Slack wrote at Information before its per-minute summary). Figure: process CPU time per command, fake Slack included (it does
/// the same work in each). Each cycle runs the three once, in a rotating order (so a change in the machine's
/// load hits all alike) and gives one ratio to <c>bare</c>; the report gives the median and range of each mode
/// and of the per-cycle ratios, with the load average before and after (the machine may be shared).
/// </summary>
internal static class InstrumentationCost
{
    private const int Commands = 3000;
    private const int InFlight = 100;
    private const int Cycles = 7;

    private enum Mode
    {
        Bare,
        Telemetry,
        Shipped,
        Verbose,
    }

    public static async Task RunAsync()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("chatbot-bench-ops-").FullName;
        var modes = Enum.GetValues<Mode>();
        Console.WriteLine($"ChatBot.Slack.Bench cpu: {Environment.ProcessorCount} cores, {Commands} × /drill list per round, {InFlight} in flight, {Cycles} cycles of {string.Join('/', modes).ToLowerInvariant()}, load average {LoadAverage()}");
        var results = modes.ToDictionary(m => m, _ => new List<double>());
        var allocations = modes.ToDictionary(m => m, _ => new List<double>());
        var ratios = modes.ToDictionary(m => m, _ => new List<double>());
        try
        {
            for (var cycle = 0; cycle < Cycles; cycle++)
            {
                for (var i = 0; i < modes.Length; i++)
                {
                    var mode = modes[(cycle + i) % modes.Length];
                    var (microseconds, bytes) = await MeasureAsync(slack, directory, mode);
                    results[mode].Add(microseconds);
                    allocations[mode].Add(bytes);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cycle {cycle + 1}: {mode.ToString().ToLowerInvariant(),-9} {microseconds,8:0.0} µs CPU, {bytes,8:N0} bytes allocated per command"));
                }

                foreach (var mode in modes)
                {
                    ratios[mode].Add(results[mode][^1] / results[Mode.Bare][^1]);
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        foreach (var mode in modes)
        {
            var line = string.Create(
                CultureInfo.InvariantCulture,
                $"{mode.ToString().ToLowerInvariant(),-9} median {Median(results[mode]):0.0} µs CPU per command (range {results[mode].Min():0.0}–{results[mode].Max():0.0}), {Median(allocations[mode]):N0} bytes allocated");
            if (mode != Mode.Bare)
            {
                line += $"; vs bare: per-cycle median {Percent(Median(ratios[mode]))}, range {Percent(ratios[mode].Min())} to {Percent(ratios[mode].Max())}";
            }

            Console.WriteLine(line);
        }

        Console.WriteLine($"instrumentation cost (telemetry vs bare, per-cycle median): {Percent(Median(ratios[Mode.Telemetry]))}; load average {LoadAverage()}");
    }

    /// <summary>The command router needs a break runner; <c>/drill list</c> never starts a break.</summary>
    private sealed class NoBreakRunner : IBreakRunner
    {
        public Task StartAsync(long breakId, CancellationToken cancellationToken) => throw new InvalidOperationException("the bench starts no break");

        public Task WhenIdleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static string Percent(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{(ratio - 1) * 100:+0.0;-0.0} %");

    /// <summary>The 1, 5 and 15 minute load averages (Linux), so a reader can tell a busy machine.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <returns>Process CPU time (µs) and bytes allocated (all threads), per command.</returns>
    private static async Task<(double Microseconds, double Bytes)> MeasureAsync(FakeSlackServer slack, string directory, Mode mode)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = Path.Combine(directory, $"chatbot-{Guid.NewGuid():N}.db"),
            ["Slack:BotToken"] = Secrets.BotToken,
            ["Slack:AppToken"] = Secrets.AppToken,
            ["Slack:ApiBaseUrl"] = slack.ApiUrl.ToString(),
            ["Slack:Connections"] = "2",
            ["Slack:ConnectionStagger"] = "00:00:00",
            ["Slack:CommandAckBudget"] = "00:00:02", // every reply rides on its ack: the same work per command in each mode
            ["Ops:HttpUrl"] = "http://127.0.0.1:0",
        });
        builder.Logging.ClearProviders();
        var console = Console.Out;
        StreamWriter? sink = null;
        if (mode is Mode.Shipped or Mode.Verbose)
        {
            // The console logger as the container has it (it takes Console.Out when built): one write per line, to
            // /dev/null instead of the container's log pipe.
            sink = new StreamWriter(File.Exists("/dev/null") ? File.OpenWrite("/dev/null") : Stream.Null) { AutoFlush = true };
            Console.SetOut(sink);
            builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Information);
            if (mode == Mode.Verbose)
            {
                builder.Logging.AddFilter("ChatBot.Slack", LogLevel.Debug);
            }
        }

        if (mode != Mode.Bare)
        {
            builder.AddServiceDefaults();
        }

        builder.Services.AddChatBotCore(Path.Combine(AppContext.BaseDirectory, "drills.json"));
        builder.Services.AddChatBotData();
        builder.Services.AddSingleton<IBreakRunner, NoBreakRunner>();
        builder.Services.AddSlack(builder.Configuration);
        TimeSpan used;
        long allocated;
        try
        {
            using var host = builder.Build();
            await host.StartAsync();
            FakeSocket[] sockets = [await slack.NextSocketAsync(), await slack.NextSocketAsync()];

            await RunAsync(sockets, Commands / 3); // warm-up: JIT, pools, users.info cache
            GC.Collect(); // the garbage of earlier rounds is not collected on this round's time
            GC.WaitForPendingFinalizers();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            await RunAsync(sockets, Commands);
            used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - bytes;

            if (mode != Mode.Bare)
            {
                var ops = host.Services.GetRequiredService<OpsHttpHostedService>().Addresses.Single();
                using var http = new HttpClient();
                var metrics = await http.GetStringAsync(ops.TrimEnd('/') + "/metrics");
                if (!metrics.Contains("chatbot_commands_handled_total{", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("the instrumented host recorded no commands:\n" + metrics[..Math.Min(3000, metrics.Length)]);
                }
            }

            await host.StopAsync();
        }
        finally
        {
            Console.SetOut(console);
            sink?.Dispose();
        }

        return (used.TotalMicroseconds / Commands, (double)allocated / Commands);
    }

    private static async Task RunAsync(FakeSocket[] sockets, int count)
    {
        for (var sent = 0; sent < count; sent += InFlight)
        {
            var batch = new List<(FakeSocket Socket, string Id)>(InFlight);
            for (var i = 0; i < InFlight; i++)
            {
                var socket = sockets[i % sockets.Length];
                batch.Add((socket, await socket.SendEnvelopeAsync("slash_commands", Command(i))));
            }

            foreach (var (socket, id) in batch)
            {
                var (ack, _) = await socket.WaitForAckAsync(id);
                if (ack["payload"]?["text"]?.GetValue<string>() is not { } text || !text.Contains("rotation", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("a command was not answered with the drill list: " + ack["payload"]?.ToJsonString());
                }
            }
        }
    }

    private static JsonObject Command(int i) => new()
    {
        ["team_id"] = "T111",
        ["channel_id"] = "C" + (i % 10).ToString(CultureInfo.InvariantCulture),
        ["user_id"] = "U" + (i % 20).ToString(CultureInfo.InvariantCulture),
        ["user_name"] = "user",
        ["command"] = "/drill",
        ["text"] = "list",
    };

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
