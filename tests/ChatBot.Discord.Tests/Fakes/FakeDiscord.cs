using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ChatBot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatBot.Discord.Tests.Fakes;

/// <summary>One file part of a multipart request: its form field name (<c>files[0]</c>), file name, media type and bytes.</summary>
public sealed record RecordedFile(string Name, string FileName, string ContentType, byte[] Bytes);

/// <summary>
/// One REST request as the fake received it. For <c>multipart/form-data</c>, <see cref="Body"/> is the
/// <c>payload_json</c> field, <see cref="FieldNames"/> every form field in order, and <see cref="Files"/> the file parts.
/// </summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Body,
    string? Authorization,
    string? UserAgent,
    long Timestamp,
    string? ContentType = null,
    IReadOnlyList<string>? FieldNames = null,
    IReadOnlyList<RecordedFile>? Files = null)
{
    public string Route => Method + " " + Path;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>A scripted REST answer.</summary>
public sealed record FakeResponse(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A loopback fake Discord: REST under <c>/api/v10/</c> and the gateway over WebSocket at <c>/gateway</c>
/// (and <c>/resume</c>, handed out as <c>resume_gateway_url</c>). Kestrel on 127.0.0.1, port 0 (<see cref="LoopbackKestrel"/>). Each test
/// scripts it: <see cref="RestHandler"/> overrides answers, gateway connections arrive on
/// <see cref="Connections"/> and are driven frame by frame.
/// </summary>
public sealed class FakeDiscord : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _routeCounts = new();
    private long _nextId = 900000000000000000;

    private FakeDiscord(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public Uri ApiBaseUrl => new(BaseUrl, "api/v10/");

    public Uri GatewayUrl => new UriBuilder(BaseUrl) { Scheme = "ws", Path = "/gateway" }.Uri;

    public Uri ResumeUrl => new UriBuilder(BaseUrl) { Scheme = "ws", Path = "/resume" }.Uri;

    /// <summary>Every REST request, in arrival order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The same requests as a feed tests can await.</summary>
    public Channel<RecordedRequest> RequestFeed { get; } = Channel.CreateUnbounded<RecordedRequest>();

    public Channel<FakeGatewayConnection> Connections { get; } = Channel.CreateUnbounded<FakeGatewayConnection>();

    /// <summary>Answer op 1 heartbeats with op 11 (off for zombie scenarios).</summary>
    public bool AutoAckHeartbeats { get; set; } = true;

    /// <summary>Per-test REST script: (request, how many times this route was called before) → answer, or null for the default.</summary>
    public Func<RecordedRequest, int, FakeResponse?>? RestHandler { get; set; }

    /// <summary>
    /// Keep every REST request in <see cref="Requests"/> and <see cref="RequestFeed"/> and count calls per route (the
    /// default). A benchmark turns it off, so the fake does not keep thousands of requests nobody reads; the count
    /// passed to <see cref="RestHandler"/> is then always 0.
    /// </summary>
    public bool RecordRequests { get; set; } = true;

    public static async Task<FakeDiscord> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseLoopback();
        var app = builder.Build();
        var fake = new FakeDiscord(app);
        app.UseWebSockets();
        app.Map("/gateway", context => fake.AcceptGatewayAsync(context, "/gateway"));
        app.Map("/resume", context => fake.AcceptGatewayAsync(context, "/resume"));
        app.Map("/api/v10/{**path}", fake.HandleRestAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>Message ids created per nonce (for posts with <c>enforce_nonce</c>).</summary>
    public ConcurrentDictionary<string, string> Nonces { get; } = new(StringComparer.Ordinal);

    /// <summary>Like Discord: with <c>enforce_nonce</c>, a nonce seen before returns the message it created.</summary>
    private string MessageId(RecordedRequest request)
    {
        string? nonce = null;
        if (request.Body.Length > 0)
        {
            var json = request.Json;
            if (json.TryGetProperty("enforce_nonce", out var enforce) && enforce.ValueKind == JsonValueKind.True && json.TryGetProperty("nonce", out var n))
            {
                nonce = n.ToString();
            }
        }

        if (nonce is null)
        {
            Interlocked.Increment(ref _createdMessages);
            return NextId();
        }

        return Nonces.GetOrAdd(nonce, _ =>
        {
            Interlocked.Increment(ref _createdMessages);
            return NextId();
        });
    }

    public string NextId() => Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits for the next REST request matching <paramref name="predicate"/> (earlier ones are skipped).</summary>
    public async Task<RecordedRequest> NextRequestAsync(Func<RecordedRequest, bool> predicate, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var request = await RequestFeed.Reader.ReadAsync(cts.Token);
            if (predicate(request))
            {
                return request;
            }
        }
    }

    public async Task<FakeGatewayConnection> NextConnectionAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await Connections.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AcceptGatewayAsync(HttpContext context, string path)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new FakeGatewayConnection(socket, path, context.Request.QueryString.Value ?? string.Empty, this);
        Connections.Writer.TryWrite(connection);
        await connection.RunAsync(context.RequestAborted);
    }

    private async Task HandleRestAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!["/api/v10/".Length..];
        string body;
        List<string>? fields = null;
        List<RecordedFile>? files = null;
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync();
            body = form["payload_json"].ToString();
            fields = [.. form.Keys];
            files = [];
            foreach (var file in form.Files)
            {
                using var copy = new MemoryStream();
                await file.CopyToAsync(copy);
                fields.Add(file.Name);
                files.Add(new RecordedFile(file.Name, file.FileName, file.ContentType, copy.ToArray()));
            }
        }
        else
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync();
        }

        var request = new RecordedRequest(
            context.Request.Method,
            path,
            body,
            context.Request.Headers.Authorization.ToString(),
            context.Request.Headers.UserAgent.ToString(),
            Stopwatch.GetTimestamp(),
            context.Request.ContentType,
            fields,
            files);
        var count = 0;
        if (RecordRequests)
        {
            Requests.Enqueue(request);
            count = _routeCounts.AddOrUpdate(request.Route, 0, (_, c) => c + 1);
        }

        var response = RestHandler?.Invoke(request, count) ?? Default(request);
        if (RecordRequests)
        {
            RequestFeed.Writer.TryWrite(request);
        }

        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.Body);
        }
    }

    /// <summary>Messages created (a post repeating an enforced nonce returns the first message and creates none).</summary>
    public int CreatedMessages => Volatile.Read(ref _createdMessages);

    private int _createdMessages;

    /// <summary>The registered commands per scope (path), as the last bulk overwrite left them.</summary>
    private readonly ConcurrentDictionary<string, string> _commands = new(StringComparer.Ordinal);

    /// <summary>Discord's answer when no handler overrides it. Message posts honour <c>enforce_nonce</c> as Discord does.</summary>
    public FakeResponse Default(RecordedRequest request)
    {
        var segments = request.Path.Split('/');
        return (request.Method, segments) switch
        {
            ("GET", ["gateway", "bot"]) => new FakeResponse(
                200,
                $$$"""{"url":"{{{GatewayUrl.ToString().TrimEnd('/')}}}","shards":1,"session_start_limit":{"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":1}}"""),
            ("GET", ["applications", "@me"]) => new FakeResponse(200, """{"id":"111","verify_key":"00"}"""),
            ("POST", ["channels", var channel, "messages"]) => new FakeResponse(
                200, $$"""{"id":"{{MessageId(request)}}","channel_id":"{{channel}}"}"""),
            ("GET", ["channels", var channel]) => new FakeResponse(200, $$"""{"id":"{{channel}}","type":0,"name":"upper-back"}"""),
            ("POST", ["channels", _, "messages", var message, "threads"]) => new FakeResponse(201, $$"""{"id":"{{message}}","type":11}"""),
            ("PATCH", ["channels", var channel, "messages", var message]) => new FakeResponse(
                200, $$"""{"id":"{{message}}","channel_id":"{{channel}}"}"""),
            ("POST", ["interactions", _, _, "callback"]) => new FakeResponse(204),
            ("POST", ["webhooks", _, _]) => new FakeResponse(200, $$"""{"id":"{{NextId()}}"}"""),
            ("PATCH", ["webhooks", _, _, "messages", _]) => new FakeResponse(200, $$"""{"id":"{{NextId()}}"}"""),
            ("DELETE", ["webhooks", _, _, "messages", _]) => new FakeResponse(204),
            ("GET", ["applications", _, "commands"]) or ("GET", ["applications", _, "guilds", _, "commands"]) =>
                new FakeResponse(200, _commands.GetValueOrDefault(request.Path, "[]")),
            ("PUT", ["applications", _, "commands"]) or ("PUT", ["applications", _, "guilds", _, "commands"]) =>
                new FakeResponse(200, _commands[request.Path] = request.Body),
            _ => new FakeResponse(404, """{"message":"404: Not Found","code":0}"""),
        };
    }
}

