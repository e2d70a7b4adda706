using System.Collections.Concurrent;
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
/// Every post carries a nonce from <see cref="PostOptions.IdempotencyKey"/> with <c>enforce_nonce</c>, so a
/// retried post returns the first message instead of a second one. A message's file goes with its first part
/// (multipart, see <see cref="DiscordRestClient.CreateMessageAsync"/>); if Discord refuses the file, the text
/// goes alone and a warning says why.
/// </summary>
public sealed partial class DiscordPlatform(DiscordRestClient rest, ILogger<DiscordPlatform>? logger = null) : IChatPlatform
{
    private readonly ILogger _logger = logger ?? NullLogger<DiscordPlatform>.Instance;

    private const int MaxRememberedThreads = 4096;
    private readonly ConcurrentDictionary<string, byte> _threads = new(StringComparer.Ordinal);

    public ChatPlatform Platform => ChatPlatform.Discord;

    public async Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        if (channel.Platform != ChatPlatform.Discord)
        {
            throw new ChatPlatformException($"DiscordPlatform cannot post to {channel}", isPermanent: true);
        }

        try
        {
            var target = channel.ChannelId;
            if (options.ThreadRootMessageId is { Length: > 0 } root)
            {
                await EnsureThreadAsync(channel.ChannelId, root, options.ThreadTitle, cancellationToken);
                target = root; // a thread started from a message has that message's id
            }

            var parts = DiscordRenderer.RenderMessages(message);
            string? firstId = null;
            for (var i = 0; i < parts.Count; i++)
            {
                var key = i == 0 ? options.IdempotencyKey : options.IdempotencyKey + "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var id = i == 0 && message.File is { } file
                    ? await CreateWithFileAsync(target, parts[i], key, file, cancellationToken)
                    : await rest.CreateMessageAsync(target, parts[i], key, cancellationToken);
                firstId ??= id;
            }

            return firstId!;
        }
        catch (DiscordApiException ex)
        {
            throw new ChatPlatformException(ex.Message, ex.IsPermanent, ex);
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
            throw new ChatPlatformException(ex.Message, ex.IsPermanent, ex);
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

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "Discord refused the file {FileName} ({Bytes} bytes) in channel {ChannelId}: {Reason}. Posted the text alone; give the bot Attach Files there to get the chart")]
    private static partial void LogFileRefused(ILogger logger, string channelId, string fileName, int bytes, string reason);

    private async Task EnsureThreadAsync(string channelId, string rootMessageId, string? title, CancellationToken cancellationToken)
    {
        if (_threads.ContainsKey(rootMessageId))
        {
            return;
        }

        await rest.StartThreadFromMessageAsync(channelId, rootMessageId, title ?? "Upper back break", cancellationToken);
        if (_threads.Count >= MaxRememberedThreads)
        {
            _threads.Clear();
        }

        _threads.TryAdd(rootMessageId, 0);
    }
}
