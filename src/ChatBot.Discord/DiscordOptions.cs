using System.Globalization;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord;

/// <summary>The <c>Discord</c> configuration section.</summary>
public sealed class DiscordOptions
{
    public const string SectionName = "Discord";

    /// <summary>The bot token. Secret: never logged.</summary>
    public string? BotToken { get; set; }

    /// <summary>The application id; when empty it comes from <c>GET applications/@me</c>.</summary>
    public string? ApplicationId { get; set; }

    /// <summary>HTTP interactions mode: the application's Ed25519 public key (64 hex characters).</summary>
    public string? PublicKey { get; set; }

    public Uri ApiBaseUrl { get; set; } = new("https://discord.com/api/v10/");

    /// <summary>Overrides the URL from <c>GET gateway/bot</c>.</summary>
    public Uri? GatewayUrl { get; set; }

    /// <summary>When set, <c>/drill</c> is registered per guild (instant) instead of globally.</summary>
    public List<string> GuildIds { get; set; } = [];

    /// <summary>Where the HTTP interactions endpoint listens (only when <see cref="PublicKey"/> is set).</summary>
    public Uri HttpUrl { get; set; } = new("http://0.0.0.0:3001");

    /// <summary>The path of the HTTP interactions endpoint; the portal's "Interactions Endpoint URL" ends with it.</summary>
    public string HttpPath { get; set; } = "/discord/interactions";

    /// <summary>Gateway intents. Interactions need none; 0 keeps the connection quiet.</summary>
    public int Intents { get; set; }

    /// <summary>Whether to register <c>/drill</c> at start (bulk overwrite, only when the definition changed).</summary>
    public bool RegisterCommands { get; set; } = true;

    /// <summary>First reconnect delay; doubled per failed attempt up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Pause before identifying again after an invalid session (Discord suggests 1–5 s).</summary>
    public TimeSpan InvalidSessionDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a Done click may take before the button is acknowledged with a deferral instead.</summary>
    public TimeSpan ClickDeferAfter { get; set; } = TimeSpan.FromMilliseconds(2500);

