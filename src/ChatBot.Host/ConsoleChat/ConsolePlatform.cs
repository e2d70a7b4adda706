using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;

namespace ChatBot.Host.ConsoleChat;

/// <summary>The console as a chat platform: posts print to the transcript, threads indented, files saved under data/digests/.</summary>
internal sealed class ConsolePlatform(ConsoleTranscript transcript) : IChatPlatform
{
    private long _nextMessageId;

    public ChatPlatform Platform => ChatPlatform.Console;

    public Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        transcript.Write(message, "bot", inThread: options.ThreadRootMessageId is not null);
        var id = Interlocked.Increment(ref _nextMessageId);
        return Task.FromResult("console-" + id.ToString(CultureInfo.InvariantCulture));
    }

    public Task<string?> GetChannelNameAsync(ChannelKey channel, CancellationToken cancellationToken) => Task.FromResult<string?>(channel.ChannelId);
}
