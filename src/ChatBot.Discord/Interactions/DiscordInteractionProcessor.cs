using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Telemetry;
using ChatBot.Core.Messages;
using ChatBot.Discord.Gateway;
using ChatBot.Discord.Rendering;
using ChatBot.Discord.Rest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord.Interactions;

/// <summary>
/// Answers interactions from either transport within Discord's 3 seconds. Slash commands: Core's reply as
/// the one initial response (type 4, ephemeral when it is for the caller) when it is ready within
/// <see cref="DiscordOptions.CommandAckBudget"/> and fits one message without a file; otherwise a deferred
/// response first (type 5, ephemeral unless the command is for the channel), then the reply as an edit of the
/// original and follow-ups. Commands that start a break always defer first. Done buttons: Core stores the click first, then the callback updates the prompt (type 7) or
/// just acknowledges it (type 6), then the reply goes to the clicker as a follow-up. Each interaction is
/// handled once, in its own DI scope and log scope; failures are logged and answered, never thrown.
/// </summary>
public sealed partial class DiscordInteractionProcessor : IGatewayInteractionSink
{
    private const int Ephemeral = 1 << 6;
    private const string Apology = "Sorry, something went wrong on my side. Please try again in a moment.";

    private readonly DiscordRestClient _rest;
    private readonly IServiceScopeFactory _scopes;
    private readonly DiscordOptions _options;
    private readonly ILogger<DiscordInteractionProcessor> _logger;
    private readonly TimeProvider _time;
    private readonly Deduplicator _dedupe;
    private readonly AckPriority _priority;

    public DiscordInteractionProcessor(
        DiscordRestClient rest,
        IServiceScopeFactory scopes,
        IOptions<DiscordOptions> options,
        ILogger<DiscordInteractionProcessor> logger,
        TimeProvider? time = null)
    {
        _rest = rest;
        _scopes = scopes;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _priority = new AckPriority(_time);
        // Longer than an interaction can live (15 minutes), so a redelivery (gateway resume replay, HTTP retry) runs once.
        _dedupe = new Deduplicator(_time, TimeSpan.FromMinutes(20), 10_000);
    }

    public Task HandleGatewayInteractionAsync(JsonElement interaction, CancellationToken cancellationToken) =>
        ProcessAsync(interaction, acknowledged: null, cancellationToken);

