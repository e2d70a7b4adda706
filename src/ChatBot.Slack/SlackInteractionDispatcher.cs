using System.Diagnostics;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Slack;

/// <summary>
/// Turns inbound Slack interactions into Core calls and answers them, the same way for Socket Mode and HTTP
/// mode (the transport supplies the ack). Slash commands are acked first: with the reply when it is ready
/// within <see cref="SlackOptions.CommandAckBudget"/>, else empty and the reply follows by <c>response_url</c>
/// (or the Web API). Done clicks are handed to Core, which stores the completion, and only then acked.
/// Each event gets its own DI scope and log scope.
/// </summary>
public sealed partial class SlackInteractionDispatcher(
    IServiceScopeFactory scopes,
    SlackApiClient api,
    IOptions<SlackOptions> options,
    TimeProvider time,
    SlackCommandSummary summary,
    ILogger<SlackInteractionDispatcher> logger)
{
    private const string SomethingWentWrong = "Sorry, something went wrong on my side. Please try again in a moment.";
    private const string TapAgain = "Sorry, that tap did not go through. Please tap the button again.";

    private readonly SlackOptions settings = options.Value;
    private readonly Dictionary<string, PendingUpdate> pendingUpdates = new(StringComparer.Ordinal);
    private readonly InFlightWork promptUpdates = new();

    /// <summary>
    /// Waits for the prompt updates (<c>chat.update</c>) still running until <paramref name="cancellationToken"/>
    /// fires, then cancels them; returns how many were cut off (0 = all done). Called by the transports on stop.
    /// </summary>
    public Task<int> DrainAsync(CancellationToken cancellationToken) => promptUpdates.DrainAsync(cancellationToken);

    /// <summary>
    /// Runs a slash command. <paramref name="ack"/> is called exactly once, with the reply payload (UTF-8 JSON, see
    /// <see cref="ToAckPayload"/>) or null.
    /// </summary>
    public async Task HandleSlashCommandAsync(
        SlackSlashCommand command,
        Func<byte[]?, CancellationToken, Task> ack,
        CancellationToken cancellationToken)
    {
        using var logScope = BeginScope(command.TeamId, command.ChannelId, command.UserId);
        using var activity = ChatBotTelemetry.Slack.StartActivity("slack slash_command", ActivityKind.Server);
        var receivedAt = Stopwatch.GetTimestamp();
        ack = Acknowledging(ack, receivedAt, "command");
        LogCommand(logger, command.Command, command.Text);

        // On the thread pool, so a handler that does synchronous work first can never hold up the ack.
        var work = Task.Run(() => RunCommandAsync(command, cancellationToken), cancellationToken);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(settings.CommandAckBudget, time, budget.Token);
        var first = await Task.WhenAny(work, timer);
        await budget.CancelAsync();

        if (first == work)
        {
            var reply = work.IsCompletedSuccessfully ? await work : Failed(work.Exception);
            if (work.IsCompletedSuccessfully)
            {
                summary.Answered(inAck: reply.Message.File is null);
            }

            if (reply.Message.File is null)
            {
                await ack(ToAckPayload(reply), cancellationToken);
                return;
            }

            // An ack cannot carry a file: ack empty, then upload (DeliverAsync).
            await ack(null, cancellationToken);
            await DeliverAsync(command.ResponseUrl, command.ChannelId, command.UserId, threadTs: null, reply, cancellationToken);
            return;
        }

        await ack(null, cancellationToken);
        CommandReply late;
        try
        {
            late = await work;
            summary.Answered(inAck: false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            late = Failed(ex);
        }

        await DeliverAsync(command.ResponseUrl, command.ChannelId, command.UserId, threadTs: null, late, cancellationToken);
    }

    /// <summary>
    /// Handles button taps: Core stores each completion, then <paramref name="ack"/> is called; then the prompt
    /// is updated and the clicker answered. Returns false (and does not ack) when Core failed, so a redelivery
    /// is processed again.
    /// </summary>
    public async Task<bool> HandleBlockActionsAsync(
        IReadOnlyList<SlackBlockAction> actions,
        Func<CancellationToken, Task> ack,
        CancellationToken cancellationToken)
    {
        if (actions.Count == 0)
        {
            await ack(cancellationToken);
            return true;
        }

        var first = actions[0];
        using var logScope = BeginScope(first.TeamId, first.ChannelId, first.UserId);
        using var activity = ChatBotTelemetry.Slack.StartActivity("slack block_actions", ActivityKind.Server);
        var receivedAt = Stopwatch.GetTimestamp();
        var innerAck = ack;
        ack = async ct =>
        {
            await innerAck(ct);
            ChatBotTelemetry.Acknowledged(ChatPlatform.Slack, "click", receivedAt);
        };
        var user = await LookUpUserAsync(first.UserId, cancellationToken);

        var outcomes = new List<(SlackBlockAction Action, ClickOutcome Outcome)>();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<ICommandHandler>();
            foreach (var action in actions)
            {
                LogClick(logger, action.ActionId);
                summary.Tapped();
                var click = SlackPayloadMapper.ToClick(action, user, settings.Admins);
                outcomes.Add((action, await handler.HandleClickAsync(click, cancellationToken)));
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogClickFailed(logger, ex);
            if (outcomes.Count == 0)
            {
                await DeliverAsync(first.ResponseUrl, first.ChannelId, first.UserId, first.ThreadTs, CommandReply.ToCaller(TapAgain), cancellationToken);
                return false;
            }
        }

        await ack(cancellationToken);

        foreach (var (action, outcome) in outcomes)
        {
            if (outcome.UpdatedPrompt is { } prompt && action.MessageTs is { } ts && !action.IsEphemeral)
            {
                QueuePromptUpdate(action.ChannelId, ts, SlackBlockKitRenderer.Render(prompt));
            }

            await DeliverAsync(action.ResponseUrl, action.ChannelId, action.UserId, action.ThreadTs, outcome.Reply, cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Puts the latest rendering of a prompt in place with <c>chat.update</c>. When many people tap Done at once,
    /// updates to one message are coalesced: while one is in flight only the newest waiting rendering is kept, so
    /// a burst of taps costs a few calls (chat.update is Tier 3) and the prompt still ends up current.
    /// </summary>
    private void QueuePromptUpdate(string channel, string ts, SlackMessage rendering)
    {
        var key = channel + "/" + ts;
        lock (pendingUpdates)
        {
            if (pendingUpdates.TryGetValue(key, out var waiting))
            {
                waiting.Latest = rendering;
                return;
            }

            pendingUpdates[key] = new PendingUpdate { Latest = rendering };
        }

        promptUpdates.Start(ct => RunPromptUpdatesAsync(key, channel, ts, ct));
    }

    private async Task RunPromptUpdatesAsync(string key, string channel, string ts, CancellationToken cancellationToken)
    {
        while (true)
        {
            SlackMessage rendering;
            lock (pendingUpdates)
            {
                var pending = pendingUpdates[key];
                if (pending.Latest is null)
                {
                    pendingUpdates.Remove(key);
                    return;
                }

                rendering = pending.Latest;
                pending.Latest = null;
            }

            try
            {
                await api.UpdateMessageAsync(channel, ts, rendering, cancellationToken);
            }
            catch (SlackApiException ex)
            {
                LogUpdateFailed(logger, ex.Error);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                lock (pendingUpdates)
                {
                    pendingUpdates.Remove(key);
                }

                return;
            }
        }
    }

    private static Func<byte[]?, CancellationToken, Task> Acknowledging(Func<byte[]?, CancellationToken, Task> ack, long receivedAt, string kind) =>
        async (payload, ct) =>
        {
            await ack(payload, ct);
            ChatBotTelemetry.Acknowledged(ChatPlatform.Slack, kind, receivedAt);
            if (payload is not null)
            {
                ChatBotTelemetry.Posted(ChatPlatform.Slack, "reply", ok: true);
            }
        };

    /// <summary>
    /// The reply payload of an ack, UTF-8 JSON (<see cref="ToResponsePayload"/>). A constant reply (help, the drill
    /// list: the same <see cref="CommandReply"/> every time) is serialized once, as long as the reply lives.
    /// </summary>
    public static byte[] ToAckPayload(CommandReply reply) => AckPayloads.Get(reply);

    private static readonly ConstantRenderings<CommandReply, byte[]> AckPayloads = new(reply => reply.Message.IsConstant, SerializeAckPayload);

    // Written from the node (Utf8Json) rather than through JsonSerializer (the same bytes): the serializer's first use
    // costs ~15 ms, which the first command after a start would pay.
    private static byte[] SerializeAckPayload(CommandReply reply) =>
        Utf8Json.Serialize(ToResponsePayload(reply, replaceOriginal: null));

    /// <summary>The ack / response_url body for a reply: <c>response_type</c>, <c>text</c>, <c>blocks</c>.</summary>
    public static JsonObject ToResponsePayload(CommandReply reply, bool? replaceOriginal)
    {
        var payload = SlackBlockKitRenderer.Render(reply.Message).WriteTo(new JsonObject
        {
            ["response_type"] = reply.Visibility == ReplyVisibility.Channel ? "in_channel" : "ephemeral",
        });
        if (replaceOriginal is { } replace)
        {
            payload["replace_original"] = replace;
        }

        return payload;
    }

    private async Task<CommandReply> RunCommandAsync(SlackSlashCommand command, CancellationToken cancellationToken)
    {
        var user = await LookUpUserAsync(command.UserId, cancellationToken);
        var invocation = SlackPayloadMapper.ToInvocation(command, user, settings.Admins);
        await using var scope = scopes.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<ICommandHandler>();
        return await handler.HandleAsync(invocation, cancellationToken);
    }

    /// <summary><c>users.info</c> within <see cref="SlackOptions.UserLookupBudget"/>; null when Slack cannot say in time.</summary>
    private async Task<SlackUserInfo?> LookUpUserAsync(string userId, CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(settings.UserLookupBudget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            return await api.GetUserAsync(userId, linked.Token);
        }
        catch (Exception ex) when (ex is SlackApiException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUserLookupFailed(logger, userId, ex is SlackApiException s ? s.Error : "timeout");
            return null;
        }
    }

    /// <summary>
    /// Answers by <c>response_url</c> when there is one, else (or when it fails) by the Web API. When the channel
    /// refuses a reply meant for it for a reason the caller can fix, the caller alone is told why and what to do.
    /// </summary>
    private async Task DeliverAsync(Uri? responseUrl, string channel, string user, string? threadTs, CommandReply reply, CancellationToken cancellationToken)
    {
        try
        {
            if (reply.Message.File is { } file && reply.Visibility == ReplyVisibility.Channel)
            {
                // A response_url cannot carry a file: the digest goes through the upload flow to the channel.
                await api.PostWithFileAsync(channel, SlackBlockKitRenderer.Render(reply.Message), file, threadTs, cancellationToken);
                ChatBotTelemetry.Posted(ChatPlatform.Slack, "reply", ok: true);
                return;
            }

            if (responseUrl is not null && await api.RespondAsync(responseUrl, ToResponsePayload(reply, replaceOriginal: false), cancellationToken))
            {
                ChatBotTelemetry.Posted(ChatPlatform.Slack, "reply", ok: true);
                return;
            }

            var message = SlackBlockKitRenderer.Render(reply.Message);
            if (reply.Visibility == ReplyVisibility.Channel)
            {
                await api.PostMessageAsync(channel, message, threadTs, cancellationToken);
            }
            else
            {
                await api.PostEphemeralAsync(channel, user, message, threadTs, cancellationToken);
            }

            ChatBotTelemetry.Posted(ChatPlatform.Slack, "reply", ok: true);
        }
        catch (SlackApiException ex) when (reply.Visibility == ReplyVisibility.Channel && ex.IsPermanent && ex.Refusal is { } refusal and not PostRefusal.Other)
        {
            // The caller can fix this (e.g. invite the bot to a private channel): tell them, only them.
            ChatBotTelemetry.Posted(ChatPlatform.Slack, "reply", ok: false);
            LogChannelRefused(logger, channel, ex.Method, ex.Error);
            await DeliverAsync(responseUrl, channel, user, threadTs, CommandRouter.PostRefusedReply(refusal, ex.Message), cancellationToken);
        }
        catch (SlackApiException ex)
        {
            ChatBotTelemetry.Posted(ChatPlatform.Slack, "reply", ok: false);
            LogReplyFailed(logger, ex.Error);
        }
    }

    private CommandReply Failed(Exception? ex)
    {
        summary.Failed();
        LogCommandFailed(logger, ex?.InnerException ?? ex);
        return CommandReply.ToCaller(SomethingWentWrong);
    }

    private IDisposable? BeginScope(string team, string channel, string user) =>
        logger.BeginScope(new Dictionary<string, object>(capacity: 4) { ["Platform"] = "slack", ["Team"] = team, ["Channel"] = channel, ["User"] = user });

    private sealed class PendingUpdate
    {
        public SlackMessage? Latest { get; set; }
    }

    // Per-event lines are Debug: SlackCommandSummary gives the Information view, one line a minute.
    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "Slack {Command} {Text}")]
    private static partial void LogCommand(ILogger logger, string command, string text);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Slack button {ActionId}")]
    private static partial void LogClick(ILogger logger, string actionId);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "Slack command failed")]
    private static partial void LogCommandFailed(ILogger logger, Exception? exception);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Error, Message = "Slack click failed; not acknowledged so Slack can deliver it again")]
    private static partial void LogClickFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Slack users.info for {UserId} unavailable ({Error}); going on without it")]
    private static partial void LogUserLookupFailed(ILogger logger, string userId, string error);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Slack chat.update of the prompt failed: {Error}")]
    private static partial void LogUpdateFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "Slack refused the reply in channel {Channel} ({Method}: {Error}); telling the caller what to do")]
    private static partial void LogChannelRefused(ILogger logger, string channel, string method, string error);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Slack reply could not be delivered: {Error}")]
    private static partial void LogReplyFailed(ILogger logger, string error);
}
