using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ChatBot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatBot.Slack.Tests.Fakes;

/// <summary>One Web API call as the fake saw it.</summary>
public sealed record ApiCall(int Sequence, string Method, string? Authorization, JsonObject? Body, IReadOnlyDictionary<string, string> Query, long At, string? ContentType = null)
{
    public string? Arg(string name) => Body?[name]?.GetValue<string>() ?? Query.GetValueOrDefault(name);
}

/// <summary>
/// One POST to an upload URL from <c>files.getUploadURLExternal</c>: the multipart part's name, file name, media
/// type and bytes, and whether a token was (wrongly) sent along.
/// </summary>
public sealed record UploadCall(int Sequence, string FileId, string ContentType, string? PartName, string? FileName, string? PartContentType, byte[] Bytes, bool HadAuthorization);

/// <summary>A scripted Web API answer.</summary>
public sealed record FakeReply(int Status, string Json, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static FakeReply Ok(JsonObject body)
    {
        body["ok"] = true;
        return new FakeReply(200, body.ToJsonString());
    }

    /// <summary>No answer at all: the fake holds the request until the client gives up (a lost answer).</summary>
    public static FakeReply NoAnswer { get; } = new(0, "");

    public static FakeReply Error(string error) => new(200, new JsonObject { ["ok"] = false, ["error"] = error }.ToJsonString());

    public static FakeReply RateLimited(int retryAfterSeconds) =>
        new(429, new JsonObject { ["ok"] = false, ["error"] = "ratelimited" }.ToJsonString(), new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
}

/// <summary>
/// A loopback fake of Slack: the Web API over HTTP (<c>/api/{method}</c>), <c>response_url</c>s
/// (<c>/respond/{id}</c>) and Socket Mode over WebSocket (<c>/socket</c>), scripted per test. Binds port 0.
/// </summary>
public sealed class FakeSlackServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<ApiCall> calls = [];
    private readonly List<JsonObject> messages = [];
    private readonly List<(Func<ApiCall, bool> Match, int Count, TaskCompletionSource<IReadOnlyList<ApiCall>> Done)> callWaiters = [];
    private readonly ConcurrentDictionary<string, Func<ApiCall, FakeReply?>> scripts = new(StringComparer.Ordinal);
    private readonly Channel<FakeSocket> connected = Channel.CreateUnbounded<FakeSocket>();
    private readonly ConcurrentQueue<FakeSocket> sockets = new();
    private readonly CancellationTokenSource shutdown = new();
    private int sequence;
    private int messageTs = 1000;
    private int ticket;
    private int fileNumber;
    private readonly List<UploadCall> uploads = [];

    private FakeSlackServer(WebApplication app)
    {
        this.app = app;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public Uri ApiUrl => new(BaseUrl, "api/");

    /// <summary>Send Slack's hello as soon as a socket connects.</summary>
    public bool AutoHello { get; set; } = true;

    public Func<string, JsonObject>? UserInfo { get; set; }

    /// <summary>Sees every recorded call (Web API and <c>response_url</c>) as it arrives, without waiting lists.</summary>
    public Action<ApiCall>? CallObserver { get; set; }

    public IReadOnlyCollection<FakeSocket> Sockets => sockets.ToArray();

    public static async Task<FakeSlackServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseLoopback();
        var app = builder.Build();
        var fake = new FakeSlackServer(app);
        app.UseWebSockets();
        app.Map("/socket", fake.AcceptSocketAsync);
        app.MapPost("/api/{method}", fake.HandleApiAsync);
        app.MapGet("/api/{method}", fake.HandleApiAsync);
        app.MapPost("/respond/{id}", fake.HandleRespondAsync);
        app.MapPost("/upload/{fileId}", fake.HandleUploadAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>Scripts a method: return a reply, or null for the default answer.</summary>
    public void Script(string method, Func<ApiCall, FakeReply?> responder) => scripts[method] = responder;

    public IReadOnlyList<ApiCall> Calls(string? method = null)
    {
        lock (gate)
        {
            return calls.Where(c => method is null || c.Method == method).ToList();
        }
    }

    /// <summary>Completes when <paramref name="count"/> calls of <paramref name="method"/> (matching) have arrived.</summary>
    public Task<IReadOnlyList<ApiCall>> WaitForCallsAsync(string method, int count = 1, Func<ApiCall, bool>? match = null)
    {
        bool Matches(ApiCall c) => c.Method == method && (match is null || match(c));
        lock (gate)
        {
            var done = new TaskCompletionSource<IReadOnlyList<ApiCall>>(TaskCreationOptions.RunContinuationsAsynchronously);
            var existing = calls.Where(Matches).ToList();
            if (existing.Count >= count)
            {
                done.SetResult(existing);
            }
            else
            {
                callWaiters.Add((Matches, count, done));
            }

            return done.Task.WaitAsync(TestTimeouts.Guard);
        }
    }

    public async Task<FakeSocket> NextSocketAsync(TimeSpan? timeout = null) => await connected.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TestTimeouts.Guard);

    public Uri ResponseUrl(string id) => new(BaseUrl, "respond/" + id);

    /// <summary>Answers uploads: return a status code, or null for 200.</summary>
    public Func<UploadCall, int?>? UploadStatus { get; set; }

    public IReadOnlyList<UploadCall> Uploads()
    {
        lock (gate)
        {
            return uploads.ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await shutdown.CancelAsync();
        foreach (var socket in sockets)
        {
            socket.Abort();
        }

        await app.StopAsync();
        await app.DisposeAsync();
        shutdown.Dispose();
    }

    private async Task HandleApiAsync(HttpContext context, string method)
    {
        JsonObject? body = null;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            if (text.Length > 0)
            {
                body = context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true
                    ? JsonNode.Parse(text)!.AsObject()
                    : ToJson(QueryHelpers.ParseQuery(text));
            }
        }

        var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var call = new ApiCall(Interlocked.Increment(ref sequence), method, context.Request.Headers.Authorization.ToString(), body, query, Stopwatch.GetTimestamp(), context.Request.ContentType);
        Record(call);

        var reply = (scripts.TryGetValue(method, out var script) ? script(call) : null) ?? Default(call);
        if (reply == FakeReply.NoAnswer)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        context.Response.StatusCode = reply.Status;
        if (reply.Headers is not null)
        {
            foreach (var (name, value) in reply.Headers)
            {
                context.Response.Headers[name] = value;
            }
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(reply.Json);
    }

    private async Task HandleRespondAsync(HttpContext context, string id)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
        body["_response_url_id"] = id;
        Record(new ApiCall(Interlocked.Increment(ref sequence), "response_url", context.Request.Headers.Authorization.ToString(), body, new Dictionary<string, string>(), Stopwatch.GetTimestamp(), context.Request.ContentType));
        context.Response.StatusCode = 200;
        await context.Response.WriteAsync("ok");
    }

    /// <summary>The messages chat.postMessage stored, per channel, oldest first (as Slack keeps them).</summary>
    public IReadOnlyList<JsonObject> Messages(string channel)
    {
        lock (gate)
        {
            return messages.Where(m => m["channel"]!.GetValue<string>() == channel).Select(m => (JsonObject)m.DeepClone()).ToList();
        }
    }

    /// <summary>What Slack itself does with the call when no script answers (stores posted messages, serves history).</summary>
    public FakeReply Default(ApiCall call) => call.Method switch
    {
        "chat.postMessage" => Post(call),
        "conversations.history" => History(call.Arg("channel")!, m => m["thread_ts"] is null || m["thread_ts"]!.GetValue<string>() == m["ts"]!.GetValue<string>(), call),
        "conversations.replies" => History(
            call.Arg("channel")!,
            m => m["ts"]!.GetValue<string>() == call.Arg("ts") || m["thread_ts"]?.GetValue<string>() == call.Arg("ts"),
            call,
            oldestFirst: true),
        _ => BuiltIn(call),
    };

    private FakeReply Post(ApiCall call)
    {
        var ts = "1700000000." + Interlocked.Increment(ref messageTs).ToString("000000", System.Globalization.CultureInfo.InvariantCulture);
        var stored = new JsonObject
        {
            ["channel"] = call.Arg("channel"),
            ["ts"] = ts,
            ["text"] = call.Body?["text"]?.DeepClone(),
            ["bot_id"] = "BBOT",
        };
        if (call.Body?["thread_ts"] is { } thread)
        {
            stored["thread_ts"] = thread.DeepClone();
        }

        if (call.Body?["metadata"] is { } metadata)
        {
            stored["metadata"] = metadata.DeepClone();
        }

        lock (gate)
        {
            messages.Add(stored);
        }

        return FakeReply.Ok(new JsonObject { ["channel"] = call.Arg("channel"), ["ts"] = ts });
    }

    /// <summary>Slack's history reads: metadata only with <c>include_all_metadata=true</c>; 200 a page at most.</summary>
    private FakeReply History(string channel, Func<JsonObject, bool> match, ApiCall call, bool oldestFirst = false)
    {
        var withMetadata = call.Arg("include_all_metadata") == "true";
        var found = Messages(channel).Where(match).ToList();
        if (!oldestFirst)
        {
            found.Reverse();
        }

        var page = new JsonArray();
        foreach (var message in found.Take(200))
        {
            if (!withMetadata)
            {
                message.Remove("metadata");
            }

            message.Remove("channel");
            page.Add(message);
        }

        return FakeReply.Ok(new JsonObject { ["messages"] = page, ["has_more"] = false });
    }

    private async Task HandleUploadAsync(HttpContext context, string fileId)
    {
        string? partName = null, fileName = null, partType = null;
        byte[] bytes;
        var contentType = context.Request.ContentType ?? "";
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync();
            var file = form.Files.Single();
            (partName, fileName, partType) = (file.Name, file.FileName, file.ContentType);
            using var copy = new MemoryStream();
            await file.CopyToAsync(copy);
            bytes = copy.ToArray();
        }
        else
        {
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy);
            bytes = copy.ToArray();
        }

        UploadCall upload;
        lock (gate)
        {
            upload = new UploadCall(Interlocked.Increment(ref sequence), fileId, contentType, partName, fileName, partType, bytes, context.Request.Headers.Authorization.Count > 0);
            uploads.Add(upload);
        }

        Record(new ApiCall(upload.Sequence, "upload", context.Request.Headers.Authorization.ToString(), null, new Dictionary<string, string> { ["file_id"] = fileId }, Stopwatch.GetTimestamp()));
        context.Response.StatusCode = UploadStatus?.Invoke(upload) ?? 200;
        await context.Response.WriteAsync(context.Response.StatusCode == 200 ? "OK - " + bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "error");
    }

    private FakeReply BuiltIn(ApiCall call) => call.Method switch
    {
        "files.getUploadURLExternal" => NewUpload(),
        "files.completeUploadExternal" => FakeReply.Ok(new JsonObject
        {
            ["files"] = new JsonArray((call.Body?["files"] as JsonArray ?? []).Select(f => (JsonNode)new JsonObject { ["id"] = f?["id"]?.GetValue<string>(), ["title"] = f?["title"]?.GetValue<string>() }).ToArray()),
        }),
        "conversations.info" => FakeReply.Ok(new JsonObject { ["channel"] = new JsonObject { ["id"] = call.Arg("channel"), ["name"] = "upper-back" } }),
        "auth.test" => FakeReply.Ok(new JsonObject { ["team_id"] = "T111", ["team"] = "Test Team", ["user_id"] = "UBOT", ["user"] = "drillbot" }),
        "apps.connections.open" => FakeReply.Ok(new JsonObject
        {
            ["url"] = new Uri(BaseUrl, "socket").ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "?ticket=t" + Interlocked.Increment(ref ticket),
        }),
        "chat.update" => FakeReply.Ok(new JsonObject { ["channel"] = call.Arg("channel"), ["ts"] = call.Arg("ts") }),
        "chat.postEphemeral" => FakeReply.Ok(new JsonObject { ["message_ts"] = "1700000000.999999" }),
        "conversations.join" => FakeReply.Ok(new JsonObject { ["channel"] = new JsonObject { ["id"] = call.Arg("channel") } }),
        "users.info" => FakeReply.Ok(new JsonObject { ["user"] = UserInfo?.Invoke(call.Arg("user")!) ?? DefaultUser(call.Arg("user")!) }),
        _ => FakeReply.Error("unknown_method"),
    };

    private FakeReply NewUpload()
    {
        var fileId = "F" + Interlocked.Increment(ref fileNumber).ToString("0000", System.Globalization.CultureInfo.InvariantCulture);
        return FakeReply.Ok(new JsonObject { ["upload_url"] = new Uri(BaseUrl, "upload/" + fileId).ToString(), ["file_id"] = fileId });
    }

    public static JsonObject DefaultUser(string id) => new()
    {
        ["id"] = id,
        ["name"] = "user-" + id.ToLowerInvariant(),
        ["real_name"] = "Real " + id,
        ["tz"] = "Europe/Berlin",
        ["tz_offset"] = 3600,
        ["is_admin"] = false,
        ["is_owner"] = false,
        ["profile"] = new JsonObject { ["display_name"] = "Display " + id, ["real_name"] = "Real " + id },
    };

    private void Record(ApiCall call)
    {
        CallObserver?.Invoke(call);
        lock (gate)
        {
            calls.Add(call);
            for (var i = callWaiters.Count - 1; i >= 0; i--)
            {
                var (match, count, done) = callWaiters[i];
                var matching = calls.Where(match).ToList();
                if (matching.Count >= count)
                {
                    done.TrySetResult(matching);
                    callWaiters.RemoveAt(i);
                }
            }
        }
    }

    private async Task AcceptSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        var ws = await context.WebSockets.AcceptWebSocketAsync();
        var socket = new FakeSocket(ws, sockets.Count + 1, context.Request.Query["ticket"].ToString());
        sockets.Enqueue(socket);
        try
        {
            if (AutoHello)
            {
                await socket.SendHelloAsync();
            }

            connected.Writer.TryWrite(socket);
            await socket.RunAsync(shutdown.Token);
        }
        finally
        {
            socket.EndRequest();
        }
    }

    private static JsonObject ToJson(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form)
    {
        var json = new JsonObject();
        foreach (var (key, value) in form)
        {
            json[key] = value.ToString();
        }

        return json;
    }
}

