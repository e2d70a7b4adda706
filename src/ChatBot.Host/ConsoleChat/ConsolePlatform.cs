using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;

namespace ChatBot.Host.ConsoleChat;

/// <summary>
/// The console as a chat platform: posts print to the transcript, threads indented, files saved under data/digests/.
/// A direct message prints as <c>bot (DM to you): …</c>; its conversation is the channel <c>dm:{user id}</c>, and
/// posts there (a break started from a reminder) print the same way.
/// </summary>
internal sealed class ConsolePlatform(ConsoleTranscript transcript) : IChatPlatform
{
    private long _nextMessageId;

    public ChatPlatform Platform => ChatPlatform.Console;

    private const string DmPrefix = "dm:";

    public Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        var author = channel.ChannelId.StartsWith(DmPrefix, StringComparison.Ordinal) ? "bot (DM to you)" : "bot";
        transcript.Write(message, author, inThread: options.ThreadRootMessageId is not null, channel);
        return Task.FromResult(NextId());
    }

    public Task<DirectMessageReceipt> SendDirectMessageAsync(TeamKey team, string userId, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        var channel = new ChannelKey(ChatPlatform.Console, team.TeamId, DmPrefix + userId);
        transcript.Write(message, "bot (DM to you)", inThread: false, channel);
        return Task.FromResult(new DirectMessageReceipt(channel.ChannelId, NextId()));
    }

    private string NextId() => "console-" + Interlocked.Increment(ref _nextMessageId).ToString(CultureInfo.InvariantCulture);

    public Task<string?> GetChannelNameAsync(ChannelKey channel, CancellationToken cancellationToken) => Task.FromResult<string?>(channel.ChannelId);
}
