using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using ChatBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord.Gateway;

/// <summary>Receives what the gateway dispatches that the bot acts on.</summary>
public interface IGatewayInteractionSink
{
    /// <summary>
    /// Called for each INTERACTION_CREATE, off the receive loop; must not throw. <paramref name="cancellationToken"/>
    /// fires only when shutdown stops waiting for interactions in flight.
    /// </summary>
    Task HandleGatewayInteractionAsync(JsonElement interaction, CancellationToken cancellationToken);
}

/// <summary>
/// One Discord Gateway v10 connection, for one shard <c>[id, count]</c> (JSON, no compression) following protocols.md
/// A2: HELLO, heartbeats with first-beat jitter and zombie detection, IDENTIFY with <c>shard</c> (paced by the
/// process's <see cref="IdentifyGate"/>: one per 5 s per <c>max_concurrency</c> bucket) or RESUME on
/// <c>resume_gateway_url</c>, op 7 / op 9 / close-code handling, reconnect backoff with jitter, and fatal
/// close codes reported through <see cref="IFatalErrorReporter"/>. Every send goes through one writer per
/// socket and a limiter under 120 per 60 s.
/// </summary>
public sealed partial class DiscordGatewayClient
{
    private const int MaxPayloadBytes = 4096;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(30);

    private readonly DiscordRestClient _rest;
    private readonly DiscordOptions _options;
    private readonly IGatewayInteractionSink _sink;
    private readonly IFatalErrorReporter _fatal;
    private readonly ILogger<DiscordGatewayClient> _logger;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly InFlightWork _interactions = new();
    private readonly IdentifyGate _identifyGate;

    private Uri? _gatewayUrl;
    private string? _sessionId;
    private Uri? _resumeUrl;
    private long _sequence = -1;
    private int _failures;
    private volatile bool _ready;
    private string _reconnectReason = "start";

    public DiscordGatewayClient(
        DiscordRestClient rest,
        IOptions<DiscordOptions> options,
        IGatewayInteractionSink sink,
        IFatalErrorReporter fatal,
        ILogger<DiscordGatewayClient> logger,
        TimeProvider? time = null,
        Random? random = null,
        int shardId = 0,
        int shardCount = 1,
        IdentifyGate? identifyGate = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(shardId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shardId, shardCount);
        ShardId = shardId;
        ShardCount = shardCount;
        _rest = rest;
        _options = options.Value;
        _sink = sink;
        _fatal = fatal;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared;
        _identifyGate = identifyGate ?? new IdentifyGate(_time);
    }

    /// <summary>The shard this connection runs (0 ≤ id &lt; <see cref="ShardCount"/>), sent in IDENTIFY as <c>shard: [id, count]</c>.</summary>
    public int ShardId { get; }

    /// <summary>The bot's total number of shards.</summary>
    public int ShardCount { get; }

    /// <summary>The application id READY reported (null until the first READY).</summary>
    public string? ApplicationId { get; private set; }

    /// <summary>True while the session is READY or RESUMED on an open socket (readiness; this client runs one shard).</summary>
    public bool IsReady => _ready;

    /// <summary>Test hook: short notes ("hello", "identify", "resume", "ready", "resumed", "ack", "zombie", …) as they happen.</summary>
    internal ChannelWriter<string>? Trace { get; set; }

    /// <summary>Interactions received and still being handled (answered, replied to).</summary>
    public int InteractionsInFlight => _interactions.Count;

    /// <summary>
    /// Waits for the interactions already received to finish, until <paramref name="cancellationToken"/> fires
    /// (the host's shutdown timeout); then cancels them. Returns how many were cut off (0 = all finished).
    /// </summary>
    public Task<int> DrainInteractionsAsync(CancellationToken cancellationToken) => _interactions.DrainAsync(cancellationToken);

