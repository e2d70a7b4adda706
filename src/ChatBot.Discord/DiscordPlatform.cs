using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Discord.Rendering;
using ChatBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChatBot.Discord;

/// <summary>
/// Core's outbound port on Discord. A post without a thread root is a channel message; a post with one goes
/// into the public thread started from that message (created on first use; the thread id is the message id).
/// Where Discord refuses the thread for good (the channel is itself a thread, 50024; a voice channel's chat, a
/// DM, no Create Public Threads permission), the post is a reply to the root message in the same channel
/// instead. Every post carries a nonce from <see cref="PostOptions.IdempotencyKey"/> with <c>enforce_nonce</c>,
/// so a retried post (in the REST client's retries, or a <see cref="PostOptions.Resend"/> after a crash) returns
/// the first message instead of a second one.
/// A message's file goes with its first part (multipart, see <see cref="DiscordRestClient.CreateMessageAsync"/>);
/// if Discord refuses the file, the text goes alone and a warning says why.
/// </summary>
public sealed partial class DiscordPlatform(DiscordRestClient rest, ILogger<DiscordPlatform>? logger = null) : IChatPlatform
{
    private readonly ILogger _logger = logger ?? NullLogger<DiscordPlatform>.Instance;

    private const int MaxRememberedThreads = 4096;

    // Root message id → true: its thread exists; false: the channel takes no thread, reply instead.
    private readonly ConcurrentDictionary<string, bool> _threads = new(StringComparer.Ordinal);

    // User id → their DM channel id (POST users/@me/channels answers the same channel every time).
    private readonly ConcurrentDictionary<string, string> _dmChannels = new(StringComparer.Ordinal);

    public ChatPlatform Platform => ChatPlatform.Discord;

    /// <summary>
    /// Opens the person's DM channel (<see cref="DiscordRestClient.CreateDmChannelAsync"/>, cached per user), then posts
    /// there with the nonce of <see cref="PostOptions.IdempotencyKey"/>. Closed DMs (50007) and an unknown user
    /// (10013) are <see cref="PostRefusal.DirectMessagesClosed"/>.
    /// </summary>
    public async Task<DirectMessageReceipt> SendDirectMessageAsync(TeamKey team, string userId, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        try
        {
            if (!_dmChannels.TryGetValue(userId, out var channelId))
            {
                channelId = await rest.CreateDmChannelAsync(userId, cancellationToken);
                if (_dmChannels.Count >= MaxRememberedThreads)
                {
                    _dmChannels.Clear();
                }

                _dmChannels[userId] = channelId;
            }

            var parts = DiscordRenderer.RenderMessages(message);
            string? firstId = null;
            for (var i = 0; i < parts.Count; i++)
            {
                var key = i == 0 ? options.IdempotencyKey : options.IdempotencyKey + "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var id = await rest.CreateMessageAsync(channelId, parts[i], key, cancellationToken);
                firstId ??= id;
            }

            return new DirectMessageReceipt(channelId, firstId!);
        }
        catch (DiscordApiException ex) when (ex.IsPermanent && ex.Code is DiscordErrorCodes.CannotSendToUser or DiscordErrorCodes.UnknownUser)
        {
            throw new ChatPlatformException(ex.Message, PostRefusal.DirectMessagesClosed, ex);
        }
        catch (DiscordApiException ex) when (ex.IsPermanent)
        {
            throw new ChatPlatformException(ex.Message, RefusalOf(ex.Code), ex) { IsFatal = ex.IsFatal };
        }
        catch (DiscordApiException ex)
        {
            throw new ChatPlatformException(ex.Message, isPermanent: false, ex);
        }
    }

    /// <summary>
    /// <c>https://discord.com/channels/{guild}/{channel}/{message}</c>, or <c>@me</c> for the guild of a DM channel
    /// this adapter opened.
    /// </summary>
    public Task<string?> GetMessageLinkAsync(ChannelKey channel, string messageId, CancellationToken cancellationToken)
    {
        var guild = channel.TeamId.StartsWith("dm:", StringComparison.Ordinal) || _dmChannels.Values.Contains(channel.ChannelId) ? "@me" : channel.TeamId;
        return Task.FromResult<string?>($"https://discord.com/channels/{guild}/{channel.ChannelId}/{messageId}");
    }

    public async Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        if (channel.Platform != ChatPlatform.Discord)
        {
            throw new ChatPlatformException($"DiscordPlatform cannot post to {channel}", isPermanent: true);
        }