/// <summary>The fake's end of one Socket Mode WebSocket.</summary>
public sealed class FakeSocket(WebSocket socket, int number, string ticket)
{
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly Lock ackGate = new();
    private readonly Dictionary<string, List<(JsonObject Ack, long At)>> acks = new(StringComparer.Ordinal);
    private readonly List<(string Id, int Count, TaskCompletionSource<List<(JsonObject Ack, long At)>> Done)> ackWaiters = [];
    private readonly ConcurrentDictionary<string, long> sentAt = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock requestGate = new();
    private bool requestEnded;

    public int Number { get; } = number;

    /// <summary>After the next frame from the client, stop reading (and so stop answering PINGs).</summary>
    public bool FreezeAfterNextFrame
    {
        get => Volatile.Read(ref freeze);
        set => Volatile.Write(ref freeze, value);
    }

    private bool freeze;

    public string Ticket { get; } = ticket;

    /// <summary>Completes when the client closed (or broke) this socket.</summary>
    public Task Closed => closed.Task;

    public Task SendHelloAsync() => SendAsync(new JsonObject
    {
        ["type"] = "hello",
        ["num_connections"] = 1,
        ["debug_info"] = new JsonObject { ["host"] = "applink-fake", ["approximate_connection_time"] = 18060 },
        ["connection_info"] = new JsonObject { ["app_id"] = "A111" },
    });