    /// <summary>Connects and keeps the session alive until <paramref name="stoppingToken"/> fires or a fatal close.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            SessionEnd end;
            try
            {
                var resuming = _sessionId is not null && _resumeUrl is not null && _sequence >= 0;
                var target = resuming ? _resumeUrl! : await GetGatewayUrlAsync(stoppingToken);
                end = await RunConnectionAsync(WithQuery(target), resuming, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (DiscordApiException ex) when (ex.IsPermanent)
            {
                // gateway/bot refused us (a 401 is already reported as fatal by the REST client).
                if (ex.Status != System.Net.HttpStatusCode.Unauthorized)
                {
                    _fatal.ReportFatal("Discord gateway", "GET gateway/bot failed: " + ex.Message, ex);
                }

                return;
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or DiscordApiException or IOException or TimeoutException
                or OperationCanceledException or JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException)
            {
                // Includes a connect timeout (a cancellation that is not ours) and an unreadable gateway/bot answer.
                LogConnectFailed(_logger, ex, ex.GetType().Name);
                _reconnectReason = "connect_failed";
                if (_options.GatewayUrl is null)
                {
                    _gatewayUrl = null; // a URL that fails is fetched again
                }

                end = SessionEnd.Resume;
            }

            switch (end)
            {
                case SessionEnd.Stopped:
                    return;
                case SessionEnd.Fatal:
                    return;
                case SessionEnd.Identify:
                    ClearSession();
                    await DelayAsync(_options.InvalidSessionDelay * (0.5 + (_random.NextDouble() / 2)), stoppingToken);
                    break;
                default:
                    break;
            }

            var backoff = NextBackoff();
            ChatBotTelemetry.Reconnecting(ChatPlatform.Discord, _reconnectReason);
            Note("reconnect");
            LogReconnecting(_logger, _sessionId is not null, backoff.TotalMilliseconds);
            await DelayAsync(backoff, stoppingToken);
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // stopping: the loop condition ends it
        }
    }

    private TimeSpan NextBackoff() =>
        Core.Backoff.Exponential(++_failures, _options.ReconnectBaseDelay, _options.ReconnectMaxDelay, _random);

    private async Task<Uri> GetGatewayUrlAsync(CancellationToken cancellationToken)
    {
        if (_options.GatewayUrl is not null)
        {
            return _options.GatewayUrl;
        }

        if (_gatewayUrl is null)
        {
            var info = await _rest.GetGatewayBotAsync(cancellationToken);
            if (info.RemainingSessionStarts <= 0 && info.ResetAfter > TimeSpan.Zero)
            {
                // Identifying past the daily limit would reset the token: wait for the window instead.
                LogSessionStartLimit(_logger, info.ResetAfter.TotalMinutes);
                await Task.Delay(info.ResetAfter, _time, cancellationToken);
            }

            _gatewayUrl = info.Url;
            _identifyGate.MaxConcurrency = info.MaxConcurrency;
        }

        return _gatewayUrl;
    }

    private static Uri WithQuery(Uri url) => new UriBuilder(url) { Query = "v=10&encoding=json" }.Uri;

    private void ClearSession()
    {
        _sessionId = null;
        _resumeUrl = null;
        Interlocked.Exchange(ref _sequence, -1);
    }

    private void Note(string what) => Trace?.TryWrite(what);

    private async Task<SessionEnd> RunConnectionAsync(Uri uri, bool resuming, CancellationToken stoppingToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero; // the gateway's own heartbeat is the keep-alive
        using (var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(connectTimeout.Token, stoppingToken))
        {
            LogConnecting(_logger, uri.GetLeftPart(UriPartial.Path), resuming);
            await socket.ConnectAsync(uri, linked.Token);
        }

        using var connection = new Connection(this, socket);
        using var registration = stoppingToken.Register(() => connection.RequestClose(WebSocketCloseStatus.NormalClosure, SessionEnd.Stopped));
        var sendLoop = connection.RunSendLoopAsync();
        try
        {
            return await connection.ReceiveLoopAsync(resuming);
        }
        finally
        {
            _ready = false;
            connection.Shutdown();
            await sendLoop;
            await connection.StopHeartbeatAsync();
        }
    }

