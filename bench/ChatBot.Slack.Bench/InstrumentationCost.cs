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
/// Prometheus exporter; no log output) and <c>shipped</c> (that plus the console logger at Information, as the
/// container runs, written to a null sink). Figure: process CPU time per command, fake Slack included (it does
/// the same work in each). Each cycle runs the three once, in a rotating order (so a change in the machine's
/// load hits all alike) and gives one ratio to <c>bare</c>; the report gives the median and range of each mode
/// and of the per-cycle ratios, with the load average before and after (the machine may be shared).
/// </summary>
internal static class InstrumentationCost
{
    private const int Commands = 3000;
    private const int InFlight = 100;
    private const int Cycles = 5;

    private enum Mode
    {
        Bare,
        Telemetry,
        Shipped,
    }

    public static async Task RunAsync()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("chatbot-bench-ops-").FullName;
        var modes = Enum.GetValues<Mode>();
        Console.WriteLine($"ChatBot.Slack.Bench cpu: {Environment.ProcessorCount} cores, {Commands} × /drill list per round, {InFlight} in flight, {Cycles} cycles of {string.Join('/', modes).ToLowerInvariant()}, load average {LoadAverage()}");
        var results = modes.ToDictionary(m => m, _ => new List<double>());
        var ratios = modes.ToDictionary(m => m, _ => new List<double>());
        try
        {
            for (var cycle = 0; cycle < Cycles; cycle++)
            {
                for (var i = 0; i < modes.Length; i++)
                {
                    var mode = modes[(cycle + i) % modes.Length];
                    var microseconds = await MeasureAsync(slack, directory, mode);
                    results[mode].Add(microseconds);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  cycle {cycle + 1}: {mode.ToString().ToLowerInvariant(),-9} {microseconds,8:0.0} µs CPU per command"));
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
                $"{mode.ToString().ToLowerInvariant(),-9} median {Median(results[mode]):0.0} µs CPU per command (range {results[mode].Min():0.0}–{results[mode].Max():0.0})");
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

    private static async Task<double> MeasureAsync(FakeSlackServer slack, string directory, Mode mode)
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
        if (mode == Mode.Shipped)
        {
            // The console logger as the container has it, its output thrown away (it takes Console.Out when built).
            Console.SetOut(TextWriter.Null);
            builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Information);
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
        try
        {
            using var host = builder.Build();
            await host.StartAsync();
            FakeSocket[] sockets = [await slack.NextSocketAsync(), await slack.NextSocketAsync()];

            await RunAsync(sockets, Commands / 3); // warm-up: JIT, pools, users.info cache
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await RunAsync(sockets, Commands);
            used = Process.GetCurrentProcess().TotalProcessorTime - cpu;

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
        }

        return used.TotalMicroseconds / Commands;
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