    /// <summary>
    /// Handles one interaction end to end. <paramref name="acknowledged"/> (HTTP mode) completes once the
    /// initial response is sent or the interaction is dropped, so the HTTP request can be answered.
    /// </summary>
    public async Task ProcessAsync(JsonElement json, TaskCompletionSource? acknowledged, CancellationToken cancellationToken)
    {
        var receivedAt = Stopwatch.GetTimestamp();
        using var activity = ChatBotTelemetry.Discord.StartActivity("discord interaction", ActivityKind.Server);
        try
        {
            if (!InteractionMapper.TryParse(json, out var interaction, out var error))
            {
                LogUnreadable(_logger, error);
                return;
            }

            if (!_dedupe.TryClaim(interaction.Id))
            {
                LogDuplicate(_logger, interaction.Id);
                return;
            }

            if (interaction.Type is not (InteractionType.ApplicationCommand or InteractionType.MessageComponent))
            {
                LogUnhandledType(_logger, (int)interaction.Type);
                return;
            }

            using var scope = _logger.BeginScope(new Dictionary<string, object?>(capacity: 4)
            {
                ["Platform"] = "discord",
                ["InteractionId"] = interaction.Id,
                ["Channel"] = interaction.Channel?.ToString(),
                ["User"] = interaction.User?.Id,
            });

            activity?.SetTag("chatbot.interaction.type", interaction.Type == InteractionType.ApplicationCommand ? "command" : "click");
            var ack = new AckTracker(_priority, acknowledged, receivedAt, interaction.Type == InteractionType.ApplicationCommand ? "command" : "click");
            try
            {
                if (interaction.Type == InteractionType.ApplicationCommand)
                {
                    await HandleCommandAsync(interaction, ack, cancellationToken);
                }
                else
                {
                    await HandleClickAsync(interaction, ack, cancellationToken);
                }
            }
            finally
            {
                ack.Done(acked: false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // shutting down
        }
        catch (Exception ex)
        {
            // Last resort: one interaction must never take anything else down.
            activity.Failed(ex);
            LogFailed(_logger, ex);
        }
        finally
        {
            acknowledged?.TrySetResult();
        }
    }

    private async Task HandleCommandAsync(DiscordInteraction interaction, AckTracker acknowledged, CancellationToken cancellationToken)
    {
        var invocation = InteractionMapper.ToInvocation(interaction);
        if (invocation is null || !string.Equals(interaction.CommandName, DrillCommandDefinition.CommandName, StringComparison.Ordinal))
        {
            LogUnknownCommand(_logger, interaction.CommandName);
            await RespondAsync(interaction, Message(4, DiscordRenderer.RenderSingle(new("I only know `/drill`. Try `/drill help`.")), true), cancellationToken);
            return;
        }

        var callerOnly = DrillCommandDefinition.AnswersCallerOnly(invocation.Text);
        if (DrillCommandDefinition.StartsBreak(invocation.Text))
        {
            // The break is posted in the channel: acknowledge first, so the command shows before its break.
            if (!await DeferAsync(interaction, callerOnly, acknowledged, cancellationToken))
            {
                return;
            }

            await _priority.YieldToAcksAsync(cancellationToken);
            await DeliverReplyAsync(interaction, await RunCommandAsync(invocation, cancellationToken), deferredEphemeral: callerOnly, cancellationToken);
            return;
        }

        // On the thread pool, so a handler that does synchronous work first can never hold up the ack.
        var work = Task.Run(() => RunCommandAsync(invocation, cancellationToken), cancellationToken);
        using (var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await Task.WhenAny(work, Task.Delay(_options.CommandAckBudget, _time, budget.Token));
            await budget.CancelAsync();
        }

        if (work.IsCompleted)
        {
            // Ready within the budget: one call when it fits one message without a file (type 4).
            var reply = await work;
            var ephemeral = reply.Visibility == ReplyVisibility.CallerOnly;
            if (ReplyCallback(reply) is { } callback)
            {
                if (await RespondAsync(interaction, callback, cancellationToken))
                {
                    acknowledged.Done();
                    ChatBotTelemetry.Posted(ChatPlatform.Discord, "reply", ok: true);
                }

                return;
            }

            // Several messages or a file: a deferral of the reply's own visibility, then the parts.
            if (await DeferAsync(interaction, ephemeral, acknowledged, cancellationToken))
            {
                await _priority.YieldToAcksAsync(cancellationToken);
                await DeliverReplyAsync(interaction, reply, deferredEphemeral: ephemeral, cancellationToken);
            }

            return;
        }

        // Not ready within the budget: acknowledge now (Discord wants it within 3 s), reply when it is.
        if (!await DeferAsync(interaction, callerOnly, acknowledged, cancellationToken))
        {
            return;
        }

        await _priority.YieldToAcksAsync(cancellationToken);
        await DeliverReplyAsync(interaction, await work, deferredEphemeral: callerOnly, cancellationToken);
    }

    /// <summary>A type 5 deferral ("thinking…"); its visibility is fixed for the edit that follows. False when dropped.</summary>
    private async Task<bool> DeferAsync(DiscordInteraction interaction, bool ephemeral, AckTracker acknowledged, CancellationToken cancellationToken)
    {
        var deferred = new JsonObject { ["type"] = 5 };
        if (ephemeral)
        {
            deferred["data"] = new JsonObject { ["flags"] = Ephemeral };
        }

        if (!await RespondAsync(interaction, deferred, cancellationToken))
        {
            return false;
        }

        acknowledged.Done();
        return true;
    }

    /// <summary>Core's reply to a command; a handler failure becomes an apology to the caller.</summary>
    private async Task<CommandReply> RunCommandAsync(CommandInvocation invocation, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<ICommandHandler>();
            return await handler.HandleAsync(invocation, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogHandlerFailed(_logger, ex, invocation.Text);
            return CommandReply.ToCaller(Apology);
        }
    }

    private async Task HandleClickAsync(DiscordInteraction interaction, AckTracker acknowledged, CancellationToken cancellationToken)
    {
        var click = InteractionMapper.ToClick(interaction);
        if (click is null)
        {
            LogUnreadable(_logger, "component interaction without channel, user or custom_id");
            await RespondAsync(interaction, Message(4, DiscordRenderer.RenderSingle(new("That button no longer works.")), true), cancellationToken);
            return;
        }

        // Core stores the completion before returning, so the click is durable before Discord hears back.
        var work = RunClickAsync(click, cancellationToken);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (!work.IsCompleted)
            {
                var delay = Task.Delay(_options.ClickDeferAfter, _time, timeout.Token);
                await Task.WhenAny(work, delay);
                await timeout.CancelAsync();
            }
        }

        if (work.IsCompleted)
        {
            var outcome = await work;
            var callback = outcome.UpdatedPrompt is { } prompt
                ? new JsonObject { ["type"] = 7, ["data"] = DiscordRenderer.RenderSingle(prompt) }
                : new JsonObject { ["type"] = 6 };
            if (!await RespondAsync(interaction, callback, cancellationToken))
            {
                return;
            }

            acknowledged.Done();
            await FollowUpAsync(interaction, outcome.Reply, cancellationToken);
            return;
        }

        // Slow store: acknowledge without a visible change, then edit the prompt when Core is done.
        LogSlowClick(_logger, _options.ClickDeferAfter.TotalMilliseconds);
        var acked = await RespondAsync(interaction, new JsonObject { ["type"] = 6 }, cancellationToken);
        acknowledged.Done(acked);
        var late = await work;
        if (!acked)
        {
            return;
        }

        if (late.UpdatedPrompt is { } updated)
        {
            await TryAsync(
                () => _rest.EditOriginalResponseAsync(interaction.ApplicationId, interaction.Token, DiscordRenderer.RenderSingle(updated), cancellationToken),
                "edit the clicked prompt");
        }

        await FollowUpAsync(interaction, late.Reply, cancellationToken);
    }

    private async Task<ClickOutcome> RunClickAsync(ButtonClick click, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<ICommandHandler>();
            return await handler.HandleClickAsync(click, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogHandlerFailed(_logger, ex, click.ActionId);
            return new ClickOutcome(CommandReply.ToCaller(Apology), null);
        }
    }

    /// <summary>Puts a reply where it belongs after a deferral (which fixed the visibility of @original).</summary>
    private async Task DeliverReplyAsync(DiscordInteraction interaction, CommandReply reply, bool deferredEphemeral, CancellationToken cancellationToken)
    {
        var wantEphemeral = reply.Visibility == ReplyVisibility.CallerOnly;
        var parts = DiscordRenderer.RenderMessages(reply.Message);
        var start = 0;
        if (reply.Message.File is { } file)
        {
            // A file can't be added by editing the deferral: the answer is a follow-up carrying it (multipart).
            await TryAsync(() => _rest.DeleteOriginalResponseAsync(interaction.ApplicationId, interaction.Token, cancellationToken), "delete the deferred response");
            if (wantEphemeral)
            {
                parts[0]["flags"] = Ephemeral;
            }

            if (!await TryFollowUpWithFileAsync(interaction, parts[0], file, cancellationToken))
            {
                return;
            }

            start = 1;
        }
        else if (wantEphemeral == deferredEphemeral)
        {
            if (!await TryAsync(
                () => _rest.EditOriginalResponseAsync(interaction.ApplicationId, interaction.Token, parts[0], cancellationToken),
                "edit the deferred response"))
            {
                ChatBotTelemetry.Posted(ChatPlatform.Discord, "reply", ok: false);
                return;
            }

            start = 1;
        }
        else
        {
            // The deferral's visibility cannot change: drop it and answer with a follow-up of the right kind.
            await TryAsync(() => _rest.DeleteOriginalResponseAsync(interaction.ApplicationId, interaction.Token, cancellationToken), "delete the deferred response");
        }

        for (var i = start; i < parts.Count; i++)
        {
            var part = parts[i];
            if (wantEphemeral)
            {
                part["flags"] = Ephemeral;
            }

            if (!await TryAsync(() => _rest.CreateFollowupAsync(interaction.ApplicationId, interaction.Token, part, cancellationToken), "send a follow-up"))
            {
                ChatBotTelemetry.Posted(ChatPlatform.Discord, "reply", ok: false);
                return;
            }
        }

        ChatBotTelemetry.Posted(ChatPlatform.Discord, "reply", ok: true);
    }

    private async Task FollowUpAsync(DiscordInteraction interaction, CommandReply reply, CancellationToken cancellationToken)
    {
        await _priority.YieldToAcksAsync(cancellationToken);
        foreach (var part in DiscordRenderer.RenderMessages(reply.Message))
        {
            if (reply.Visibility == ReplyVisibility.CallerOnly)
            {
                part["flags"] = Ephemeral;
            }

            if (!await TryAsync(() => _rest.CreateFollowupAsync(interaction.ApplicationId, interaction.Token, part, cancellationToken), "send a follow-up"))
            {
                ChatBotTelemetry.Posted(ChatPlatform.Discord, "reply", ok: false);
                return;
            }
        }

        ChatBotTelemetry.Posted(ChatPlatform.Discord, "reply", ok: true);
    }

    /// <summary>Sends the initial response. False when the interaction expired or was answered already.</summary>
    private Task<bool> RespondAsync(DiscordInteraction interaction, JsonObject payload, CancellationToken cancellationToken) =>
        RespondAsync(interaction, Utf8Json.Serialize(payload), cancellationToken);

    /// <summary>The initial response, <paramref name="json"/> being its UTF-8 JSON body. False when dropped.</summary>
    private async Task<bool> RespondAsync(DiscordInteraction interaction, byte[] json, CancellationToken cancellationToken)
    {
        try
        {
            await _rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, json, cancellationToken);
            return true;
        }
        catch (DiscordApiException ex) when (ex.Code == DiscordErrorCodes.UnknownInteraction || ex.Status == System.Net.HttpStatusCode.Unauthorized)
        {
            LogExpired(_logger, interaction.Id);
            return false;
        }
        catch (DiscordApiException ex) when (ex.Code == DiscordErrorCodes.InteractionAlreadyAcknowledged)
        {
            LogAlreadyAcknowledged(_logger, interaction.Id);
            return false;
        }
    }