    /// <summary>One socket: its send queue, heartbeat state and receive loop.</summary>
    private sealed class Connection(DiscordGatewayClient client, ClientWebSocket socket) : IDisposable
    {
        private readonly Channel<Outbound> _outbound = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
        private readonly CancellationTokenSource _abort = new();
        private readonly GatewaySendLimiter _limiter = new(client._time);
        private readonly Lock _closeLock = new();
        private CancellationTokenSource? _heartbeatCts;
        private Task _heartbeat = Task.CompletedTask;
        private SessionEnd? _requestedEnd;
        private ITimer? _graceTimer;
        private volatile bool _awaitingAck;

        public void RequestClose(WebSocketCloseStatus status, SessionEnd end)
        {
            lock (_closeLock)
            {
                if (_requestedEnd is not null)
                {
                    return;
                }

                _requestedEnd = end;
            }

            _heartbeatCts?.Cancel();
            _outbound.Writer.TryWrite(new Outbound(null, false, status));
            _outbound.Writer.TryComplete();

            // If the server never answers our close (a zombie), stop reading after a grace period.
            _graceTimer = client._time.CreateTimer(_ => Abort(), null, CloseGrace, Timeout.InfiniteTimeSpan);
        }

        public void Shutdown()
        {
            _outbound.Writer.TryComplete();
            _graceTimer?.Dispose();
            Abort();
        }

        public void Dispose()
        {
            _graceTimer?.Dispose();
            _abort.Dispose();
            _heartbeatCts?.Dispose();
        }

        private void Abort()
        {
            try
            {
                _heartbeatCts?.Cancel();
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // the connection is over already
            }
        }

        public async Task StopHeartbeatAsync()
        {
            try
            {
                await _heartbeat;
            }
            catch (OperationCanceledException)
            {
                // expected
            }
        }

        public bool Enqueue(JsonObject payload, bool isHeartbeat)
        {
            var bytes = Utf8Json.Serialize(payload);
            if (bytes.Length > MaxPayloadBytes)
            {
                LogPayloadTooLarge(client._logger, bytes.Length);
                return false;
            }

            return _outbound.Writer.TryWrite(new Outbound(bytes, isHeartbeat, null));
        }

        /// <summary>The single writer: every frame on this socket goes out here, in order, within the send limit.</summary>
        public async Task RunSendLoopAsync()
        {
            try
            {
                await foreach (var item in _outbound.Reader.ReadAllAsync(_abort.Token))
                {
                    if (item.CloseStatus is { } status)
                    {
                        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                        {
                            await socket.CloseOutputAsync(status, status == WebSocketCloseStatus.NormalClosure ? "stopping" : "reconnecting", _abort.Token);
                        }

                        return;
                    }

                    var wait = _limiter.DelayFor(item.IsHeartbeat);
                    if (wait > TimeSpan.Zero)
                    {
                        LogSendThrottled(client._logger, wait.TotalMilliseconds);
                        ChatBotTelemetry.RateLimitWaited(ChatPlatform.Discord, "gateway send", wait);
                        await Task.Delay(wait, client._time, _abort.Token);
                    }

                    await socket.SendAsync(item.Payload.AsMemory(), WebSocketMessageType.Text, true, _abort.Token);
                    _limiter.Record();
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
            {
                // The socket is gone or we are shutting down; the receive loop decides what happens next.
                Abort();
            }
        }

        public async Task<SessionEnd> ReceiveLoopAsync(bool resuming)
        {
            var buffer = new ArrayBufferWriter<byte>(16 * 1024);
            using var helloTimeout = client._time.CreateTimer(
                _ =>
                {
                    client._reconnectReason = "hello_timeout";
                    RequestClose((WebSocketCloseStatus)4000, SessionEnd.Resume);
                },
                null,
                HelloTimeout,
                Timeout.InfiniteTimeSpan);
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                try
                {
                    do
                    {
                        result = await socket.ReceiveAsync(buffer.GetMemory(4096), _abort.Token);
                        buffer.Advance(result.Count);
                    }
                    while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                }
                catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
                {
                    if (_requestedEnd is { } requested)
                    {
                        return requested;
                    }

                    LogDropped(client._logger, ex.GetType().Name);
                    client._reconnectReason = "dropped";
                    return SessionEnd.Resume;
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return OnClosed((int?)socket.CloseStatus);
                }

                if (_requestedEnd is not null)
                {
                    continue; // draining until the server answers our close
                }

                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(buffer.WrittenMemory);
                }
                catch (JsonException ex)
                {
                    LogMalformed(client._logger, ex.Message);
                    continue;
                }

                using (document)
                {
                    try
                    {
                        Handle(document.RootElement, resuming, helloTimeout);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or FormatException)
                    {
                        LogMalformed(client._logger, ex.Message);
                    }
                }
            }
        }

