// Envelope → ack latency of the real Socket Mode client against the loopback fake Slack, with 200
// envelopes in flight at once. Latency is measured on the fake's side: from just before the envelope
// frame is written to the moment its ack frame is read. With the argument "cpu": the CPU cost of the
// telemetry and the logs per command (InstrumentationCost.cs); "render": the reply's rendering (bench/Shared/RenderCost.cs).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ChatBot.Core.Commands;
using ChatBot.Slack.Tests.Fakes;

if (args is ["cpu"])
{
    await InstrumentationCost.RunAsync();
    return;
}

if (args is ["render"])
{
    // The /drill list reply's rendering alone (bench/Shared/RenderCost.cs).
    RenderCost.Run("ChatBot.Slack.Bench", ChatBot.Core.ChatPlatform.Slack, reply =>
        ChatBot.Slack.SlackInteractionDispatcher.ToResponsePayload(reply, replaceOriginal: null).ToJsonString().Length);
    return;
}

const int InFlight = 200;
const int Rounds = 5;

await using var slack = await FakeSlackServer.StartAsync();
var config = SlackTestHost.SocketModeConfig(slack);
config["Slack:Connections"] = "2";
config["Slack:ConnectionStagger"] = "00:00:00";
config.Remove("Slack:CommandAckBudget"); // measure the shipped default, not the tests' generous budget
var host = await SlackTestHost.StartAsync(config);
var sockets = new[] { await slack.NextSocketAsync(), await slack.NextSocketAsync() };

Console.WriteLine($"ChatBot.Slack.Bench: {Environment.ProcessorCount} cores, {InFlight} envelopes in flight per round, 2 Socket Mode connections");

// Cold round: every caller is new, so each command's reply also waits for users.info; the ack waits at most
// the default CommandAckBudget for it, then goes out empty and the reply follows by response_url.
// Warm-up (JIT, connection pools) with users of its own, so the measured round's users are still uncached.
await RunRoundAsync("slash_commands", i => Command(i, "warmup"));
Report("slash commands, cold users.info", await RunRoundAsync("slash_commands", i => Command(i, "cold")));

var warm = new List<double>();
for (var round = 0; round < Rounds; round++)
{
    warm.AddRange(await RunRoundAsync("slash_commands", i => Command(i, "cold")));
}

Report($"slash commands, cached users ({Rounds} rounds)", warm);

var clicks = new List<double>();
for (var round = 0; round < Rounds; round++)
{
    clicks.AddRange(await RunRoundAsync("interactive", i => Click(i, slack)));
}

Report($"Done clicks, stored then acked ({Rounds} rounds)", clicks);
Console.WriteLine($"chat.update calls for {clicks.Count} clicks on one prompt: {slack.Calls("chat.update").Count} (coalesced)");

// Ack-first: Slack:CommandAckBudget = 0, every command acked empty at once and answered by response_url.
await host.DisposeAsync();
config["Slack:CommandAckBudget"] = "00:00:00";
await using var ackFirstHost = await SlackTestHost.StartAsync(config);
sockets = [await slack.NextSocketAsync(), await slack.NextSocketAsync()];
Report("slash commands, ack-first, cold users.info", await RunRoundAsync("slash_commands", i => Command(i, "fresh")));
var ackFirst = new List<double>();
for (var round = 0; round < Rounds; round++)
{
    ackFirst.AddRange(await RunRoundAsync("slash_commands", i => Command(i, "fresh" + round.ToString(CultureInfo.InvariantCulture))));
}

Report($"slash commands, ack-first, all new users ({Rounds} rounds)", ackFirst);
return;

async Task<List<double>> RunRoundAsync(string type, Func<int, JsonObject> payload)
{
    var sent = new List<(FakeSocket Socket, string Id)>(InFlight);
    for (var i = 0; i < InFlight; i++)
    {
        var socket = sockets[i % sockets.Length];
        sent.Add((socket, await socket.SendEnvelopeAsync(type, payload(i), acceptsResponsePayload: type == "slash_commands")));
    }

    var latencies = new List<double>(InFlight);
    foreach (var (socket, id) in sent)
    {
        var (_, latency) = await socket.WaitForAckAsync(id);
        latencies.Add(latency.TotalMilliseconds);
    }

    return latencies;
}

static void Report(string label, List<double> samples)
{
    samples.Sort();
    double P(double q) => samples[Math.Clamp((int)Math.Ceiling(q * samples.Count) - 1, 0, samples.Count - 1)];
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{label,-48} n={samples.Count,5}  p50={P(0.50),7:0.00} ms  p99={P(0.99),7:0.00} ms  max={samples[^1],7:0.00} ms"));
}

static JsonObject Command(int i, string tag) => new()
{
    ["team_id"] = "T111",
    ["channel_id"] = "C" + (i % 20).ToString(CultureInfo.InvariantCulture),
    ["user_id"] = "U" + i.ToString(CultureInfo.InvariantCulture) + tag,
    ["user_name"] = "user" + i.ToString(CultureInfo.InvariantCulture),
    ["command"] = "/drill",
    ["text"] = "streak",
};

static JsonObject Click(int i, FakeSlackServer slack) => new()
{
    ["type"] = "block_actions",
    ["user"] = new JsonObject { ["id"] = "U" + i.ToString(CultureInfo.InvariantCulture) + "cold", ["name"] = "user", ["team_id"] = "T111" },
    ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = "1700000000.000001", ["channel_id"] = "C1", ["is_ephemeral"] = false },
    ["team"] = new JsonObject { ["id"] = "T111" },
    ["channel"] = new JsonObject { ["id"] = "C1" },
    ["response_url"] = slack.ResponseUrl("click" + i.ToString(CultureInfo.InvariantCulture)).ToString(),
    ["actions"] = new JsonArray(new JsonObject { ["action_id"] = ButtonAction.Done(1), ["type"] = "button" }),
};