    /// <summary>A follow-up with a file; when Discord refuses the file (permission, size) the text goes alone.</summary>
    private async Task<bool> TryFollowUpWithFileAsync(DiscordInteraction interaction, JsonObject part, MessageFile file, CancellationToken cancellationToken)
    {
        try
        {
            await _rest.CreateFollowupAsync(interaction.ApplicationId, interaction.Token, (JsonObject)part.DeepClone(), cancellationToken, file);
            return true;
        }
        catch (DiscordApiException ex) when (DiscordErrorCodes.RefusesFile(ex))
        {
            LogFileRefused(_logger, file.FileName, file.Content.Length, ex.Message);
            return await TryAsync(() => _rest.CreateFollowupAsync(interaction.ApplicationId, interaction.Token, part, cancellationToken), "send a follow-up");
        }
        catch (DiscordApiException ex)
        {
            LogFollowUpFailed(_logger, ex, "send a follow-up with a file");
            return false;
        }
    }

    private async Task<bool> TryAsync(Func<Task> call, string what)
    {
        try
        {
            await call();
            return true;
        }
        catch (DiscordApiException ex)
        {
            LogFollowUpFailed(_logger, ex, what);
            return false;
        }
    }

    /// <summary>Marks one interaction's acknowledgement in flight until <see cref="Done"/> (idempotent).</summary>
    private sealed class AckTracker
    {
        private readonly AckPriority _priority;
        private readonly TaskCompletionSource? _acknowledged;
        private readonly long _receivedAt;
        private readonly string _kind;
        private readonly long _ticket;
        private int _done;