        try
        {
            var target = channel.ChannelId;
            string? replyTo = null;
            if (options.ThreadRootMessageId is { Length: > 0 } root)
            {
                if (await EnsureThreadAsync(channel.ChannelId, root, options.ThreadTitle, cancellationToken))
                {
                    target = root; // a thread started from a message has that message's id
                }
                else
                {
                    replyTo = root;
                }
            }

            var parts = DiscordRenderer.RenderMessages(message);
            string? firstId = null;
            for (var i = 0; i < parts.Count; i++)
            {
                var key = i == 0 ? options.IdempotencyKey : options.IdempotencyKey + "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (replyTo is not null)
                {
                    parts[i]["message_reference"] = new JsonObject { ["message_id"] = replyTo, ["fail_if_not_exists"] = false };
                }

                var id = i == 0 && message.File is { } file
                    ? await CreateWithFileAsync(target, parts[i], key, file, cancellationToken)
                    : await rest.CreateMessageAsync(target, parts[i], key, cancellationToken);
                firstId ??= id;
            }

            return firstId!;
        }
        catch (DiscordApiException ex) when (ex.IsPermanent)
        {
            throw new ChatPlatformException(ex.Message, RefusalOf(ex.Code), ex) { IsFatal = ex.IsFatal };
        }
        catch (DiscordApiException ex)
        {
            throw new ChatPlatformException(ex.Message, isPermanent: false, ex);
        }
    }

    /// <summary><c>GET channels/{id}</c>: the channel's name.</summary>
    public async Task<string?> GetChannelNameAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        try
        {
            return await rest.GetChannelNameAsync(channel.ChannelId, cancellationToken);
        }
        catch (DiscordApiException ex)
        {
            throw new ChatPlatformException(ex.Message, ex.IsPermanent, ex) { IsFatal = ex.IsFatal };
        }
    }

    private async Task<string> CreateWithFileAsync(string target, System.Text.Json.Nodes.JsonObject payload, string key, MessageFile file, CancellationToken cancellationToken)
    {
        try
        {
            return await rest.CreateMessageAsync(target, (System.Text.Json.Nodes.JsonObject)payload.DeepClone(), key, cancellationToken, file);
        }
        catch (DiscordApiException ex) when (DiscordErrorCodes.RefusesFile(ex))
        {
            LogFileRefused(_logger, target, file.FileName, file.Content.Length, ex.Message);
            return await rest.CreateMessageAsync(target, payload, key + "#text", cancellationToken);
        }
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "Discord refused the file {FileName} ({Bytes} bytes) in channel {ChannelId}: {Reason}. Posted the text alone; give the bot Attach Files there to get the chart")]
    private static partial void LogFileRefused(ILogger logger, string channelId, string fileName, int bytes, string reason);

    /// <summary>What a permanent refusal of a message post means to the caller (JSON codes: /topics/opcodes-and-status-codes).</summary>
    internal static PostRefusal RefusalOf(int? code) => code switch
    {
        DiscordErrorCodes.UnknownChannel or DiscordErrorCodes.MissingAccess => PostRefusal.NotInChannel,
        DiscordErrorCodes.MissingPermissions or DiscordErrorCodes.CannotSendToUser => PostRefusal.NotAllowed,
        DiscordErrorCodes.ArchivedThread => PostRefusal.ChannelArchived,
        DiscordErrorCodes.InvalidChannelType or DiscordErrorCodes.CannotSendInDm or DiscordErrorCodes.NonTextChannel => PostRefusal.UnsupportedChannel,
        _ => PostRefusal.Other,
    };

    /// <summary>
    /// Discord refused the thread, not the conversation: a thread inside a thread or a forum (50024), a DM (50003),
    /// a voice channel's chat (50008), no Create Public Threads permission (50013, 50001). Anything else (the
    /// prompt deleted, 10008; the channel gone, 10003) is a refusal of the break. Source: Discord's JSON error codes.
    /// </summary>
    private static bool RefusesThreadHere(int? code) => code is DiscordErrorCodes.InvalidChannelType or DiscordErrorCodes.CannotSendInDm
        or DiscordErrorCodes.NonTextChannel or DiscordErrorCodes.MissingPermissions or DiscordErrorCodes.MissingAccess;

    /// <summary>True: cues go into the root's thread. False: this channel takes no thread; cues reply to the root.</summary>
    private async Task<bool> EnsureThreadAsync(string channelId, string rootMessageId, string? title, CancellationToken cancellationToken)
    {
        if (_threads.TryGetValue(rootMessageId, out var threaded))
        {
            return threaded;
        }

        try
        {
            await rest.StartThreadFromMessageAsync(channelId, rootMessageId, title ?? "Upper back break", cancellationToken);
            threaded = true;
        }
        catch (DiscordApiException ex) when (ex.IsPermanent && RefusesThreadHere(ex.Code))
        {
            threaded = false;
        }

        if (_threads.Count >= MaxRememberedThreads)
        {
            _threads.Clear();
        }

        _threads.TryAdd(rootMessageId, threaded);
        return threaded;
    }
}