        private SessionEnd OnClosed(int? code)
        {
            if (_requestedEnd is { } requested)
            {
                return requested;
            }

            var end = GatewayCloseCodes.Classify(code);
            var meaning = GatewayCloseCodes.Describe(code);
            client._reconnectReason = code is >= 1000 and < 1016 or >= 4000 and < 4100
                ? "close_" + code.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : "close_other";
            client.Note("closed:" + (code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"));
            if (end == SessionEnd.Fatal)
            {
                client._fatal.ReportFatal("Discord gateway", $"the gateway closed the connection with {code} ({meaning})");
            }
            else
            {
                LogClosed(client._logger, code, meaning, end);
            }

            return end;
        }

        private void Handle(JsonElement root, bool resuming, ITimer helloTimeout)
        {
            var op = root.GetProperty("op").GetInt32();
            switch (op)
            {
                case 10: // HELLO
                    helloTimeout.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    var interval = TimeSpan.FromMilliseconds(root.GetProperty("d").GetProperty("heartbeat_interval").GetDouble());
                    var helloAt = client._time.GetUtcNow();
                    client.Note("hello");
                    StartHeartbeat(interval, helloAt);
                    if (resuming)
                    {
                        SendResume();
                    }
                    else
                    {
                        // Off the receive loop: waiting for an identify slot must not hold up ACKs and dispatches.
                        _ = SendIdentifyAsync();
                    }

                    break;
                case 11: // HEARTBEAT_ACK
                    _awaitingAck = false;
                    client.Note("ack");
                    break;
                case 1: // the server asks for a heartbeat now
                    SendHeartbeat();
                    break;
                case 7: // RECONNECT
                    LogReconnectRequested(client._logger);
                    client._reconnectReason = "reconnect_requested";
                    client.Note("op7");
                    RequestClose((WebSocketCloseStatus)4000, SessionEnd.Resume);
                    break;
                case 9: // INVALID_SESSION
                    var resumable = root.TryGetProperty("d", out var d) && d.ValueKind == JsonValueKind.True;
                    LogInvalidSession(client._logger, resumable);
                    client._reconnectReason = "invalid_session";
                    client.Note(resumable ? "op9:resume" : "op9:identify");
                    if (!resumable)
                    {
                        client.ClearSession();
                    }

                    RequestClose((WebSocketCloseStatus)4000, resumable ? SessionEnd.Resume : SessionEnd.Identify);
                    break;
                case 0:
                    OnDispatch(root);
                    break;
                default:
                    LogUnknownOp(client._logger, op);
                    break;
            }
        }

        private void OnDispatch(JsonElement root)
        {
            if (root.TryGetProperty("s", out var s) && s.ValueKind == JsonValueKind.Number)
            {
                Interlocked.Exchange(ref client._sequence, s.GetInt64());
            }

            var type = root.TryGetProperty("t", out var t) ? t.GetString() : null;
            var data = root.TryGetProperty("d", out var d) ? d : default;
            switch (type)
            {
                case "READY":
                    client._sessionId = data.GetProperty("session_id").GetString();
                    client._resumeUrl = data.TryGetProperty("resume_gateway_url", out var resume) && resume.GetString() is { Length: > 0 } url
                        ? new Uri(url)
                        : null;
                    if (data.TryGetProperty("application", out var app) && app.TryGetProperty("id", out var appId))
                    {
                        client.ApplicationId = appId.GetString();
                    }

                    client._failures = 0;
                    client._ready = true;
                    LogReady(client._logger, client.ApplicationId);
                    client.Note("ready");
                    break;
                case "RESUMED":
                    client._failures = 0;
                    client._ready = true;
                    ChatBotTelemetry.Resumed(ChatPlatform.Discord, client._reconnectReason);
                    LogResumed(client._logger, Interlocked.Read(ref client._sequence));
                    client.Note("resumed");
                    break;
                case "INTERACTION_CREATE":
                    var interaction = data.Clone();
                    client._interactions.Start(token => client._sink.HandleGatewayInteractionAsync(interaction, token));
                    break;
                default:
                    break;
            }
        }

        private void StartHeartbeat(TimeSpan interval, DateTimeOffset helloAt)
        {
            _heartbeatCts?.Cancel();
            _heartbeatCts = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            _awaitingAck = false;
            _heartbeat = HeartbeatLoopAsync(interval, helloAt, _heartbeatCts.Token);
        }

        /// <summary>
        /// First beat at <c>interval × jitter</c> after HELLO, then every interval. Deadlines are absolute, so
        /// a late-registered wait never delays a beat. A beat due while the last one is unacknowledged means
        /// the connection is a zombie: close with 4000 (keeps the session) and resume.
        /// </summary>
        private async Task HeartbeatLoopAsync(TimeSpan interval, DateTimeOffset helloAt, CancellationToken cancellationToken)
        {
            var next = helloAt + (interval * client._random.NextDouble());
            while (!cancellationToken.IsCancellationRequested)
            {
                var wait = next - client._time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, client._time, cancellationToken);
                }

                if (_awaitingAck)
                {
                    LogZombie(client._logger);
                    client._reconnectReason = "zombie";
                    client.Note("zombie");
                    RequestClose((WebSocketCloseStatus)4000, SessionEnd.Resume);
                    return;
                }

                next = client._time.GetUtcNow() + interval;
                SendHeartbeat();
            }
        }