        public AckTracker(AckPriority priority, TaskCompletionSource? acknowledged, long receivedAt, string kind)
        {
            _priority = priority;
            _acknowledged = acknowledged;
            _receivedAt = receivedAt;
            _kind = kind;
            _ticket = priority.AckStarted();
        }

        /// <param name="acked">The initial response went out (recorded as the ack latency); false: the interaction was dropped.</param>
        public void Done(bool acked = true)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                if (acked)
                {
                    ChatBotTelemetry.Acknowledged(ChatPlatform.Discord, _kind, _receivedAt);
                }

                _priority.AckFinished(_ticket);
                _acknowledged?.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The reply as one type 4 callback body (UTF-8 JSON), or null when it takes more than one message or has a file.
    /// A constant reply (help, the drill list: the same <see cref="CommandReply"/> every time) is rendered and
    /// serialized once, as long as the reply lives; the array is shared, so it is only ever read.
    /// </summary>
    internal static byte[]? ReplyCallback(CommandReply reply) => ReplyCallbacks.Get(reply);

    private static readonly ConstantRenderings<CommandReply, byte[]?> ReplyCallbacks = new(reply => reply.Message.IsConstant, RenderReplyCallback);

    private static byte[]? RenderReplyCallback(CommandReply reply) =>
        reply.Message.File is null && DiscordRenderer.RenderMessages(reply.Message) is [var only]
            ? Utf8Json.Serialize(Message(4, only, reply.Visibility == ReplyVisibility.CallerOnly))
            : null;

