using ChatBot.Core.Messages;

namespace ChatBot.Core.Commands;

/// <summary>Who sees a reply: only the caller (Slack ephemeral, Discord flag 64) or the whole channel.</summary>
public enum ReplyVisibility
{
    CallerOnly,
    Channel,
}

/// <summary>What the bot answers to a command or click. Expected outcomes (typos, refusals) are replies too.</summary>
public sealed record CommandReply(OutgoingMessage Message, ReplyVisibility Visibility)
{
    public static CommandReply ToCaller(string text) => new(new OutgoingMessage(text), ReplyVisibility.CallerOnly);

    public static CommandReply ToChannel(string text) => new(new OutgoingMessage(text), ReplyVisibility.Channel);
}

/// <summary>
/// The answer to a button tap: a reply for the clicker, and, when the tap changed it, the break prompt
/// re-rendered (e.g. with how many have done it) for the adapter to put in place of the clicked message.
/// </summary>
public sealed record ClickOutcome(CommandReply Reply, OutgoingMessage? UpdatedPrompt);
