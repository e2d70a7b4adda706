using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;

namespace ChatBot.Slack;

/// <summary>
/// Core's view of Slack for proactive posts: a prompt is a <c>chat.postMessage</c>, each cue the same with
/// <c>thread_ts</c> set to the prompt's <c>ts</c>. Slack has no nonce, so <see cref="PostOptions.IdempotencyKey"/>
/// cannot make a retry a no-op here; Core's post claims keep a post from being sent twice.
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

        return api.PostMessageAsync(channel.ChannelId, SlackBlockKitRenderer.Render(message), options.ThreadRootMessageId, cancellationToken);
    }
}
