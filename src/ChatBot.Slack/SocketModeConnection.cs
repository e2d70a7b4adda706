using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ChatBot.Slack;

/// <summary>
/// One Socket Mode WebSocket: a receive loop that only parses and dispatches, and a single-writer send loop
/// that every frame (acks) goes through. PING/PONG keep-alive with a timeout detects dead peers.
/// </summary>
internal sealed partial class SocketModeConnection : IAsyncDisposable
{
    private const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly ClientWebSocket socket;
    private readonly Channel<Outgoing> outbox = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource lifetime = new();
    private readonly Action<SocketModeConnection, JsonElement> onEnvelope;
    private readonly ILogger logger;
    private readonly TaskCompletionSource hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> disconnectRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task receiveLoop = Task.CompletedTask;
    private Task sendLoop = Task.CompletedTask;
    private int disposed;

    private SocketModeConnection(int id, ClientWebSocket socket, Action<SocketModeConnection, JsonElement> onEnvelope, ILogger logger)
    {
        Id = id;
        this.socket = socket;
        this.onEnvelope = onEnvelope;
        this.logger = logger;
    }

    public int Id { get; }

    /// <summary>Completes when Slack's <c>hello</c> arrives.</summary>
    public Task Hello => hello.Task;

    /// <summary>Completes with the reason when Slack sends a <c>disconnect</c> frame.</summary>
    public Task<string> DisconnectRequested => disconnectRequested.Task;

    /// <summary>Completes when the socket is closed or broken and nothing more will be received.</summary>
    public Task Completion => receiveLoop;

    public static async Task<SocketModeConnection> ConnectAsync(
        int id,
        Uri url,
        SlackOptions options,
        Action<SocketModeConnection, JsonElement> onEnvelope,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = options.KeepAliveTimeout;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            await socket.ConnectAsync(url, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new SocketModeConnection(id, socket, onEnvelope, logger);
        connection.sendLoop = Task.Run(connection.SendLoopAsync, CancellationToken.None);
        connection.receiveLoop = Task.Run(connection.ReceiveLoopAsync, CancellationToken.None);
        return connection;
    }

    /// <summary>
    /// Queues the ack of <paramref name="envelopeId"/>: the frame <c>{"envelope_id":…,"payload":…}</c>, without
    /// <c>payload</c> when it is null (UTF-8 JSON, written as it is). Completes once the frame is on the wire; fails
    /// with <see cref="WebSocketException"/> when the connection closed before.
    /// </summary>
    public Task AckAsync(string envelopeId, byte[]? payload)
    {
        var item = new Outgoing(envelopeId, payload);
        if (!outbox.Writer.TryWrite(item))
        {
            return Task.FromException(new WebSocketException(WebSocketError.InvalidState, "Socket Mode connection is closed"));
        }

        return item.Sent.Task;
    }

    /// <summary>Sends what is queued, then closes the socket politely (or aborts it after <paramref name="timeout"/>).</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        outbox.Writer.TryComplete();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await sendLoop.WaitAsync(cts.Token);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogCloseFailed(logger, Id, ex.GetType().Name);
        }

        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        outbox.Writer.TryComplete();
        await lifetime.CancelAsync();

        socket.Abort();
        try
        {
            await Task.WhenAll(receiveLoop, sendLoop);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Expected on abort.
        }

