using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Slack;

/// <summary>
/// Slack Socket Mode: keeps <see cref="SlackOptions.Connections"/> sockets open (started
/// <see cref="SlackOptions.ConnectionStagger"/> apart so recycles never coincide), each from a fresh
/// <c>apps.connections.open</c> URL. On a <c>disconnect</c> frame the replacement is opened first and the old
/// socket drains before it closes. Broken sockets reconnect with exponential backoff and jitter, reset after
/// <c>hello</c>. Envelopes are de-duplicated by <c>envelope_id</c> (in this process, then, with a database, across
/// every instance: Slack may give an unacknowledged envelope to another instance's connection) and acked on the
/// socket they came on.
/// Unrecoverable errors go to <see cref="IFatalErrorReporter"/> and stop the client.
/// </summary>
public sealed partial class SlackSocketModeClient(
    SlackApiClient api,
    SlackInteractionDispatcher dispatcher,
    IFatalErrorReporter fatal,
    IOptions<SlackOptions> options,
    TimeProvider time,
    ILogger<SlackSocketModeClient> logger,
    IInboundClaimStore? sharedClaims = null) : IPlatformConnection
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(30);
    private static readonly HashSet<string> MetricReasons = new(StringComparer.Ordinal)
    {
        "warning", "refresh_requested", "too_many_websockets", "link_disabled", "socket_mode_disabled",
    };

    private static readonly HashSet<string> FatalDisconnects = new(StringComparer.Ordinal) { "link_disabled", "socket_mode_disabled" };

    private readonly SlackOptions settings = options.Value;
    private readonly Deduplicator deduplicator = new(time, TimeSpan.FromMinutes(15), 10_000, sharedClaims, logger);
    private readonly InFlightWork inFlight = new();
    private readonly ConcurrentDictionary<int, SocketModeConnection> open = new();
    private int connectionIds;
    private volatile bool fatalStop;

    /// <summary>True once an unrecoverable error stopped the client.</summary>
    public bool StoppedByFatalError => fatalStop;

    /// <summary>True while at least one socket has said <c>hello</c> and is still open (readiness).</summary>
    public bool HasOpenConnection
    {
        get
        {
            foreach (var (id, connection) in open)
            {
                if (connection.Completion.IsCompleted)
                {
                    open.TryRemove(id, out _);
                }
            }

            return !open.IsEmpty;
        }
    }

    string IPlatformConnection.Name => "Slack Socket Mode";

    bool IPlatformConnection.IsConnected => HasOpenConnection;

    /// <summary>Runs until <paramref name="cancellationToken"/> fires or an unrecoverable error stops the client.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var slots = Enumerable.Range(0, settings.Connections).Select(slot => RunSlotAsync(slot, stop)).ToList();
        await Task.WhenAll(slots);

        // Let envelopes already acknowledged finish their follow-up work (replies) for a moment.
        using var drainLimit = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        var abandoned = await inFlight.DrainAsync(drainLimit.Token);
        abandoned += await dispatcher.DrainAsync(drainLimit.Token); // prompt updates those envelopes queued
        if (abandoned > 0)
        {
            LogAbandoned(logger, abandoned);
        }
    }

    private async Task RunSlotAsync(int slot, CancellationTokenSource stop)
    {
        var cancellationToken = stop.Token;
        SocketModeConnection? current = null;
        SocketModeConnection? retiring = null;
        var failures = 0;
        try
        {
            if (slot > 0 && settings.ConnectionStagger > TimeSpan.Zero)
            {
                await Task.Delay(settings.ConnectionStagger * slot, time, cancellationToken);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                current = null;
                try
                {
                    var url = await api.OpenSocketModeUrlAsync(cancellationToken);
                    var id = Interlocked.Increment(ref connectionIds);
                    current = await SocketModeConnection.ConnectAsync(id, url, settings, OnEnvelope, logger, cancellationToken);
                    await current.Hello.WaitAsync(HelloTimeout, time, cancellationToken);
                    open[current.Id] = current;
                    failures = 0;
                }
                catch (SlackApiException ex) when (ex.IsFatal)
                {
                    Stop(stop, ex.Error, ex, reported: true);
                    break;
                }
                catch (Exception ex) when (ex is SlackApiException or WebSocketException or HttpRequestException or TimeoutException
                    || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    failures++;
                    var delay = Backoff(failures);
                    ChatBotTelemetry.Reconnecting(ChatPlatform.Slack, "connect_failed");
                    LogConnectFailed(logger, slot, ex.GetType().Name, ex is SlackApiException s ? s.Error : ex.Message, delay.TotalSeconds);
                    if (current is not null)
                    {
                        await current.DisposeAsync();
                        current = null;
                    }

                    await Task.Delay(delay, time, cancellationToken);
                    continue;
                }
                finally
                {
                    // The replacement is live (or failed): the old socket may now drain and close.
                    if (retiring is not null)
                    {
                        inFlight.Track(RetireAsync(retiring, cancellationToken));
                        retiring = null;
                    }
                }

                var ended = await Task.WhenAny(current.DisconnectRequested, current.Completion).WaitAsync(cancellationToken);
                if (ended == current.DisconnectRequested)
                {
                    var reason = await current.DisconnectRequested;
                    ChatBotTelemetry.Reconnecting(ChatPlatform.Slack, MetricReasons.Contains(reason) ? reason : "other");
                    if (FatalDisconnects.Contains(reason))
                    {
                        await current.CloseAsync(TimeSpan.FromSeconds(2));
                        current = null;
                        Stop(stop, reason, null, reported: false);
                        break;
                    }

                    if (reason == "too_many_websockets")
                    {
                        // Slack counts this socket against the limit: close it before opening another.
                        await current.CloseAsync(TimeSpan.FromSeconds(2));
                        current = null;
                        failures++;
                        await Task.Delay(Backoff(failures), time, cancellationToken);
                        continue;
                    }

                    // Open the replacement first; keep this one receiving until it is live.
                    retiring = current;
                    current = null;
                    continue;
                }

                LogDropped(logger, slot, current.Id);
                ChatBotTelemetry.Reconnecting(ChatPlatform.Slack, "dropped");
                await current.DisposeAsync();
                current = null;
                failures++;
                await Task.Delay(Backoff(failures), time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogSlotStopping(logger, slot);
        }
        finally
        {
            if (retiring is not null)
            {
                await retiring.CloseAsync(TimeSpan.FromSeconds(2));
            }

            if (current is not null)
            {
                await current.CloseAsync(TimeSpan.FromSeconds(2));
            }
        }
    }

    private async Task RetireAsync(SocketModeConnection old, CancellationToken cancellationToken)
    {
        try
        {
            await old.Completion.WaitAsync(settings.DrainTimeout, time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Slack did not close it in time (or we are stopping): close it ourselves.
        }

        await old.CloseAsync(TimeSpan.FromSeconds(2));
        LogRetired(logger, old.Id);
    }

    private void Stop(CancellationTokenSource stop, string reason, Exception? ex, bool reported)
    {
        fatalStop = true;
        if (!reported)
        {
            fatal.ReportFatal("Slack", $"Socket Mode is unavailable ({reason}); check Slack:AppToken and that Socket Mode is on for the app", ex);
        }

        stop.Cancel();
    }

    /// <summary>Called on the receive loop: only checks for duplicates and hands the envelope to a task.</summary>
    private void OnEnvelope(SocketModeConnection connection, JsonElement envelope)
    {
        var envelopeId = SlackApiClient.GetString(envelope, "envelope_id")!;
        if (deduplicator.TryStart(envelopeId, out var firstDelivery) is not { } delivery)
        {
            LogDuplicate(logger, envelopeId);
            inFlight.Track(HandleDuplicateAsync(connection, envelopeId, envelope, firstDelivery));
            return;
        }

        inFlight.Start(_ => ProcessAsync(connection, delivery, envelope));
    }

    /// <summary>
    /// A redelivery: once the first delivery was handled, ack this one too (Slack may not have seen the first
    /// ack); if the first failed, this delivery is the next chance and is processed.
    /// </summary>
    private async Task HandleDuplicateAsync(SocketModeConnection connection, string envelopeId, JsonElement envelope, Task<bool> firstDelivery)
    {
        while (true)
        {
            if (await firstDelivery)
            {
                await AckAsync(connection, envelopeId, null);
                return;
            }

            if (deduplicator.TryStart(envelopeId, out firstDelivery) is { } delivery)
            {
                await ProcessAsync(connection, delivery, envelope);
                return;
            }
        }
    }

    private async Task ProcessAsync(SocketModeConnection connection, Deduplicator.Delivery delivery, JsonElement envelope)
    {
        var envelopeId = delivery.Key;
        var shared = await deduplicator.ClaimSharedAsync(delivery);
        if (shared != InboundClaim.Claimed)
        {
            // Another instance has it. Handled there: ack here too (Slack may not have seen that ack). Still running
            // there: no ack; that instance acks it, or drops its claim on failure so Slack's next delivery runs.
            LogClaimedElsewhere(logger, envelopeId, shared);
            var handledThere = shared == InboundClaim.HandledElsewhere;
            if (handledThere)
            {
                await AckAsync(connection, envelopeId, null);
            }

            await deduplicator.CompleteAsync(delivery, handledThere);
            return;
        }

        var handled = true;
        try
        {
            var type = SlackApiClient.GetString(envelope, "type");
            var payload = envelope.TryGetProperty("payload", out var p) ? p : default;
            switch (type)
            {
                case "slash_commands":
                    var command = SlackPayloadMapper.ReadSlashCommand(payload, out var problem);
                    if (command is null)
                    {
                        LogBadPayload(logger, type, problem!);
                        await AckAsync(connection, envelopeId, null);
                        break;
                    }

                    var acceptsPayload = !envelope.TryGetProperty("accepts_response_payload", out var accepts) || accepts.ValueKind != JsonValueKind.False;
                    await dispatcher.HandleSlashCommandAsync(
                        command,
                        (reply, _) => AckAsync(connection, envelopeId, acceptsPayload ? reply : null),
                        CancellationToken.None);
                    break;

                case "interactive":
                    var actions = SlackPayloadMapper.ReadBlockActions(payload, out var why);
                    if (actions.Count == 0)
                    {
                        LogBadPayload(logger, type, why!);
                        await AckAsync(connection, envelopeId, null);
                        break;
                    }

                    handled = await dispatcher.HandleBlockActionsAsync(actions, _ => AckAsync(connection, envelopeId, null), CancellationToken.None);
                    break;

                default:
                    // events_api and anything newer: we subscribe to none, so acknowledge and drop.
                    LogIgnored(logger, type ?? "(none)");
                    await AckAsync(connection, envelopeId, null);
                    break;
            }
        }
#pragma warning disable CA1031 // one bad envelope must never take the client down
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEnvelopeFailed(logger, ex, envelopeId);
            handled = false;
        }
        finally
        {
            await deduplicator.CompleteAsync(delivery, handled);
        }
    }

    /// <summary>Acks the envelope, with <paramref name="payload"/> (UTF-8 JSON) as the reply when not null; a failed send is logged.</summary>
    private async Task AckAsync(SocketModeConnection connection, string envelopeId, byte[]? payload)
    {
        try
        {
            await connection.AckAsync(envelopeId, payload);
        }
        catch (WebSocketException ex)
        {
            LogAckFailed(logger, envelopeId, connection.Id, ex.Message);
        }
    }

    private TimeSpan Backoff(int failures) =>
        Core.Backoff.Exponential(failures, settings.ReconnectInitialDelay, settings.ReconnectMaxDelay);

    [LoggerMessage(EventId = 1400, Level = LogLevel.Warning, Message = "Slack Socket Mode slot {Slot}: connect failed ({ErrorType}: {Detail}); retrying in {Seconds:0.0} s")]
    private static partial void LogConnectFailed(ILogger logger, int slot, string errorType, string detail, double seconds);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Slack Socket Mode slot {Slot}: socket {Connection} dropped; reconnecting")]
    private static partial void LogDropped(ILogger logger, int slot, int connection);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Slack socket {Connection} retired after its replacement came up")]
    private static partial void LogRetired(ILogger logger, int connection);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Debug, Message = "Slack Socket Mode slot {Slot} stopping")]
    private static partial void LogSlotStopping(ILogger logger, int slot);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "Slack envelope {EnvelopeId} delivered again; not run twice")]
    private static partial void LogDuplicate(ILogger logger, string envelopeId);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Debug, Message = "Slack envelope {EnvelopeId} is another instance's ({Claim}); not run here")]
    private static partial void LogClaimedElsewhere(ILogger logger, string envelopeId, InboundClaim claim);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "Slack {Type} envelope dropped: {Problem}")]
    private static partial void LogBadPayload(ILogger logger, string type, string problem);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Debug, Message = "Slack envelope of type {Type} acknowledged and ignored")]
    private static partial void LogIgnored(ILogger logger, string type);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Error, Message = "Slack envelope {EnvelopeId} failed")]
    private static partial void LogEnvelopeFailed(ILogger logger, Exception exception, string envelopeId);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Warning, Message = "Slack ack of {EnvelopeId} on socket {Connection} failed: {Detail}")]
    private static partial void LogAckFailed(ILogger logger, string envelopeId, int connection, string detail);

    [LoggerMessage(EventId = 1409, Level = LogLevel.Warning, Message = "Slack Socket Mode stopped with {Count} envelopes still being handled")]
    private static partial void LogAbandoned(ILogger logger, int count);
}
