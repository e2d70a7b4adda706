// Interaction → callback latency through the real Discord adapter (gateway client, interaction processor,
// REST client with rate-limit buckets) against the loopback fake Discord, with 200 interactions in flight.
// "render": the /drill list reply's rendering alone (bench/Shared/RenderCost.cs).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Discord;
using ChatBot.Discord.Gateway;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

if (args is ["render"])
{
    // The /drill list reply's rendering alone: its type-4 callback body as the processor sends it (bench/Shared/RenderCost.cs).
    RenderCost.Run("ChatBot.Discord.Bench", ChatPlatform.Discord, reply =>
        ChatBot.Discord.Interactions.DiscordInteractionProcessor.ReplyCallback(reply)?.Length
            ?? throw new InvalidOperationException("the list reply does not fit one type-4 callback"));
    return;
}

const int InFlight = 200;
const int WarmUpRounds = 2;
var rounds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_ROUNDS"), out var r) ? r : 10;
if (Environment.GetEnvironmentVariable("BENCH_MINTHREADS") is { } mt) { ThreadPool.SetMinThreads(int.Parse(mt, CultureInfo.InvariantCulture), int.Parse(mt, CultureInfo.InvariantCulture)); }

await using var fake = await FakeDiscord.StartAsync();
var callbacks = new ConcurrentDictionary<string, long>();
var followUps = new ConcurrentDictionary<string, long>();
fake.RestHandler = (request, _) =>
{
    if (request.Path.StartsWith("interactions/", StringComparison.Ordinal))
    {
        var id = request.Path.Split('/')[1];
        callbacks[id] = request.Timestamp;
        if (request.Json.GetProperty("type").GetInt32() == 4)
        {
            followUps[id] = request.Timestamp; // the reply came with the callback: nothing follows
        }
    }
    else if (request.Path.StartsWith("webhooks/111/tok-", StringComparison.Ordinal))
    {
        followUps[request.Path.Split('/')[2]["tok-".Length..]] = request.Timestamp;
    }

    return null;
};

var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Discord:BotToken"] = "bench-token",
    ["Discord:ApplicationId"] = "111",
    ["Discord:ApiBaseUrl"] = fake.ApiBaseUrl.ToString(),
}).Build();
var services = new ServiceCollection()
    .AddSingleton<IConfiguration>(configuration)
    .AddLogging(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
    .AddSingleton<IFatalErrorReporter, ConsoleFatalErrorReporter>()
    .AddScoped<ICommandHandler, BenchCommandHandler>()
    .AddDiscord(configuration)
    .BuildServiceProvider();

var gateway = services.GetRequiredService<DiscordGatewayClient>();
var trace = Channel.CreateUnbounded<string>();
gateway.Trace = trace.Writer;
using var stop = new CancellationTokenSource();
var run = Task.Run(() => gateway.RunAsync(stop.Token));
var connection = await fake.NextConnectionAsync();
await connection.HelloAsync(41250);
await connection.ExpectAsync(2);
await connection.ReadyAsync(1, "bench-session");
while (await trace.Reader.ReadAsync() != "ready")
{
}

var sequence = 1;
var all = new List<double>();
for (var round = 0; round < WarmUpRounds + rounds; round++)
{
    var sentAt = new Dictionary<string, long>();
    var ids = new List<string>();
    for (var i = 0; i < InFlight; i++)
    {
        var id = (1_300_000_000_000_000_000L + (round * 10_000L) + i).ToString(CultureInfo.InvariantCulture);
        ids.Add(id);
        var payload = i % 2 == 0 ? SlashCommand(id) : DoneClick(id);
        sentAt[id] = Stopwatch.GetTimestamp();
        await connection.DispatchAsync("INTERACTION_CREATE", ++sequence, payload);
    }

    // Each round is its own burst: wait until every callback and every follow-up of this one is done.
    var deadline = Stopwatch.StartNew();
    while (ids.Any(id => !callbacks.ContainsKey(id) || !followUps.ContainsKey(id)) && deadline.Elapsed < TimeSpan.FromSeconds(30))
    {
        await Task.Delay(5);
    }

    var latencies = ids.Where(callbacks.ContainsKey)
        .Select(id => Stopwatch.GetElapsedTime(sentAt[id], callbacks[id]).TotalMilliseconds)
        .Order()
        .ToList();
    if (round < WarmUpRounds)
    {
        Console.WriteLine($"warm-up round {round + 1}: {latencies.Count}/{InFlight} answered");
        continue;
    }

    all.AddRange(latencies);
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"round {round - WarmUpRounds + 1}: {latencies.Count}/{InFlight} answered, p50 {Percentile(latencies, 0.50):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms, max {latencies[^1]:F2} ms"));
}

all.Sort();
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"ALL {all.Count} interactions ({rounds} rounds of {InFlight} in flight, half /drill commands, half Done clicks): p50 {Percentile(all, 0.50):F2} ms, p99 {Percentile(all, 0.99):F2} ms, max {all[^1]:F2} ms"));

await stop.CancelAsync();
await run;
await services.DisposeAsync();

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static string SlashCommand(string id) => $$$"""
    {"id":"{{{id}}}","application_id":"111","type":2,"token":"tok-{{{id}}}","version":1,"guild_id":"290926798626357999","channel_id":"645027906669510667",
     "member":{"permissions":"1024","user":{"id":"53908232506183680","username":"mason"}},
     "data":{"id":"771825006014889984","name":"drill","type":1,"options":[{"name":"streak","type":1}]}}
    """;

static string DoneClick(string id) => $$$"""
    {"id":"{{{id}}}","application_id":"111","type":3,"token":"tok-{{{id}}}","version":1,"guild_id":"290926798626357999","channel_id":"645027906669510667",
     "member":{"permissions":"1024","user":{"id":"53908232506183680","username":"mason"}},
     "message":{"id":"846462639134605313","channel_id":"645027906669510667"},
     "data":{"component_type":2,"custom_id":"done:42"}}
    """;

/// <summary>Answers at once, as Core does for a streak query or a stored click (a local insert).</summary>
internal sealed class BenchCommandHandler : ICommandHandler
{
    public Task<CommandReply> HandleAsync(CommandInvocation invocation, CancellationToken cancellationToken) =>
        Task.FromResult(CommandReply.ToCaller("Current streak: **3** workdays"));

    public Task<ClickOutcome> HandleClickAsync(ButtonClick click, CancellationToken cancellationToken) =>
        Task.FromResult(new ClickOutcome(
            CommandReply.ToCaller("Logged."),
            new OutgoingMessage("Upper back break: rotation. Done by 1", [new MessageButton(click.ActionId, "Done", ButtonStyle.Success)])));
}

internal sealed class ConsoleFatalErrorReporter : IFatalErrorReporter
{
    public CancellationToken FatalReported => CancellationToken.None; // the bench waits for nothing to come up

    public void ReportFatal(string source, string reason, Exception? exception = null) => Console.Error.WriteLine($"FATAL {source}: {reason}");
}