    /// <summary>
    /// How long a slash command's reply may take to be sent as the initial response itself (type 4, one HTTP
    /// call); a reply not ready by then is acknowledged with a deferral (type 5) and follows as an edit.
    /// 0 to 2.5 s (Discord wants the initial response within 3 s); zero always defers.
    /// </summary>
    public TimeSpan CommandAckBudget { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>
    /// Total Gateway shards of the bot: a whole number (default 1), or <c>auto</c> for the <c>shards</c> that
    /// <c>GET gateway/bot</c> recommends. Every instance must use the same count.
    /// </summary>
    public string ShardCount { get; set; } = "1";

    /// <summary>
    /// The shard ids this instance runs (each in [0, ShardCount)); empty = all of them, or with a shared database
    /// (<c>Storage:Provider</c> Postgres) a fair share claimed through shard leases. Also <c>Discord__ShardIds=0,2</c>.
    /// </summary>
    public List<string> ShardIds { get; set; } = [];

    internal bool HasPublicKey => !string.IsNullOrWhiteSpace(PublicKey);

    /// <summary><see cref="ShardCount"/> as a number, or null for <c>auto</c> (or when invalid; see the validator).</summary>
    internal int? FixedShardCount =>
        int.TryParse(ShardCount, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 ? count : null;

    /// <summary><see cref="ShardIds"/> as numbers (the valid ones; the validator rejects the rest at start).</summary>
    internal IReadOnlyList<int> ParsedShardIds =>
        [.. ShardIds.Select(id => int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1).Where(id => id >= 0).Distinct().Order()];

    /// <summary>Checks every key; failure messages name the key, never the secret's value.</summary>
    public sealed class Validator : IValidateOptions<DiscordOptions>
    {
        public ValidateOptionsResult Validate(string? name, DiscordOptions options)
        {
            var failures = new List<string>();
            if (string.IsNullOrWhiteSpace(options.BotToken))
            {
                failures.Add("Discord:BotToken is required");
            }
            else if (options.BotToken.Any(char.IsWhiteSpace) || options.BotToken.StartsWith("Bot ", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add("Discord:BotToken must be the bare token (no spaces, no \"Bot \" prefix)");
            }

            if (!string.IsNullOrWhiteSpace(options.ApplicationId) && !IsSnowflake(options.ApplicationId))
            {
                failures.Add("Discord:ApplicationId must be a numeric snowflake id");
            }

            if (options.HasPublicKey && (options.PublicKey!.Length != 64 || !options.PublicKey.All(char.IsAsciiHexDigit)))
            {
                failures.Add("Discord:PublicKey must be 64 hexadecimal characters (the application's public key)");
            }

            if (options.ApiBaseUrl is null || !options.ApiBaseUrl.IsAbsoluteUri
                || options.ApiBaseUrl.Scheme is not ("https" or "http") || !options.ApiBaseUrl.AbsolutePath.EndsWith('/'))
            {
                failures.Add("Discord:ApiBaseUrl must be an absolute http(s) URL ending with '/'");
            }

            if (options.GatewayUrl is not null && (!options.GatewayUrl.IsAbsoluteUri || options.GatewayUrl.Scheme is not ("wss" or "ws")))
            {
                failures.Add("Discord:GatewayUrl must be an absolute wss:// URL");
            }

            for (var i = 0; i < options.GuildIds.Count; i++)
            {
                if (!IsSnowflake(options.GuildIds[i]))
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"Discord:GuildIds:{i} must be a numeric guild id"));
                }
            }

            if (options.HttpUrl is null || !options.HttpUrl.IsAbsoluteUri || options.HttpUrl.Scheme is not ("http" or "https"))
            {
                failures.Add("Discord:HttpUrl must be an absolute http(s) URL");
            }

            if (string.IsNullOrWhiteSpace(options.HttpPath) || !options.HttpPath.StartsWith('/'))
            {
                failures.Add("Discord:HttpPath must start with '/'");
            }

            if (options.Intents < 0)
            {
                failures.Add("Discord:Intents must not be negative");
            }

            if (options.ReconnectBaseDelay < TimeSpan.Zero || options.ReconnectMaxDelay < options.ReconnectBaseDelay)
            {
                failures.Add("Discord:ReconnectBaseDelay must be >= 0 and not above Discord:ReconnectMaxDelay");
            }

            if (options.InvalidSessionDelay < TimeSpan.Zero)
            {
                failures.Add("Discord:InvalidSessionDelay must not be negative");
            }

            if (options.ClickDeferAfter <= TimeSpan.Zero || options.ClickDeferAfter > TimeSpan.FromSeconds(2.8))
            {
                failures.Add("Discord:ClickDeferAfter must be between 0 and 2.8 seconds (Discord allows 3 s)");
            }

            var auto = string.Equals(options.ShardCount, "auto", StringComparison.OrdinalIgnoreCase);
            if (!auto && options.FixedShardCount is null)
            {
                failures.Add("Discord:ShardCount must be a whole number of at least 1, or 'auto'");
            }

            for (var i = 0; i < options.ShardIds.Count; i++)
            {
                if (!int.TryParse(options.ShardIds[i], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"Discord:ShardIds:{i} must be a shard id (a whole number from 0)"));
                }
                else if (options.FixedShardCount is { } count && id >= count)
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"Discord:ShardIds:{i} is {id}, outside [0, {count}) of Discord:ShardCount"));
                }
            }

            if (options.ShardIds.Count != options.ShardIds.Distinct(StringComparer.Ordinal).Count())
            {
                failures.Add("Discord:ShardIds must not name a shard twice");
            }

            if (options.CommandAckBudget < TimeSpan.Zero || options.CommandAckBudget > TimeSpan.FromMilliseconds(2500))
            {
                failures.Add("Discord:CommandAckBudget must be between 0 and 00:00:02.5 (Discord wants the initial response within 3 s)");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        private static bool IsSnowflake(string value) =>
            value.Length is > 0 and <= 20 && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
