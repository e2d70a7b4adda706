using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBot.Discord.Tests.Fakes;
using ChatBot.Slack.Tests.Fakes;

namespace ChatBot.Peers.Bench;

/// <summary>
/// One command's outcome as the fake saw it: ack (the first answer to the platform) and reply (the moment the
/// reply's content arrived, on the ack itself or on a later call), both in ms after the command was sent.
/// </summary>
internal sealed record Sample(double AckMs, double ReplyMs, JsonNode? Reply, string? Error = null)
{
    public static Sample Failed(string error) => new(double.NaN, double.NaN, null, error);
}

/// <summary>A loopback fake of one platform, driving one bot process at a time.</summary>
internal interface IPlatformRig : IAsyncDisposable
{
    string Platform { get; }

    /// <summary>ChatBot's configuration (environment variables) pointing it at this fake.</summary>
    Dictionary<string, string> ChatBotEnvironment(string dataDirectory);

    /// <summary>The Node bots' environment variables pointing them at this fake.</summary>
    Dictionary<string, string> NodeEnvironment();

    /// <summary>Waits until the bot is connected; returns that moment (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    Task<long> WaitConnectedAsync(BotProcess bot, TimeSpan timeout);

    /// <summary>Takes note of the connections open now; commands are spread over them.</summary>
    void SnapshotConnections();

    /// <summary>
    /// Sends one <c>/drill list</c>; completes once it is on the wire, with the task of its outcome. The reply's
    /// content (<see cref="Sample.Reply"/>) is kept only with <paramref name="keepReply"/> (the probe's, compared
    /// between bots): copying it for every command made the generator, not the bot, the limit on Slack.
    /// </summary>
    Task<Task<Sample>> SendAsync(bool keepReply = false);
}

