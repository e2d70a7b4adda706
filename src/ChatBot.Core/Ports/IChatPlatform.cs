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
    /// Throws <see cref="ChatPlatformException"/> when the platform refuses the post (with a
    /// <see cref="ChatPlatformException.Refusal"/> saying why when the platform says so). Where the platform
    /// refuses to make a thread (a thread inside a thread, a forum, voice or DM channel), the adapter posts the
    /// message as a reply to the thread root in the same channel instead.
    /// A message with a <see cref="OutgoingMessage.File"/> is posted with the file attached; when the platform refuses
    /// the file (no permission to attach, too large) the adapter logs it and posts the text alone.
    /// </summary>
    Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken);

    /// <summary>The channel's name without '#' (for titles such as the digest's), or null when the platform can't say.</summary>
    Task<string?> GetChannelNameAsync(ChannelKey channel, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>
    /// Sends a direct message to one person of <paramref name="team"/> (Slack: <c>chat.postMessage</c> to the user id;
    /// Discord: the DM channel opened with <c>POST users/@me/channels</c>; console: printed as a DM). Returns the DM
    /// conversation's channel id and the message id. Throws <see cref="ChatPlatformException"/> like
    /// <see cref="PostAsync"/>; a person who can't be messaged (closed DMs, a deactivated account, a bot) is a
    /// permanent refusal with <see cref="PostRefusal.DirectMessagesClosed"/>. Platforms without direct messages
    /// refuse every call for good.
    /// </summary>
    Task<DirectMessageReceipt> SendDirectMessageAsync(TeamKey team, string userId, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken) =>
        throw new ChatPlatformException($"{Platform} has no direct messages", PostRefusal.UnsupportedChannel);

    /// <summary>A link that opens the message (Slack <c>chat.getPermalink</c>, a Discord message URL), or null when the platform has none.</summary>
    Task<string?> GetMessageLinkAsync(ChannelKey channel, string messageId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

/// <summary>Where a direct message went: the DM conversation (<paramref name="ChannelId"/>) and the message's id in it.</summary>
public sealed record DirectMessageReceipt(string ChannelId, string MessageId);

/// <param name="IdempotencyKey">Stable per logical post (break and step); adapters that can (Discord nonce) make retries with it no-ops.</param>
/// <param name="ThreadRootMessageId">Post as a reply in the thread under this message.</param>
/// <param name="ThreadTitle">A name for the thread where the platform names threads (Discord).</param>
/// <param name="Tag">Which break step this post is; adapters without a nonce (Slack) attach it to the message so it can be found again.</param>
/// <param name="Resend">
/// An earlier attempt of this same post may have reached the platform (its outcome is unknown: a timeout, a
/// crash after sending). Adapters without a nonce look for the tagged message before posting again.
/// </param>
public sealed record PostOptions(
    string IdempotencyKey,
    string? ThreadRootMessageId = null,
    string? ThreadTitle = null,
    BreakStepTag? Tag = null,
    bool Resend = false);

/// <summary>Identifies one post of a break: step 0 is the prompt, 1..n the cues and the closing line.</summary>
/// <param name="StartedAt">When the break started (UTC): no post of it can be older, so searches start there.</param>
public sealed record BreakStepTag(long BreakId, int Step, DateTimeOffset StartedAt);

/// <summary>Why a platform refused a post for good, in terms the caller can act on.</summary>
public enum PostRefusal
{
    /// <summary>Any other refusal (the message itself, an unknown error code).</summary>
    Other,

    /// <summary>The bot is not a member of the conversation and cannot join it (private channel, someone else's DM, Discord missing access).</summary>
    NotInChannel,

    /// <summary>The channel is archived (Slack <c>is_archived</c>, Discord archived thread 50083).</summary>
    ChannelArchived,

    /// <summary>The bot is in the channel but not allowed to post there (Slack <c>restricted_action</c>, Discord 50013).</summary>
    NotAllowed,

    /// <summary>The channel type takes no messages from bots (Discord forum, category or stage channel, 50024 on a post).</summary>
    UnsupportedChannel,

    /// <summary>
    /// The person can't get direct messages from the bot (Discord 50007 closed DMs; Slack <c>cannot_dm_bot</c>,
    /// <c>user_disabled</c>, <c>user_not_found</c>, <c>messages_tab_disabled</c>, <c>channel_not_found</c> on a DM).
    /// </summary>
    DirectMessagesClosed,
}

/// <summary>A platform refused a call. <see cref="IsPermanent"/>: retrying the same call cannot succeed.</summary>
public class ChatPlatformException : Exception
{
    public ChatPlatformException(string message, bool isPermanent, Exception? innerException = null)
        : base(message, innerException)
    {
        IsPermanent = isPermanent;
    }

    /// <summary>A permanent refusal with its reason.</summary>
    public ChatPlatformException(string message, PostRefusal refusal, Exception? innerException = null)
        : this(message, true, refusal, innerException)
    {
    }

    /// <summary>For adapters' exceptions: <paramref name="refusal"/> only matters when <paramref name="isPermanent"/>.</summary>
    protected ChatPlatformException(string message, bool isPermanent, PostRefusal? refusal, Exception? innerException)
        : base(message, innerException)
    {
        IsPermanent = isPermanent;
        Refusal = isPermanent ? refusal : null;
    }

    public bool IsPermanent { get; }

    /// <summary>
    /// The platform rejected the bot's own credentials (Slack <c>invalid_auth</c>, <c>token_revoked</c>,
    /// <c>account_inactive</c>; Discord 401 on a bot-token route): nothing the bot posts can succeed until the
    /// operator fixes its configuration. This says nothing about the conversation, so it is never recorded as a
    /// refusal of a break; the adapter has already reported it as fatal.
    /// </summary>
    public bool IsFatal { get; init; }

    /// <summary>Why the post was refused for good, when the platform said so; null for transient failures.</summary>
    public PostRefusal? Refusal { get; }
}