        socket.Dispose();
        lifetime.Dispose();
    }

    private async Task SendLoopAsync()
    {
        // Every frame is written here, the one sender, into one buffer kept for the connection's life: a buffer per
        // ack was a quarter of all the bytes the bot allocated under load (EventPipe allocation ticks, 2,000 acks of
        // the drill list), and so a quarter of its garbage collections.
        var frame = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(frame);
        try
        {
            await foreach (var item in outbox.Reader.ReadAllAsync(lifetime.Token))
            {
                try
                {
                    frame.ResetWrittenCount();
                    writer.Reset();
                    WriteAck(writer, item);
                    await socket.SendAsync(frame.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, lifetime.Token);
                    item.Sent.TrySetResult();
                }
                catch (Exception ex)
                {
                    item.Sent.TrySetException(ex);
                    throw;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            LogSendStopped(logger, Id, ex.GetType().Name);
        }
        finally
        {
            outbox.Writer.TryComplete();
            while (outbox.Reader.TryRead(out var left))
            {
                left.Sent.TrySetException(new WebSocketException(WebSocketError.InvalidState, "Socket Mode connection closed before the frame was sent"));
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (!lifetime.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), lifetime.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    LogClosedByPeer(logger, Id, socket.CloseStatus?.ToString() ?? "none", socket.CloseStatusDescription ?? "");
                    break;
                }

                if (message.WrittenCount + result.Count > MaxMessageBytes)
                {
                    LogOversized(logger, Id);
                    message.Clear();
                    await SkipRestAsync(result, buffer);
                    continue;
                }

                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    Dispatch(message.WrittenSpan);
                }

                message.Clear();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!lifetime.IsCancellationRequested)
            {
                LogReceiveFailed(logger, Id, ex.GetType().Name, ex.Message);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            outbox.Writer.TryComplete();
            hello.TrySetException(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "Socket Mode connection closed"));
        }
    }

    private async Task SkipRestAsync(ValueWebSocketReceiveResult result, byte[] buffer)
    {
        while (!result.EndOfMessage)
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(), lifetime.Token);
        }
    }

    private void Dispatch(ReadOnlySpan<byte> utf8)
    {
        JsonElement root;
        try
        {
            // One copy of the frame, which the element owns (Parse and Clone made two).
            var reader = new Utf8JsonReader(utf8);
            root = JsonElement.ParseValue(ref reader);
            if (reader.Read())
            {
                LogMalformed(logger, Id, "more than one JSON value");
                return;
            }
        }
        catch (JsonException ex)
        {
            LogMalformed(logger, Id, ex.Message);
            return;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            LogMalformed(logger, Id, "not an object");
            return;
        }

        var type = SlackApiClient.GetString(root, "type");
        switch (type)
        {
            case "hello":
                LogHello(logger, Id, root.TryGetProperty("num_connections", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : 0);
                hello.TrySetResult();
                return;
            case "disconnect":
                var reason = SlackApiClient.GetString(root, "reason") ?? "unknown";
                LogDisconnect(logger, Id, reason);
                disconnectRequested.TrySetResult(reason);
                return;
        }

        if (SlackApiClient.GetString(root, "envelope_id") is null)
        {
            LogUnknownFrame(logger, Id, type ?? "(none)");
            return;
        }

        try
        {
            onEnvelope(this, root);
        }
#pragma warning disable CA1031 // the receive loop must survive any one bad envelope
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogDispatchFailed(logger, ex, Id);
        }
    }

    private static void WriteAck(Utf8JsonWriter writer, Outgoing ack)
    {
        writer.WriteStartObject();
        writer.WriteString("envelope_id", ack.EnvelopeId);
        if (ack.Payload is not null)
        {
            writer.WritePropertyName("payload");
            writer.WriteRawValue(ack.Payload, skipInputValidation: true);
        }

        writer.WriteEndObject();
        writer.Flush();
    }

    private sealed class Outgoing(string envelopeId, byte[]? payload)
    {
        public string EnvelopeId { get; } = envelopeId;

        public byte[]? Payload { get; } = payload;

        public TaskCompletionSource Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Slack socket {Connection}: hello ({Connections} connections open)")]
    private static partial void LogHello(ILogger logger, int connection, int connections);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Slack socket {Connection}: disconnect requested ({Reason})")]
    private static partial void LogDisconnect(ILogger logger, int connection, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Slack socket {Connection}: dropped malformed frame ({Problem})")]
    private static partial void LogMalformed(ILogger logger, int connection, string problem);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Slack socket {Connection}: dropped frame of unknown type {Type}")]
    private static partial void LogUnknownFrame(ILogger logger, int connection, string type);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Slack socket {Connection}: receive failed ({ErrorType}: {Detail})")]
    private static partial void LogReceiveFailed(ILogger logger, int connection, string errorType, string detail);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "Slack socket {Connection}: closed by Slack ({Status} {Description})")]
    private static partial void LogClosedByPeer(ILogger logger, int connection, string status, string description);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Debug, Message = "Slack socket {Connection}: send loop stopped ({ErrorType})")]
    private static partial void LogSendStopped(ILogger logger, int connection, string errorType);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Debug, Message = "Slack socket {Connection}: close failed ({ErrorType})")]
    private static partial void LogCloseFailed(ILogger logger, int connection, string errorType);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "Slack socket {Connection}: dropped a frame over 4 MB")]
    private static partial void LogOversized(ILogger logger, int connection);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Error, Message = "Slack socket {Connection}: envelope dispatch failed")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, int connection);
}