    private static JsonObject Message(int type, JsonObject data, bool ephemeral)
    {
        if (ephemeral)
        {
            data["flags"] = Ephemeral;
        }

        return new JsonObject { ["type"] = type, ["data"] = data };
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Warning, Message = "Discord interaction dropped: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string reason);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Debug, Message = "Discord interaction {InteractionId} seen before; ignored")]
    private static partial void LogDuplicate(ILogger logger, string interactionId);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Debug, Message = "Discord interaction type {Type} is not handled")]
    private static partial void LogUnhandledType(ILogger logger, int type);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Error, Message = "Discord interaction failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Warning, Message = "Discord command {Name} is not ours")]
    private static partial void LogUnknownCommand(ILogger logger, string? name);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Error, Message = "Discord: the command handler failed for '{Input}'")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string input);

    [LoggerMessage(EventId = 2406, Level = LogLevel.Warning, Message = "Discord interaction {InteractionId} expired before we answered (10062 or 401); dropped")]
    private static partial void LogExpired(ILogger logger, string interactionId);

    [LoggerMessage(EventId = 2407, Level = LogLevel.Warning, Message = "Discord interaction {InteractionId} was acknowledged already (40060)")]
    private static partial void LogAlreadyAcknowledged(ILogger logger, string interactionId);

    [LoggerMessage(EventId = 2408, Level = LogLevel.Warning, Message = "Discord: could not {What}")]
    private static partial void LogFollowUpFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(EventId = 2290, Level = LogLevel.Warning, Message = "Discord refused the file {FileName} ({Bytes} bytes) in an interaction follow-up: {Reason}. Sent the text alone; give the bot Attach Files to get the chart")]
    private static partial void LogFileRefused(ILogger logger, string fileName, int bytes, string reason);

    [LoggerMessage(EventId = 2409, Level = LogLevel.Warning, Message = "Discord: a click took over {Ms} ms; acknowledging with a deferral")]
    private static partial void LogSlowClick(ILogger logger, double ms);
}