/// <summary>One gateway WebSocket as the fake sees it: what the client sent, and a way to send and close.</summary>
public sealed class FakeGatewayConnection(WebSocket socket, string path, string query, FakeDiscord fake)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource<int?> _clientClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<JsonElement> _received = Channel.CreateUnbounded<JsonElement>();

    public string Path => path;

    public string Query => query;

    /// <summary>Everything the client sent, in order.</summary>
    public ConcurrentQueue<JsonElement> All { get; } = new();

    /// <summary>The close code the client closed with (null: dropped without a close frame).</summary>
    public Task<int?> ClientClosed => _clientClosed.Task;

    public async Task SendAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task HelloAsync(int intervalMs) => SendAsync($$"""{"op":10,"d":{"heartbeat_interval":{{intervalMs}}},"s":null,"t":null}""");

    public Task DispatchAsync(string type, int sequence, string data) =>
        SendAsync($$"""{"op":0,"t":"{{type}}","s":{{sequence}},"d":{{data}}}""");

    public Task ReadyAsync(int sequence, string sessionId) => DispatchAsync(
        "READY",
        sequence,
        $$$"""{"v":10,"user":{"id":"222","username":"chatbot","bot":true},"guilds":[],"session_id":"{{{sessionId}}}","resume_gateway_url":"{{{fake.ResumeUrl.ToString().TrimEnd('/')}}}","application":{"id":"111","flags":0}}""");

    /// <summary>The next payload with this op (others are skipped; all stay in <see cref="All"/>).</summary>
    public async Task<JsonElement> ExpectAsync(int op, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var payload = await _received.Reader.ReadAsync(cts.Token);
            if (payload.GetProperty("op").GetInt32() == op)
            {
                return payload;
            }
        }
    }

    public async Task CloseAsync(int code)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, "scripted", CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Drops the TCP connection without a close frame.</summary>
    public void Abort() => socket.Abort();

    internal async Task RunAsync(CancellationToken aborted)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, aborted);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _clientClosed.TrySetResult((int?)result.CloseStatus);
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await _sendLock.WaitAsync(CancellationToken.None);
                        try
                        {
                            await socket.CloseOutputAsync(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        }
                        finally
                        {
                            _sendLock.Release();
                        }
                    }

                    return;
                }

                var payload = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
                All.Enqueue(payload);
                _received.Writer.TryWrite(payload);
                if (fake.AutoAckHeartbeats && payload.GetProperty("op").GetInt32() == 1)
                {
                    await SendAsync("""{"op":11,"d":null,"s":null,"t":null}""");
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            _clientClosed.TrySetResult(null);
        }
    }
}