    public Task SendDisconnectAsync(string reason) =>
        SendAsync(new JsonObject { ["type"] = "disconnect", ["reason"] = reason, ["debug_info"] = new JsonObject { ["host"] = "applink-fake" } });

    /// <summary>Sends an envelope and returns its id (pass one to redeliver).</summary>
    public async Task<string> SendEnvelopeAsync(string type, JsonObject payload, string? envelopeId = null, bool acceptsResponsePayload = true)
    {
        envelopeId ??= Guid.NewGuid().ToString();
        await SendAsync(new JsonObject
        {
            ["envelope_id"] = envelopeId,
            ["type"] = type,
            ["payload"] = payload,
            ["accepts_response_payload"] = acceptsResponsePayload,
        }, envelopeId);
        return envelopeId;
    }

    public Task SendRawAsync(string text) => SendTextAsync(text, null);

    /// <summary>The ack for <paramref name="envelopeId"/> and how long after sending it arrived.</summary>
    public async Task<(JsonObject Ack, TimeSpan Latency)> WaitForAckAsync(string envelopeId)
    {
        var all = await WaitForAcksAsync(envelopeId, 1);
        return (all[0].Ack, Stopwatch.GetElapsedTime(sentAt[envelopeId], all[0].At));
    }

    /// <summary>Completes once <paramref name="count"/> acks of the envelope arrived on this socket.</summary>
    public Task<List<(JsonObject Ack, long At)>> WaitForAcksAsync(string envelopeId, int count)
    {
        lock (ackGate)
        {
            var done = new TaskCompletionSource<List<(JsonObject Ack, long At)>>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (acks.TryGetValue(envelopeId, out var list) && list.Count >= count)
            {
                done.SetResult([.. list]);
            }
            else
            {
                ackWaiters.Add((envelopeId, count, done));
            }

            return done.Task.WaitAsync(TestTimeouts.Guard);
        }
    }

