using System.Collections.Concurrent;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;

namespace ChatBot.Slack;

/// <summary>
/// Core's view of Slack for proactive posts: a prompt is a <c>chat.postMessage</c>, each cue the same with
/// <c>thread_ts</c> set to the prompt's <c>ts</c>. Slack has no nonce: a break post carries its <see cref="PostOptions.Tag"/> as message metadata, and a
/// post whose earlier outcome is unknown (<see cref="PostOptions.Resend"/>, a timeout) is looked for before it is
/// sent again (see <see cref="SlackApiClient.PostMessageAsync(string, SlackMessage, string?, SlackPostTag?, bool, CancellationToken)"/>).
/// A message with a file goes through the upload flow (<see cref="SlackApiClient.PostWithFileAsync"/>).
/// Where Slack refuses the thread (<see cref="SlackErrors.RefusesThread"/>), the post goes to the same
/// conversation without <c>thread_ts</c>, and later posts under that prompt go there directly.
/// </summary>
public sealed class SlackPlatform(SlackApiClient api) : IChatPlatform
{
    private const int MaxRememberedPrompts = 4096;

    // Prompt ts whose thread Slack refused: posts under it go to the conversation itself.
    private readonly ConcurrentDictionary<string, bool> _unthreaded = new(StringComparer.Ordinal);

    public ChatPlatform Platform => ChatPlatform.Slack;

    public Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        if (channel.Platform != ChatPlatform.Slack)
        {
            throw new ChatPlatformException($"Slack cannot post to a {channel.Platform} channel", isPermanent: true);
        }

        return PostUnderAsync(channel, message, options, cancellationToken);
    }

    private async Task<string> PostUnderAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        var rendered = SlackBlockKitRenderer.Render(message);
        var tag = options.Tag is { } step ? new SlackPostTag(step.BreakId, step.Step, step.StartedAt) : null;
        Task<string> Send(string? threadTs) => message.File is { } file
            ? api.PostWithFileAsync(channel.ChannelId, rendered, file, threadTs, cancellationToken)
            : api.PostMessageAsync(channel.ChannelId, rendered, threadTs, tag, options.Resend, cancellationToken);

        if (options.ThreadRootMessageId is not { Length: > 0 } root || _unthreaded.ContainsKey(root))
        {
            return await Send(null);
        }

        try
        {
            return await Send(root);
        }
        catch (SlackApiException ex) when (SlackErrors.RefusesThread(ex.Error))
        {
            if (_unthreaded.Count >= MaxRememberedPrompts)
            {
                _unthreaded.Clear();
            }

            _unthreaded.TryAdd(root, true);
            return await Send(null);
        }
    }

    /// <summary>
    /// A DM is <c>chat.postMessage</c> to the user id (<see cref="SlackApiClient.PostDirectMessageAsync"/>); the answer
    /// names the DM conversation. Refusals that concern the person (<see cref="SlackErrors.RefusesDirectMessage"/>) are
    /// <see cref="PostRefusal.DirectMessagesClosed"/>.
    /// </summary>
    public async Task<DirectMessageReceipt> SendDirectMessageAsync(TeamKey team, string userId, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var (channel, ts) = await api.PostDirectMessageAsync(userId, SlackBlockKitRenderer.Render(message), cancellationToken);
            return new DirectMessageReceipt(channel, ts);
        }
        catch (SlackApiException ex) when (ex.IsPermanent && !ex.IsFatal && SlackErrors.RefusesDirectMessage(ex.Error))
        {
            throw new ChatPlatformException($"Slack {ex.Method}: {ex.Error}", PostRefusal.DirectMessagesClosed, ex);
        }
    }

    /// <summary><c>chat.getPermalink</c>.</summary>
    public async Task<string?> GetMessageLinkAsync(ChannelKey channel, string messageId, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetPermalinkAsync(channel.ChannelId, messageId, cancellationToken);
        }
        catch (SlackApiException ex)
        {
            throw new ChatPlatformException($"Slack {ex.Method}: {ex.Error}", ex.IsPermanent, ex) { IsFatal = ex.IsFatal };
        }
    }

    /// <summary><c>conversations.info</c>: the channel's name (needs <c>channels:read</c>, and <c>groups:read</c> for private channels).</summary>
    public async Task<string?> GetChannelNameAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetChannelNameAsync(channel.ChannelId, cancellationToken);
        }
        catch (SlackApiException ex)
        {
            throw new ChatPlatformException($"Slack {ex.Method}: {ex.Error}", ex.IsPermanent, ex) { IsFatal = ex.IsFatal };
        }
    }
}
