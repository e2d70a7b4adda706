using ChatBot.Core.Ports;

namespace ChatBot.Slack;

/// <summary>
/// Slack refused a Web API call (<c>ok:false</c>, an HTTP error, or transient failures that outlasted the retries).
/// The message names the method and Slack's error code, never a token.
/// </summary>
public sealed class SlackApiException : ChatPlatformException
{
    public SlackApiException(string method, string error, bool isPermanent, Exception? innerException = null)
        : base($"Slack {method} failed: {error}", isPermanent, SlackErrors.RefusalOf(error), innerException)
    {
        Method = method;
        Error = error;
        IsFatal = SlackErrors.IsFatal(error);
    }

    public string Method { get; }

    /// <summary>Slack's <c>error</c> code (e.g. <c>channel_not_found</c>), or <c>http_503</c>, <c>timeout</c>.</summary>
    public string Error { get; }
}

/// <summary>Slack's error codes, classified.</summary>
public static class SlackErrors
{
    private static readonly HashSet<string> Fatal = new(StringComparer.Ordinal)
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "user_removed_from_team",
        "team_disabled",
        "link_disabled",
        "socket_mode_disabled",
        "not_allowed_token_type",
    };

    private static readonly HashSet<string> Transient = new(StringComparer.Ordinal)
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "timeout",
        "http_error",
    };

    /// <summary>
    /// What a permanent error means to the person who asked for the post. Codes from the <c>chat.postMessage</c>
    /// reference (docs.slack.dev/reference/methods/chat.postMessage, "Errors").
    /// </summary>
    public static PostRefusal RefusalOf(string error) => error switch
    {
        "channel_not_found" or "not_in_channel" => PostRefusal.NotInChannel,
        "is_archived" => PostRefusal.ChannelArchived,
        "restricted_action" or "restricted_action_read_only_channel" or "restricted_action_thread_only_channel"
            or "ekm_access_denied" or "team_access_not_granted" => PostRefusal.NotAllowed,
        "method_not_supported_for_channel_type" => PostRefusal.UnsupportedChannel,
        _ => PostRefusal.Other,
    };

    /// <summary>
    /// Slack refuses a reply in this thread, not the conversation: <c>restricted_action_non_threadable_channel</c>
    /// (the channel takes no threads) and <c>cannot_reply_to_message</c> (the root takes no replies), from the
    /// <c>chat.postMessage</c> reference. The message can still go to the conversation without <c>thread_ts</c>.
    /// </summary>
    public static bool RefusesThread(string error) =>
        error is "restricted_action_non_threadable_channel" or "cannot_reply_to_message";

    /// <summary>
    /// Slack refuses a direct message to this person for good: a bot or app user (<c>cannot_dm_bot</c>), a
    /// deactivated or unknown account (<c>user_disabled</c>, <c>user_not_found</c>, <c>user_not_visible</c>), the
    /// app's Messages tab turned off (<c>messages_tab_disabled</c>), no DM to be had (<c>channel_not_found</c>).
    /// From the <c>chat.postMessage</c> and <c>conversations.open</c> references.
    /// </summary>
    public static bool RefusesDirectMessage(string error) =>
        error is "cannot_dm_bot" or "user_disabled" or "user_not_found" or "user_not_visible" or "messages_tab_disabled" or "channel_not_found";

    /// <summary>Unrecoverable: stop the bot and tell the operator.</summary>
    public static bool IsFatal(string error) => Fatal.Contains(error);

    /// <summary>Retrying the same call later can succeed.</summary>
    public static bool IsTransient(string error) =>
        Transient.Contains(error) || error.StartsWith("http_5", StringComparison.Ordinal);
}
