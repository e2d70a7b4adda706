using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Data;
using ChatBot.ServiceDefaults;
using ChatBot.Slack;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

/// <summary>
/// What the telemetry costs per command: the real Socket Mode client, Core's command router and the SQLite
/// stores answer <c>/drill list</c> (the cheapest real command, so the worst case for the relative cost) from
/// the in-process fake Slack, in a host without OpenTelemetry and in one with <c>AddServiceDefaults()</c>
/// (metrics, traces, runtime and HttpClient instrumentation, the Prometheus exporter). Figure: process CPU time
/// per command, fake Slack included (it does the same work in both), median of alternating rounds.
/// </summary>
internal static class InstrumentationCost
{
    private const int Commands = 3000;
    private const int InFlight = 100;
    private const int RoundsPerMode = 3;

    public static async Task RunAsync()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("chatbot-bench-ops-").FullName;
        Console.WriteLine($"ChatBot.Slack.Bench cpu: {Environment.ProcessorCount} cores, {Commands} × /drill list per round, {InFlight} in flight, {RoundsPerMode} rounds per mode");
        var results = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        try
        {
            for (var round = 0; round < RoundsPerMode * 2; round++)
            {
                var instrumented = round % 2 == 1;
                var microseconds = await MeasureAsync(slack, directory, instrumented);
                results[instrumented].Add(microseconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round + 1}: {(instrumented ? "with   " : "without")} telemetry  {microseconds,8:0.0} µs CPU per command"));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        var without = Median(results[false]);
        var with = Median(results[true]);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"median CPU per command: without {without:0.0} µs, with {with:0.0} µs: instrumentation costs {(with - without) / without * 100:+0.0;-0.0} %"));
    }

    private static async Task<double> MeasureAsync(FakeSlackServer slack, string directory, bool instrumented)
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
            ["Slack:CommandAckBudget"] = "00:00:02", // every reply rides on its ack: the same work per command in both modes
            ["Ops:HttpUrl"] = "http://127.0.0.1:0",
        });
        builder.Logging.ClearProviders(); // no log output in either mode: the telemetry alone is measured
        if (instrumented)
        {
            builder.AddServiceDefaults();
        }

        builder.Services.AddChatBotCore(Path.Combine(AppContext.BaseDirectory, "drills.json"));
        builder.Services.AddChatBotData();
        builder.Services.AddSlack(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        FakeSocket[] sockets = [await slack.NextSocketAsync(), await slack.NextSocketAsync()];

        await RunAsync(sockets, Commands / 3); // warm-up: JIT, pools, users.info cache
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await RunAsync(sockets, Commands);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        if (instrumented)
        {
            var ops = host.Services.GetRequiredService<OpsHttpHostedService>().Addresses.Single();
            using var http = new HttpClient();
            var metrics = await http.GetStringAsync(ops.TrimEnd('/') + "/metrics");
            if (!metrics.Contains("chatbot_commands_handled_total{", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the instrumented host recorded no commands");
            }
        }

        await host.StopAsync();
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
                if (ack["payload"] is null)
                {
                    throw new InvalidOperationException("a command was acked without its reply");
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
        values.Sort();
        return values[values.Count / 2];
    }
}
