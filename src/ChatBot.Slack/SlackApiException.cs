using ChatBot.Core.Ports;

namespace ChatBot.Slack;

/// <summary>
/// Slack refused a Web API call (<c>ok:false</c>, an HTTP error, or transient failures that outlasted the retries).
/// The message names the method and Slack's error code, never a token.
/// </summary>
public sealed class SlackApiException : ChatPlatformException
{
    public SlackApiException(string method, string error, bool isPermanent, Exception? innerException = null)
        : base($"Slack {method} failed: {error}", isPermanent, innerException)
    {
        Method = method;
        Error = error;
    }

    public string Method { get; }

    /// <summary>Slack's <c>error</c> code (e.g. <c>channel_not_found</c>), or <c>http_503</c>, <c>timeout</c>.</summary>
    public string Error { get; }

    /// <summary>The credentials are gone for good: the bot cannot work until someone fixes its configuration.</summary>
    public bool IsFatal => SlackErrors.IsFatal(Error);
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

    /// <summary>Unrecoverable: stop the bot and tell the operator.</summary>
    public static bool IsFatal(string error) => Fatal.Contains(error);

    /// <summary>Retrying the same call later can succeed.</summary>
    public static bool IsTransient(string error) =>
        Transient.Contains(error) || error.StartsWith("http_5", StringComparison.Ordinal);
}
