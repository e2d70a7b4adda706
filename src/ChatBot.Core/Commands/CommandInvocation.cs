namespace ChatBot.Core.Commands;

/// <summary>
/// One <c>/drill …</c> command as a user typed it. <paramref name="Text"/> is everything after <c>/drill</c>
/// (Slack's <c>text</c>; for Discord the adapter joins the subcommand path and options with spaces).
/// </summary>
public sealed record CommandInvocation(ChannelKey Channel, ChatUser Caller, string Text);

/// <summary>A tap on one of our buttons. <paramref name="ActionId"/> is untrusted input from the platform.</summary>
public sealed record ButtonClick(ChannelKey Channel, ChatUser Caller, string ActionId);
