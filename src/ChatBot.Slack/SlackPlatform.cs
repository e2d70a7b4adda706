using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;

namespace ChatBot.Slack;

/// <summary>
/// Core's view of Slack for proactive posts: a prompt is a <c>chat.postMessage</c>, each cue the same with
/// <c>thread_ts</c> set to the prompt's <c>ts</c> (threads work in every conversation type Slack lets the bot post
/// in). Slack has no nonce: a break post carries its <see cref="PostOptions.Tag"/> as message metadata, and a
/// post whose earlier outcome is unknown (<see cref="PostOptions.Resend"/>, a timeout) is looked for before it is
/// sent again (see <see cref="SlackApiClient.PostMessageAsync(string, SlackMessage, string?, SlackPostTag?, bool, CancellationToken)"/>).
/// A message with a file goes through the upload flow (<see cref="SlackApiClient.PostWithFileAsync"/>).
/// </summary>
public sealed class SlackPlatform(SlackApiClient api) : IChatPlatform
{
    public ChatPlatform Platform => ChatPlatform.Slack;

    public Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        if (channel.Platform != ChatPlatform.Slack)
        {
            throw new ChatPlatformException($"Slack cannot post to a {channel.Platform} channel", isPermanent: true);
        }

        var rendered = SlackBlockKitRenderer.Render(message);
        if (message.File is { } file)
        {
            return api.PostWithFileAsync(channel.ChannelId, rendered, file, options.ThreadRootMessageId, cancellationToken);
        }

        var tag = options.Tag is { } step ? new SlackPostTag(step.BreakId, step.Step, step.StartedAt) : null;
        return api.PostMessageAsync(channel.ChannelId, rendered, options.ThreadRootMessageId, tag, options.Resend, cancellationToken);
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