    /// <summary>When the envelope was sent (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long SentAt(string envelopeId) => sentAt[envelopeId];

    /// <summary>
    /// Drops what the socket remembers of the envelope (its send time, acks and waits), so a long run stays flat. An ack
    /// that comes after it is remembered again.
    /// </summary>
    public void Forget(string envelopeId)
    {
        sentAt.TryRemove(envelopeId, out _);
        lock (ackGate)
        {
            acks.Remove(envelopeId);
            ackWaiters.RemoveAll(waiter => waiter.Id == envelopeId);
        }
    }

    public int AckCount(string envelopeId)
    {
        lock (ackGate)
        {
            return acks.TryGetValue(envelopeId, out var list) ? list.Count : 0;
        }
    }

    public async Task CloseAsync()
    {
        await sendLock.WaitAsync();
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "recycle", CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>
    /// Drops the connection, unless its request has ended: Kestrel then recycles the request's context, and aborting
    /// the socket would touch it (a NullReferenceException inside ASP.NET Core, seen when a bench disposed the fake).
    /// </summary>
    public void Abort()
    {
        lock (requestGate)
        {
            if (requestEnded || closed.Task.IsCompleted)
            {
                return;
            }

            try
            {
                socket.Abort();
            }
            catch (ObjectDisposedException)
            {
                // The request already ended.
            }
        }
    }

    /// <summary>Called as the socket's request handler returns; after it, <see cref="Abort"/> leaves the socket alone.</summary>
    internal void EndRequest()
    {
        lock (requestGate)
        {
            requestEnded = true;
        }
    }

    internal async Task RunAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    closed.TrySetResult(); // the client closed: anything it does next comes after this
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    }