        private void SendHeartbeat()
        {
            _awaitingAck = true;
            var sequence = Interlocked.Read(ref client._sequence);
            Enqueue(new JsonObject { ["op"] = 1, ["d"] = sequence >= 0 ? sequence : null }, isHeartbeat: true);
            client.Note("heartbeat");
        }

        private void SendResume()
        {
            var sequence = Interlocked.Read(ref client._sequence);
            LogResuming(client._logger, sequence);
            Enqueue(
                new JsonObject
                {
                    ["op"] = 6,
                    ["d"] = new JsonObject
                    {
                        ["token"] = client._options.BotToken,
                        ["session_id"] = client._sessionId,
                        ["seq"] = sequence,
                    },
                },
                isHeartbeat: false);
            client.Note("resume");
        }

        private async Task SendIdentifyAsync()
        {
            try
            {
                await client.WaitForIdentifySlotAsync(_abort.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            LogIdentifying(client._logger, client.ShardId, client.ShardCount, client._options.Intents);
            Enqueue(
                new JsonObject
                {
                    ["op"] = 2,
                    ["d"] = new JsonObject
                    {
                        ["token"] = client._options.BotToken,
                        ["intents"] = client._options.Intents,
                        ["shard"] = new JsonArray(client.ShardId, client.ShardCount),
                        ["properties"] = new JsonObject { ["os"] = "linux", ["browser"] = "chatbot", ["device"] = "chatbot" },
                    },
                },
                isHeartbeat: false);
            client.Note("identify");
        }

        private sealed record Outbound(byte[]? Payload, bool IsHeartbeat, WebSocketCloseStatus? CloseStatus);
    }

    /// <summary>Waits for this shard's IDENTIFY slot (see <see cref="IdentifyGate"/>).</summary>
    private async Task WaitForIdentifySlotAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        while ((wait = await _identifyGate.TryTakeAsync(ShardId, cancellationToken)) > TimeSpan.Zero)
        {
            // The wait's timer exists before the line says so: a test that advances a fake clock on the line would
            // otherwise, now and then, start the wait after the advance and wait the whole window again.
            var waited = Task.Delay(wait, _time, cancellationToken);
            LogIdentifyWait(_logger, ShardId, wait.TotalMilliseconds);
            ChatBotTelemetry.RateLimitWaited(ChatPlatform.Discord, "gateway identify", wait);
            await waited;
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Discord gateway: connecting to {Url} (resume: {Resuming})")]
    private static partial void LogConnecting(ILogger logger, string url, bool resuming);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Discord gateway: ready as application {ApplicationId}")]
    private static partial void LogReady(ILogger logger, string? applicationId);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Discord gateway: resumed at sequence {Sequence}")]
    private static partial void LogResumed(ILogger logger, long sequence);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Discord gateway: no heartbeat ACK since the last beat; closing the zombie connection to resume")]
    private static partial void LogZombie(ILogger logger);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Information, Message = "Discord gateway: reconnecting (resume: {Resume}) in {DelayMs} ms")]
    private static partial void LogReconnecting(ILogger logger, bool resume, double delayMs);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Warning, Message = "Discord gateway: could not connect ({Fault})")]
    private static partial void LogConnectFailed(ILogger logger, Exception exception, string fault);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Information, Message = "Discord gateway: server asked us to reconnect (op 7)")]
    private static partial void LogReconnectRequested(ILogger logger);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Warning, Message = "Discord gateway: invalid session (resumable: {Resumable})")]
    private static partial void LogInvalidSession(ILogger logger, bool resumable);

    [LoggerMessage(EventId = 2208, Level = LogLevel.Warning, Message = "Discord gateway: closed with {Code} ({Meaning}); next: {Next}")]
    private static partial void LogClosed(ILogger logger, int? code, string meaning, SessionEnd next);

    [LoggerMessage(EventId = 2209, Level = LogLevel.Warning, Message = "Discord gateway: connection dropped ({Fault})")]
    private static partial void LogDropped(ILogger logger, string fault);

    [LoggerMessage(EventId = 2210, Level = LogLevel.Warning, Message = "Discord gateway: dropped a malformed payload ({Reason})")]
    private static partial void LogMalformed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2211, Level = LogLevel.Debug, Message = "Discord gateway: ignoring unknown op {Op}")]
    private static partial void LogUnknownOp(ILogger logger, int op);

    [LoggerMessage(EventId = 2212, Level = LogLevel.Information, Message = "Discord gateway: identifying shard [{ShardId}, {ShardCount}] (intents {Intents})")]
    private static partial void LogIdentifying(ILogger logger, int shardId, int shardCount, int intents);

    [LoggerMessage(EventId = 2213, Level = LogLevel.Information, Message = "Discord gateway: resuming at sequence {Sequence}")]
    private static partial void LogResuming(ILogger logger, long sequence);

    [LoggerMessage(EventId = 2214, Level = LogLevel.Information, Message = "Discord gateway: shard {ShardId} waiting {WaitMs} ms for an identify slot")]
    private static partial void LogIdentifyWait(ILogger logger, int shardId, double waitMs);

    [LoggerMessage(EventId = 2215, Level = LogLevel.Warning, Message = "Discord gateway: send limit reached, waiting {WaitMs} ms")]
    private static partial void LogSendThrottled(ILogger logger, double waitMs);

    [LoggerMessage(EventId = 2217, Level = LogLevel.Error, Message = "Discord gateway: the daily session start limit is used up; waiting {Minutes} minutes")]
    private static partial void LogSessionStartLimit(ILogger logger, double minutes);

    [LoggerMessage(EventId = 2216, Level = LogLevel.Error, Message = "Discord gateway: refusing to send a {Bytes}-byte payload (limit 4096)")]
    private static partial void LogPayloadTooLarge(ILogger logger, int bytes);
}
