using ChatBot.Core.Messages;

namespace ChatBot.Core.Ports;

/// <summary>
/// What Core needs from a chat platform to post proactively (break prompts and cue threads). One adapter
/// instance per platform, registered as a keyed <see cref="IChatPlatform"/> under its <see cref="ChatPlatform"/>.
/// </summary>
public interface IChatPlatform
{
    ChatPlatform Platform { get; }

    /// <summary>
    /// Posts a message to the channel, or into the thread under <see cref="PostOptions.ThreadRootMessageId"/>
    /// (the adapter creates the thread if its platform needs one). Returns the platform's message id.
    /// Throws <see cref="ChatPlatformException"/> when the platform refuses the post. A message with a
    /// <see cref="OutgoingMessage.File"/> is posted with the file attached; when the platform refuses the file
    /// (no permission to attach, too large) the adapter logs it and posts the text alone.
    /// </summary>
    Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken);

    /// <summary>The channel's name without '#' (for titles such as the digest's), or null when the platform can't say.</summary>
    Task<string?> GetChannelNameAsync(ChannelKey channel, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

/// <param name="IdempotencyKey">Stable per logical post (break and step); adapters that can (Discord nonce) make retries with it no-ops.</param>
/// <param name="ThreadRootMessageId">Post as a reply in the thread under this message.</param>
/// <param name="ThreadTitle">A name for the thread where the platform names threads (Discord).</param>
public sealed record PostOptions(string IdempotencyKey, string? ThreadRootMessageId = null, string? ThreadTitle = null);

/// <summary>A platform refused a call. <see cref="IsPermanent"/>: retrying the same call cannot succeed.</summary>
public class ChatPlatformException : Exception
{
    public ChatPlatformException(string message, bool isPermanent, Exception? innerException = null)
        : base(message, innerException)
    {
        IsPermanent = isPermanent;
    }

    public bool IsPermanent { get; }
}
