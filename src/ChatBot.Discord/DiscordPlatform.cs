using System.Collections.Concurrent;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Discord.Rendering;
using ChatBot.Discord.Rest;

namespace ChatBot.Discord;

/// <summary>
/// Core's outbound port on Discord. A post without a thread root is a channel message; a post with one goes
/// into the public thread started from that message (created on first use; the thread id is the message id).
/// Every post carries a nonce from <see cref="PostOptions.IdempotencyKey"/> with <c>enforce_nonce</c>, so a
/// retried post returns the first message instead of a second one.
/// </summary>
public sealed class DiscordPlatform(DiscordRestClient rest) : IChatPlatform
{
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
                var id = await rest.CreateMessageAsync(target, parts[i], key, cancellationToken);
                firstId ??= id;
            }

            return firstId!;
        }
        catch (DiscordApiException ex)
        {
            throw new ChatPlatformException(ex.Message, ex.IsPermanent, ex);
        }
    }

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