/// <summary>
/// Slack: slash_commands envelopes over Socket Mode. Reply = the ack when it carries the reply payload,
/// else the <c>response_url</c> POST that follows it.
/// </summary>
internal sealed class SlackRig : IPlatformRig
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private readonly FakeSlackServer fake;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ApiCall>> responses = new(StringComparer.Ordinal);
    private FakeSocket[] sockets = [];
    private int sequence;

    private SlackRig(FakeSlackServer fake)
    {
        this.fake = fake;
        fake.CallObserver = call =>
        {
            if (call.Method == "response_url" && call.Body?["_response_url_id"]?.GetValue<string>() is { } id && responses.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult(call);
            }
        };
    }

    public string Platform => "Slack";

    public static async Task<SlackRig> StartAsync() => new(await FakeSlackServer.StartAsync());

    public Dictionary<string, string> ChatBotEnvironment(string dataDirectory) => new(StringComparer.Ordinal)
    {
        ["Slack__ApiBaseUrl"] = fake.ApiUrl.ToString(),
        ["Slack__BotToken"] = "xoxb-bench",
        ["Slack__AppToken"] = "xapp-bench",
    };

    public Dictionary<string, string> NodeEnvironment() => new(StringComparer.Ordinal)
    {
        ["SLACK_API_URL"] = fake.ApiUrl.ToString(),
        ["SLACK_BOT_TOKEN"] = "xoxb-bench",
        ["SLACK_APP_TOKEN"] = "xapp-bench",
    };

    public async Task<long> WaitConnectedAsync(BotProcess bot, TimeSpan timeout)
    {
        // The fake says hello as soon as the socket is up: the bot is connected from then on.
        await fake.NextSocketAsync(timeout);
        var at = Stopwatch.GetTimestamp();
        SnapshotConnections();
        return at;
    }

    public void SnapshotConnections() => sockets = fake.Sockets.Where(s => !s.Closed.IsCompleted).ToArray();

    public async Task<Task<Sample>> SendAsync(bool keepReply = false)
    {
        var n = Interlocked.Increment(ref sequence);
        var id = "cmd" + n.ToString(CultureInfo.InvariantCulture);
        var socket = await OpenSocketAsync(n);
        if (socket is null)
        {
            return Task.FromResult(Sample.Failed("no open Socket Mode connection for 20 s"));
        }

        var response = new TaskCompletionSource<ApiCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        responses[id] = response;
        try
        {
            var envelopeId = await socket.SendEnvelopeAsync("slash_commands", Command(n, fake.ResponseUrl(id)), acceptsResponsePayload: true);
            return CompleteAsync(socket, envelopeId, id, response.Task, keepReply);
        }
        catch (WebSocketException)
        {
            // The bot dropped this connection (a reconnect): the command is lost, as it would be on Slack.
            responses.TryRemove(id, out _);
            return Task.FromResult(Sample.Failed("connection closed while sending"));
        }
    }

    /// <summary>Connections come and go (a bot may reconnect when pings are late): use one that is open.</summary>
    private async Task<FakeSocket?> OpenSocketAsync(int n)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Guard)
        {
            var open = sockets;
            if (open.Length > 0 && open[n % open.Length] is { Closed.IsCompleted: false } socket)
            {
                return socket;
            }

            SnapshotConnections();
            if (sockets.Length == 0)
            {
                await Task.Delay(10);
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync() => await fake.DisposeAsync();

    private async Task<Sample> CompleteAsync(FakeSocket socket, string envelopeId, string id, Task<ApiCall> response, bool keepReply)
    {
        try
        {
            var (ack, ackAt) = (await socket.WaitForAcksAsync(envelopeId, 1))[0];
            var sentAt = socket.SentAt(envelopeId);
            var ackMs = Stopwatch.GetElapsedTime(sentAt, ackAt).TotalMilliseconds;
            if (ack["payload"] is JsonObject payload && payload.ContainsKey("text"))
            {
                responses.TryRemove(id, out _);
                return new Sample(ackMs, ackMs, keepReply ? Comparable(payload) : null);
            }

            // Acked empty: the reply follows on response_url.
            var call = await response.WaitAsync(Guard);
            return new Sample(ackMs, Stopwatch.GetElapsedTime(sentAt, call.At).TotalMilliseconds, keepReply ? Comparable(call.Body!) : null);
        }
        catch (TimeoutException)
        {
            responses.TryRemove(id, out _);
            return Sample.Failed("no reply within 20 s");
        }
        finally
        {
            socket.Forget(envelopeId);
        }
    }

    /// <summary>What the user sees: the message kind, text and blocks (not transport fields).</summary>
    private static JsonObject Comparable(JsonObject payload) => new()
    {
        ["response_type"] = payload["response_type"]?.DeepClone(),
        ["text"] = payload["text"]?.DeepClone(),
        ["blocks"] = payload["blocks"]?.DeepClone(),
    };

    private static JsonObject Command(int n, Uri responseUrl)
    {
        // A team: 50 people in 20 channels, so a bot's user caches warm up as they would in real use.
        var user = "U" + (n % 50).ToString("00", CultureInfo.InvariantCulture);
        var channel = "C" + (n % 20).ToString("00", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["token"] = "unused-verification-token",
            ["team_id"] = "T111",
            ["team_domain"] = "bench",
            ["channel_id"] = channel,
            ["channel_name"] = "team-" + channel.ToLowerInvariant(),
            ["user_id"] = user,
            ["user_name"] = "user-" + user.ToLowerInvariant(),
            ["command"] = "/drill",
            ["text"] = "list",
            ["api_app_id"] = "A111",
            ["is_enterprise_install"] = "false",
            ["response_url"] = responseUrl.ToString(),
            ["trigger_id"] = "13345224609.738474920.8088930838d88f008e0" + n.ToString(CultureInfo.InvariantCulture),
        };
    }
}

/// <summary>
/// Discord: INTERACTION_CREATE dispatches over the gateway. Ack = the interaction callback; reply = the
/// moment the content arrived: on a type 4 callback, or on the PATCH of <c>@original</c> (or a follow-up)
/// after a type 5 deferral.
/// </summary>
internal sealed class DiscordRig : IPlatformRig
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private static readonly FakeResponse NoContent = new(204);
    private readonly FakeDiscord fake;
    private readonly ConcurrentDictionary<string, Pending> pending = new(StringComparer.Ordinal);
    private FakeGatewayConnection? connection;
    private long nextId = 1_300_000_000_000_000_000L;
    private int sequence = 1;

    private DiscordRig(FakeDiscord fake)
    {
        this.fake = fake;
        fake.RecordRequests = false;
        fake.RestHandler = (request, _) => Observe(request);
    }

    public string Platform => "Discord";

    public static async Task<DiscordRig> StartAsync() => new(await FakeDiscord.StartAsync());

    public Dictionary<string, string> ChatBotEnvironment(string dataDirectory) => new(StringComparer.Ordinal)
    {
        ["Discord__ApiBaseUrl"] = fake.ApiBaseUrl.ToString(),
        ["Discord__BotToken"] = "bench-token",
        // No Discord:GatewayUrl: like a deployment (and discord.js), the bot asks GET gateway/bot for it.
    };

    public Dictionary<string, string> NodeEnvironment() => new(StringComparer.Ordinal)
    {
        // discord.js appends /v10 itself.
        ["DISCORD_API"] = new Uri(fake.BaseUrl, "api").ToString(),
        ["DISCORD_TOKEN"] = "bench-token",
    };

    public async Task<long> WaitConnectedAsync(BotProcess bot, TimeSpan timeout)
    {
        connection = await fake.NextConnectionAsync(timeout);
        await connection.HelloAsync(41250);
        await connection.ExpectAsync(2, timeout);
        var at = Stopwatch.GetTimestamp();
        await connection.ReadyAsync(1, "bench-session");
        return at;
    }

    public void SnapshotConnections()
    {
        // One gateway connection (one shard) for every bot.
    }

    public async Task<Task<Sample>> SendAsync(bool keepReply = false)
    {
        var id = Interlocked.Increment(ref nextId).ToString(CultureInfo.InvariantCulture);
        var entry = new Pending { KeepReply = keepReply };
        pending[id] = entry;
        entry.SentAt = Stopwatch.GetTimestamp();
        try
        {
            await connection!.DispatchAsync("INTERACTION_CREATE", Interlocked.Increment(ref sequence), Interaction(id));
        }
        catch (WebSocketException)
        {
            // The bot dropped the gateway connection; the bench does not script resumes, so the rest fail.
            pending.TryRemove(id, out _);
            return Task.FromResult(Sample.Failed("gateway connection closed"));
        }

        return CompleteAsync(id, entry);
    }

    public async ValueTask DisposeAsync() => await fake.DisposeAsync();

    private async Task<Sample> CompleteAsync(string id, Pending entry)
    {
        try
        {
            var ackAt = await entry.Ack.Task.WaitAsync(Guard);
            var (replyAt, content) = await entry.Reply.Task.WaitAsync(Guard);
            return new Sample(
                Stopwatch.GetElapsedTime(entry.SentAt, ackAt).TotalMilliseconds,
                Stopwatch.GetElapsedTime(entry.SentAt, replyAt).TotalMilliseconds,
                content);
        }
        catch (TimeoutException)
        {
            return Sample.Failed("no reply within 20 s");
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
    }

    /// <summary>Takes note of the bot's answers; the callback (most calls) is answered here, the rest by the fake's default.</summary>
    private FakeResponse? Observe(RecordedRequest request)
    {
        var segments = request.Path.Split('/');
        switch (request.Method, segments)
        {
            case ("POST", ["interactions", var id, _, "callback"]):
                if (pending.TryGetValue(id, out var command))
                {
                    using var callback = JsonDocument.Parse(request.Body);
                    var type = callback.RootElement.GetProperty("type").GetInt32();
                    var data = callback.RootElement.TryGetProperty("data", out var d) ? d : default;
                    command.DeferredEphemeral = IsEphemeral(data);
                    command.Ack.TrySetResult(request.Timestamp);
                    if (type == 4)
                    {
                        command.Reply.TrySetResult((request.Timestamp, command.KeepReply ? Comparable(data) : null));
                    }
                }

                return NoContent;
            case ("PATCH", ["webhooks", _, _, "messages", "@original"])
                when segments[2].StartsWith("tok-", StringComparison.Ordinal) && pending.TryGetValue(segments[2]["tok-".Length..], out var entry):
            {
                // @original keeps the visibility its deferral gave it.
                using var edit = JsonDocument.Parse(request.Body);
                entry.Reply.TrySetResult((request.Timestamp, entry.KeepReply ? Comparable(edit.RootElement, entry.DeferredEphemeral) : null));
                break;
            }

            case ("POST", ["webhooks", _, _])
                when segments[2].StartsWith("tok-", StringComparison.Ordinal) && pending.TryGetValue(segments[2]["tok-".Length..], out var entry):
            {
                using var followUp = JsonDocument.Parse(request.Body);
                entry.Reply.TrySetResult((request.Timestamp, entry.KeepReply ? Comparable(followUp.RootElement) : null));
                break;
            }
        }

        return null;
    }

    /// <summary>What the user sees: the content and whether only they see it (flags 64).</summary>
    private static JsonObject Comparable(JsonElement data, bool ephemeral = false) => new()
    {
        ["content"] = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("content", out var content) ? JsonValue.Create(content.GetString()) : null,
        ["ephemeral"] = ephemeral || IsEphemeral(data),
    };

    private static bool IsEphemeral(JsonElement data) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty("flags", out var flags) && (flags.GetInt32() & 64) != 0;

    private static string Interaction(string id) => $$$"""
        {"id":"{{{id}}}","application_id":"111","type":2,"token":"tok-{{{id}}}","version":1,
         "guild_id":"290926798626357999","channel_id":"645027906669510667",
         "member":{"permissions":"1024","roles":[],"joined_at":"2024-01-01T00:00:00.000000+00:00","deaf":false,"mute":false,"flags":0,
                   "user":{"id":"53908232506183680","username":"mason","discriminator":"0","global_name":"Mason","avatar":null}},
         "app_permissions":"2248473465835073","locale":"en-US","guild_locale":"en-US","entitlements":[],
         "authorizing_integration_owners":{"0":"290926798626357999"},"context":0,
         "data":{"id":"771825006014889984","name":"drill","type":1,"options":[{"name":"list","type":1}]}}
        """;

    private sealed class Pending
    {
        public long SentAt { get; set; }

        public bool DeferredEphemeral { get; set; }

        public bool KeepReply { get; init; }

        public TaskCompletionSource<long> Ack { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<(long At, JsonNode? Content)> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
