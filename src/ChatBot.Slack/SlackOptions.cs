using Microsoft.Extensions.Options;

namespace ChatBot.Slack;

/// <summary>The <c>Slack</c> configuration section. Socket Mode when <see cref="AppToken"/> is set, else HTTP mode.</summary>
public sealed class SlackOptions
{
    public const string SectionName = "Slack";

    /// <summary>Bot token (<c>xoxb-…</c>) for the Web API.</summary>
    public string? BotToken { get; set; }

    /// <summary>App-level token (<c>xapp-…</c>, scope <c>connections:write</c>): turns on Socket Mode.</summary>
    public string? AppToken { get; set; }

    /// <summary>HTTP mode: the app's signing secret that verifies inbound requests.</summary>
    public string? SigningSecret { get; set; }

    public Uri ApiBaseUrl { get; set; } = new("https://slack.com/api/");

    /// <summary>User ids allowed <c>/drill schedule</c> besides workspace admins and owners.</summary>
    public IList<string> Admins { get; set; } = [];

    /// <summary>HTTP mode: where the Kestrel endpoints listen.</summary>
    public string HttpUrl { get; set; } = "http://0.0.0.0:3000";

    /// <summary>Socket Mode connections kept open at once (Slack allows up to 10).</summary>
    public int Connections { get; set; } = 2;

    /// <summary>Delay between starting the Socket Mode connections, so recycles do not coincide.</summary>
    public TimeSpan ConnectionStagger { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>WebSocket PING interval for dead-peer detection.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a PING may go unanswered before the socket counts as dead.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubles per failure up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a slash command's reply may take to ride on the ack; later replies go by <c>response_url</c>.
    /// Short by default so the ack itself is always prompt (p99 under 50 ms in bench/ChatBot.Slack.Bench).
    /// </summary>
    public TimeSpan CommandAckBudget { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>How long the caller's <c>users.info</c> may take before a click is handled without it.</summary>
    public TimeSpan UserLookupBudget { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long <c>users.info</c> answers are kept.</summary>
    public TimeSpan UserCacheDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Timeout of one Web API attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts for a Web API call that fails transiently (5xx, timeouts, 429).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>How long a replaced socket may keep draining before it is closed.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool SocketMode => !string.IsNullOrWhiteSpace(AppToken);
}

/// <summary>Validates <see cref="SlackOptions"/> at start; every message names the offending key.</summary>
public sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BotToken))
        {
            failures.Add("Slack:BotToken is required (a bot token starting with xoxb-)");
        }
        else if (!options.BotToken.StartsWith("xoxb-", StringComparison.Ordinal))
        {
            failures.Add("Slack:BotToken must start with xoxb-");
        }

        if (!string.IsNullOrWhiteSpace(options.AppToken) && !options.AppToken.StartsWith("xapp-", StringComparison.Ordinal))
        {
            failures.Add("Slack:AppToken must start with xapp-");
        }

        if (string.IsNullOrWhiteSpace(options.AppToken) && string.IsNullOrWhiteSpace(options.SigningSecret))
        {
            failures.Add("Slack:AppToken (Socket Mode) or Slack:SigningSecret (HTTP mode) must be set");
        }

        if (options.ApiBaseUrl is null || !options.ApiBaseUrl.IsAbsoluteUri
            || (options.ApiBaseUrl.Scheme != Uri.UriSchemeHttps && options.ApiBaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("Slack:ApiBaseUrl must be an absolute http(s) URL");
        }

        if (!string.IsNullOrWhiteSpace(options.SigningSecret) && string.IsNullOrWhiteSpace(options.AppToken)
            && !Uri.TryCreate(options.HttpUrl, UriKind.Absolute, out _))
        {
            failures.Add("Slack:HttpUrl must be an absolute URL such as http://0.0.0.0:3000");
        }

        if (options.Admins.FirstOrDefault(id => !IsUserId(id)) is { } notAnId)
        {
            failures.Add($"Slack:Admins must list Slack user ids like U012AB3CD (was '{notAnId}')");
        }

        if (options.Connections is < 1 or > 10)
        {
            failures.Add("Slack:Connections must be between 1 and 10");
        }

        if (options.MaxAttempts is < 1 or > 10)
        {
            failures.Add("Slack:MaxAttempts must be between 1 and 10");
        }

        Positive(options.KeepAliveInterval, "KeepAliveInterval");
        Positive(options.KeepAliveTimeout, "KeepAliveTimeout");
        Positive(options.ReconnectInitialDelay, "ReconnectInitialDelay");
        Positive(options.ReconnectMaxDelay, "ReconnectMaxDelay");
        Positive(options.RequestTimeout, "RequestTimeout");
        Positive(options.UserCacheDuration, "UserCacheDuration");
        Positive(options.DrainTimeout, "DrainTimeout");
        if (options.ConnectionStagger < TimeSpan.Zero)
        {
            failures.Add("Slack:ConnectionStagger must not be negative");
        }

        if (options.CommandAckBudget < TimeSpan.Zero || options.CommandAckBudget > TimeSpan.FromMilliseconds(2500))
        {
            failures.Add("Slack:CommandAckBudget must be between 0 and 00:00:02.5 (Slack wants the ack within 3 s)");
        }

        if (options.UserLookupBudget <= TimeSpan.Zero || options.UserLookupBudget > TimeSpan.FromSeconds(2))
        {
            failures.Add("Slack:UserLookupBudget must be positive and at most 00:00:02");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        static bool IsUserId(string id) =>
            id.Length is >= 2 and <= 32 && id[0] is 'U' or 'W' && id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"Slack:{key} must be positive");
            }
        }
    }
}