                    break;
                }

                var at = Stopwatch.GetTimestamp();
                var json = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length))!.AsObject();
                if (json["envelope_id"]?.GetValue<string>() is { } id)
                {
                    RecordAck(id, json, at);
                }

                if (FreezeAfterNextFrame)
                {
                    // A zombie peer: the TCP connection stays up but nothing is read, so PINGs go unanswered.
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            closed.TrySetResult();
        }
    }

    private Task SendAsync(JsonObject frame, string? envelopeId = null) => SendTextAsync(frame.ToJsonString(), envelopeId);

    private async Task SendTextAsync(string text, string? envelopeId)
    {
        await sendLock.WaitAsync();
        try
        {
            if (envelopeId is not null)
            {
                sentAt[envelopeId] = Stopwatch.GetTimestamp();
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private void RecordAck(string id, JsonObject json, long at)
    {
        lock (ackGate)
        {
            if (!acks.TryGetValue(id, out var list))
            {
                acks[id] = list = [];
            }

            list.Add((json, at));
            for (var i = ackWaiters.Count - 1; i >= 0; i--)
            {
                var (waitId, count, done) = ackWaiters[i];
                if (waitId == id && list.Count >= count)
                {
                    done.TrySetResult([.. list]);
                    ackWaiters.RemoveAt(i);
                }
            }
        }
    }
}

public static class TestTimeouts
{
    /// <summary>A failure guard only: no test waits this long when the behaviour works.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
}
