using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord.Rest;

/// <summary>What <c>GET gateway/bot</c> says about connecting: the URL, the session start limit, and <c>shards</c> (the recommended shard count).</summary>
public sealed record GatewayInfo(Uri Url, int MaxConcurrency, int RemainingSessionStarts = 1000, TimeSpan ResetAfter = default, int Shards = 1);

/// <summary>
/// Discord's REST API v10 over one <see cref="HttpClient"/>: bot authorization, the mandatory User-Agent,
/// rate-limit buckets learned from headers, 429 and global limits honoured, 5xx and network faults retried
/// with backoff and jitter, and a rejected bot token (401 outside the interaction-token routes) reported as fatal. Log lines and exception messages
/// carry route templates only, never the bot token or an interaction token.
/// </summary>
public sealed partial class DiscordRestClient
{
    private const int MaxAttempts = 5;
    /// <summary>The <c>payload_json</c> of an upload whose message has no payload of its own.</summary>
    private static readonly byte[] EmptyJsonObject = "{}"u8.ToArray();

    private readonly HttpClient _http;
    private readonly IFatalErrorReporter _fatal;
    private readonly ILogger<DiscordRestClient> _logger;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly RateLimitBuckets _buckets;
    private int _fatalReported;
    private readonly Lock _begunGate = new();
    private (Task<GatewayInfo> Answer, DateTimeOffset At)? _begunGatewayBot;

    public DiscordRestClient(
        HttpClient http,
        IOptions<DiscordOptions> options,
        IFatalErrorReporter fatal,
        ILogger<DiscordRestClient> logger,
        TimeProvider? time = null,
        Random? random = null)
    {
        _http = http;
        _fatal = fatal;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared;
        _buckets = new RateLimitBuckets(_time);

        var settings = options.Value;
        _http.BaseAddress = settings.ApiBaseUrl;
        // Both as raw strings: HttpClient copies its default headers into every request, and a typed value
        // (AuthenticationHeaderValue) is copied under a lock on the shared header, which 200 interactions replying at
        // once contended for (CPU samples of the peers bench). The options validator rejects a token with whitespace.
        // Removed first, so a value the given client already had is replaced rather than joined by a second one.
        _http.DefaultRequestHeaders.Remove("Authorization");
        _http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bot " + settings.BotToken);
        _http.DefaultRequestHeaders.Remove("User-Agent");
        _http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", UserAgent);
    }

    /// <summary>Discord's required form: <c>DiscordBot ($url, $versionNumber)</c>.</summary>
    public static string UserAgent { get; } =
        $"DiscordBot (https://github.com/chatbot-breaks/chatbot, {typeof(DiscordRestClient).Assembly.GetName().Version?.ToString(3) ?? "1.0.0"})";

    internal int BucketCount => _buckets.Count;

    /// <summary>
    /// How long an answer begun by <see cref="BeginGatewayBot"/> may be taken (30 s): a start's first connect takes
    /// it within a second or two; a shard that starts later (a standby instance winning a lease) asks again, as its
    /// session start limit may have changed since.
    /// </summary>
    public static readonly TimeSpan BegunGatewayBotLifetime = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Begins <c>GET gateway/bot</c> on the thread pool for the next <see cref="GetGatewayBotAsync"/> call to take
    /// (the host begins it during its start checks: <see cref="Gateway.GatewayBotPrefetch"/>). Returns at once, never
    /// throws; does nothing while a begun request is untaken.
    /// </summary>
    public void BeginGatewayBot(CancellationToken cancellationToken)
    {
        lock (_begunGate)
        {
            if (_begunGatewayBot is not null)
            {
                return;
            }

            var answer = Task.Run(() => FetchGatewayBotAsync(cancellationToken), CancellationToken.None);
            // Taken or not, its failure is seen (a refused token is reported by SendAsync itself).
            _ = answer.ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            _begunGatewayBot = (answer, _time.GetUtcNow());
        }
    }

    /// <summary>
    /// <c>GET gateway/bot</c>: the URL to connect to, the session start limit and the recommended shard count. The
    /// first call within <see cref="BegunGatewayBotLifetime"/> of <see cref="BeginGatewayBot"/> takes that request's
    /// answer (or its error); others ask Discord.
    /// </summary>
    /// <exception cref="DiscordApiException">Discord refused or failed the request (a 401 is also reported as fatal).</exception>
    public Task<GatewayInfo> GetGatewayBotAsync(CancellationToken cancellationToken)
    {
        (Task<GatewayInfo> Answer, DateTimeOffset At)? begun;
        lock (_begunGate)
        {
            begun = _begunGatewayBot;
            _begunGatewayBot = null;
        }

        return begun is { } taken && _time.GetUtcNow() - taken.At < BegunGatewayBotLifetime
            ? taken.Answer.WaitAsync(cancellationToken)
            : FetchGatewayBotAsync(cancellationToken);
    }

    private async Task<GatewayInfo> FetchGatewayBotAsync(CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, "gateway/bot", "GET gateway/bot", string.Empty, null, false, cancellationToken);
        var url = body.GetProperty("url").GetString() ?? throw new DiscordApiException("gateway/bot returned no url", null, null, false);
        var maxConcurrency = 1;
        var remaining = 1000;
        var resetAfter = TimeSpan.Zero;
        if (body.TryGetProperty("session_start_limit", out var limit) && limit.ValueKind == JsonValueKind.Object)
        {
            if (limit.TryGetProperty("max_concurrency", out var concurrency) && concurrency.TryGetInt32(out var value) && value > 0)
            {
                maxConcurrency = value;
            }

            if (limit.TryGetProperty("remaining", out var left) && left.TryGetInt32(out var leftValue))
            {
                remaining = leftValue;
            }

            if (limit.TryGetProperty("reset_after", out var reset) && reset.TryGetDouble(out var resetMs) && resetMs > 0)
            {
                resetAfter = TimeSpan.FromMilliseconds(Math.Min(resetMs, TimeSpan.FromDays(1).TotalMilliseconds));
            }
        }

        var shards = body.TryGetProperty("shards", out var recommended) && recommended.TryGetInt32(out var count) && count > 0 ? count : 1;
        return new GatewayInfo(new Uri(url), maxConcurrency, remaining, resetAfter, shards);
    }

    /// <summary><c>GET applications/@me</c>: the application id and its public key.</summary>
    public async Task<(string Id, string? VerifyKey)> GetCurrentApplicationAsync(CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, "applications/@me", "GET applications/@me", string.Empty, null, false, cancellationToken);
        return (body.GetProperty("id").GetString()!, body.TryGetProperty("verify_key", out var key) ? key.GetString() : null);
    }

    /// <summary>
    /// <c>POST channels/{id}/messages</c>. With a nonce, <c>enforce_nonce</c> makes a retried post return the
    /// message created the first time instead of a second one. With a <paramref name="file"/> the request is
    /// <c>multipart/form-data</c>: <c>payload_json</c> declaring the attachment, and the bytes as <c>files[0]</c>.
    /// </summary>
    public async Task<string> CreateMessageAsync(
        string channelId, JsonObject payload, string? idempotencyKey, CancellationToken cancellationToken, MessageFile? file = null)
    {
        if (idempotencyKey is not null)
        {
            payload["nonce"] = ToNonce(idempotencyKey);
            payload["enforce_nonce"] = true;
        }

        var body = await SendAsync(
            HttpMethod.Post, $"channels/{channelId}/messages", "POST channels/{c}/messages", channelId, payload, false, cancellationToken, file);
        return body.GetProperty("id").GetString()!;
    }

    /// <summary><c>GET channels/{id}</c>: the channel's name (null for channels without one, such as DMs).</summary>
    public async Task<string?> GetChannelNameAsync(string channelId, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, $"channels/{channelId}", "GET channels/{c}", channelId, null, false, cancellationToken);
        return body.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
    }

    /// <summary>
    /// Starts a public thread on a message. The thread id equals the message id; a thread that exists already
    /// (160004) counts as started.
    /// </summary>
    public async Task<string> StartThreadFromMessageAsync(string channelId, string messageId, string name, CancellationToken cancellationToken)
    {
        var payload = new JsonObject
        {
            ["name"] = TrimTo(string.IsNullOrWhiteSpace(name) ? "Break" : name, 100),
            ["auto_archive_duration"] = 60,
        };
        try
        {
            await SendAsync(
                HttpMethod.Post,
                $"channels/{channelId}/messages/{messageId}/threads",
                "POST channels/{c}/messages/{m}/threads",
                channelId,
                payload,
                false,
                cancellationToken);
        }
        catch (DiscordApiException ex) when (ex.Code == DiscordErrorCodes.ThreadAlreadyCreated)
        {
            LogThreadExists(_logger, messageId);
        }

        return messageId;
    }

    /// <summary>
    /// <c>POST users/@me/channels</c> with <c>recipient_id</c>: opens (or returns the existing) DM channel with a user.
    /// Returns the channel id.
    /// </summary>
    public async Task<string> CreateDmChannelAsync(string userId, CancellationToken cancellationToken)
    {
        var body = await SendAsync(
            HttpMethod.Post, "users/@me/channels", "POST users/@me/channels", "@me", new JsonObject { ["recipient_id"] = userId }, false, cancellationToken);
        return body.GetProperty("id").GetString()!;
    }

    public Task EditMessageAsync(string channelId, string messageId, JsonObject payload, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Patch, $"channels/{channelId}/messages/{messageId}", "PATCH channels/{c}/messages/{m}", channelId, payload, false, cancellationToken);

    /// <summary>
    /// The initial response to an interaction: exempt from the global limit and sent at once, in no shared
    /// bucket (each interaction answers once; a 429 is still honoured on its retry).
    /// </summary>
    /// <exception cref="DiscordApiException">Discord refused the response (10062 or 401: the interaction expired
    /// or is unknown; 40060: already acknowledged) or it failed after the retries.</exception>
    public Task CreateInteractionResponseAsync(string interactionId, string token, JsonObject payload, CancellationToken cancellationToken) =>
        CreateInteractionResponseAsync(interactionId, token, Utf8Json.Serialize(payload), cancellationToken);

    /// <summary>
    /// <see cref="CreateInteractionResponseAsync(string, string, JsonObject, CancellationToken)"/> with the body
    /// already serialized: <paramref name="json"/> (UTF-8 JSON) is sent as is, on every attempt, and never written
    /// to, so a constant reply's body can be serialized once and shared by every interaction.
    /// </summary>
    /// <exception cref="DiscordApiException">As the other overload.</exception>
    public Task CreateInteractionResponseAsync(string interactionId, string token, byte[] json, CancellationToken cancellationToken) =>
        SendJsonAsync(
            HttpMethod.Post,
            $"interactions/{interactionId}/{token}/callback",
            "POST interactions/{i}/{t}/callback",
            null,
            json,
            true,
            cancellationToken);

    public Task EditOriginalResponseAsync(string applicationId, string token, JsonObject payload, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Patch,
            $"webhooks/{applicationId}/{token}/messages/@original",
            "PATCH webhooks/{a}/{t}/messages/@original",
            applicationId + "/" + Hash(token),
            payload,
            true,
            cancellationToken);

    public Task DeleteOriginalResponseAsync(string applicationId, string token, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Delete,
            $"webhooks/{applicationId}/{token}/messages/@original",
            "DELETE webhooks/{a}/{t}/messages/@original",
            applicationId + "/" + Hash(token),
            null,
            true,
            cancellationToken);

    /// <summary>A follow-up message to an interaction; with a <paramref name="file"/>, multipart like <see cref="CreateMessageAsync"/>.</summary>
    public Task CreateFollowupAsync(string applicationId, string token, JsonObject payload, CancellationToken cancellationToken, MessageFile? file = null) =>
        SendAsync(
            HttpMethod.Post,
            $"webhooks/{applicationId}/{token}",
            "POST webhooks/{a}/{t}",
            applicationId + "/" + Hash(token),
            payload,
            true,
            cancellationToken,
            file);

    public Task<JsonElement> GetCommandsAsync(string applicationId, string? guildId, CancellationToken cancellationToken) =>
        guildId is null
            ? SendAsync(HttpMethod.Get, $"applications/{applicationId}/commands", "GET applications/{a}/commands", applicationId, null, false, cancellationToken)
            : SendAsync(
                HttpMethod.Get,
                $"applications/{applicationId}/guilds/{guildId}/commands",
                "GET applications/{a}/guilds/{g}/commands",
                guildId,
                null,
                false,
                cancellationToken);

    public Task<JsonElement> BulkOverwriteCommandsAsync(string applicationId, string? guildId, JsonArray commands, CancellationToken cancellationToken) =>
        guildId is null
            ? SendAsync(HttpMethod.Put, $"applications/{applicationId}/commands", "PUT applications/{a}/commands", applicationId, commands, false, cancellationToken)
            : SendAsync(
                HttpMethod.Put,
                $"applications/{applicationId}/guilds/{guildId}/commands",
                "PUT applications/{a}/guilds/{g}/commands",
                guildId,
                commands,
                false,
                cancellationToken);

    /// <summary>Discord nonces are at most 25 characters: longer keys are hashed to a stable 25-character form.</summary>
    public static string ToNonce(string idempotencyKey)
    {
        if (idempotencyKey.Length <= 25)
        {
            return idempotencyKey;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        return Convert.ToHexStringLower(digest)[..25];
    }

    /// <summary>
    /// Sends one request through its rate-limit bucket (<paramref name="majorId"/> is the top-level resource;
    /// null: a bucket of its own), retrying 429s (after the announced wait), 5xx and network faults (backoff with
    /// jitter). Returns the JSON body, or an undefined element for 204.
    /// </summary>
    internal Task<JsonElement> SendAsync(
        HttpMethod method,
        string path,
        string routeKey,
        string? majorId,
        JsonNode? payload,
        bool exemptFromGlobal,
        CancellationToken cancellationToken,
        MessageFile? file = null)
    {
        if (file is not null && payload is JsonObject withFile)
        {
            withFile["attachments"] = new JsonArray(new JsonObject
            {
                ["id"] = 0,
                ["filename"] = file.FileName,
                ["description"] = TrimTo(file.AltText, MaxAttachmentDescription),
            });
        }

        var json = payload is null ? null : Utf8Json.Serialize(payload);
        return SendJsonAsync(method, path, routeKey, majorId, json, exemptFromGlobal, cancellationToken, file);
    }

    /// <summary><see cref="SendAsync"/> with the JSON body already serialized (UTF-8; null: no body).</summary>
    private async Task<JsonElement> SendJsonAsync(
        HttpMethod method,
        string path,
        string routeKey,
        string? majorId,
        byte[]? json,
        bool exemptFromGlobal,
        CancellationToken cancellationToken,
        MessageFile? file = null)
    {
        using var activity = ChatBotTelemetry.Discord.StartActivity("discord " + routeKey, ActivityKind.Client);
        var bucket = majorId is null ? RateLimitBuckets.Unshared() : _buckets.Acquire(routeKey, majorId);
        try
        {
            if (bucket.Gate is { } gate)
            {
                await gate.WaitAsync(cancellationToken);
            }
        }
        catch
        {
            _buckets.Release(bucket);
            throw;
        }

        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var wait = _buckets.DelayFor(bucket, exemptFromGlobal);
                if (wait > TimeSpan.Zero)
                {
                    LogWaiting(_logger, routeKey, wait.TotalMilliseconds);
                    ChatBotTelemetry.RateLimitWaited(ChatPlatform.Discord, routeKey, wait);
                    await Task.Delay(wait, _time, cancellationToken);
                }

                _buckets.ConsumeReset(bucket);

                using var request = new HttpRequestMessage(method, path);
                if (file is not null)
                {
                    request.Content = Multipart(json ?? EmptyJsonObject, file);
                }
                else if (json is not null)
                {
                    request.Content = Utf8Json.Content(json);
                }

                HttpResponseMessage response;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                }
                catch (HttpRequestException ex) when (attempt < MaxAttempts)
                {
                    var backoff = Backoff(attempt);
                    LogTransient(_logger, ex.GetType().Name, routeKey, attempt, backoff.TotalMilliseconds);
                    await Task.Delay(backoff, _time, cancellationToken);
                    continue;
                }
                catch (HttpRequestException ex)
                {
                    throw new DiscordApiException($"Discord {routeKey} failed after {attempt} attempts: {ex.Message}", null, null, false, ex);
                }
                catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // HttpClient.Timeout elapsed: transient.
                    if (attempt >= MaxAttempts)
                    {
                        throw new DiscordApiException($"Discord {routeKey} timed out after {attempt} attempts", null, null, false, ex);
                    }

                    await Task.Delay(Backoff(attempt), _time, cancellationToken);
                    continue;
                }

                using (response)
                {
                    _buckets.Update(routeKey, majorId ?? string.Empty, bucket, response.Headers);
                    var text = await response.Content.ReadAsStringAsync(cancellationToken);
                    var status = response.StatusCode;

                    if (status == HttpStatusCode.TooManyRequests)
                    {
                        var (retryAfter, global) = ReadRetryAfter(response, text);
                        if (global)
                        {
                            _buckets.SetGlobalReset(retryAfter);
                        }
                        else
                        {
                            bucket.Remaining = 0;
                            bucket.ResetAt = _time.GetUtcNow() + retryAfter;
                        }

                        LogRateLimited(_logger, routeKey, retryAfter.TotalMilliseconds, global, attempt);
                        if (attempt >= MaxAttempts)
                        {
                            throw new DiscordApiException($"Discord {routeKey} still rate limited after {attempt} attempts", status, null, false);
                        }

                        continue;
                    }

                    if ((int)status >= 500)
                    {
                        if (attempt >= MaxAttempts)
                        {
                            throw new DiscordApiException($"Discord {routeKey} answered {(int)status} {attempt} times", status, null, false);
                        }

                        var backoff = Backoff(attempt);
                        LogTransient(_logger, "HTTP " + ((int)status).ToString(CultureInfo.InvariantCulture), routeKey, attempt, backoff.TotalMilliseconds);
                        await Task.Delay(backoff, _time, cancellationToken);
                        continue;
                    }

                    if (status == HttpStatusCode.Unauthorized && IsInteractionTokenRoute(path))
                    {
                        // These routes are authorised by the interaction token in the URL, not the bot token:
                        // a 401 means that one interaction's token expired (15 min) or is unknown.
                        throw new DiscordApiException(
                            $"Discord {routeKey} answered 401 Unauthorized: the interaction token is no longer valid", status, null, true);
                    }

                    if (status == HttpStatusCode.Unauthorized)
                    {
                        if (Interlocked.Exchange(ref _fatalReported, 1) == 0)
                        {
                            _fatal.ReportFatal("Discord REST", "Discord rejected the bot token (401 Unauthorized); check Discord:BotToken");
                        }

                        throw new DiscordApiException($"Discord {routeKey} answered 401 Unauthorized: the bot token was rejected", status, null, true) { IsFatal = true };
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        var (code, message) = ReadError(text);
                        throw new DiscordApiException(
                            $"Discord {routeKey} answered {(int)status}: {message} (code {code?.ToString(CultureInfo.InvariantCulture) ?? "none"})",
                            status,
                            code,
                            true);
                    }

                    if (string.IsNullOrWhiteSpace(text))
                    {
                        return default;
                    }

                    using var document = JsonDocument.Parse(text);
                    return document.RootElement.Clone();
                }
            }
        }
        finally
        {
            bucket.Gate?.Release();
            _buckets.Release(bucket);
        }
    }

    /// <summary>
    /// Interaction callbacks and interaction webhooks (<c>interactions/{id}/{token}/callback</c>,
    /// <c>webhooks/{application}/{token}/…</c>) are authorised by the interaction token in the path.
    /// </summary>
    private static bool IsInteractionTokenRoute(string path) =>
        path.StartsWith("interactions/", StringComparison.Ordinal) || path.StartsWith("webhooks/", StringComparison.Ordinal);

    private TimeSpan Backoff(int attempt) =>
        Core.Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(8), _random);

    private static (TimeSpan RetryAfter, bool Global) ReadRetryAfter(HttpResponseMessage response, string body)
    {
        double? seconds = null;
        var global = response.Headers.TryGetValues("X-RateLimit-Global", out var globalValues)
            && string.Equals(globalValues.FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("retry_after", out var retry) && retry.TryGetDouble(out var value))
            {
                seconds = value;
            }

            if (document.RootElement.TryGetProperty("global", out var globalFlag) && globalFlag.ValueKind == JsonValueKind.True)
            {
                global = true;
            }
        }
        catch (JsonException)
        {
            // A proxy's 429 may have no JSON body: the Retry-After header is the fallback.
        }

        if (seconds is null && response.Headers.RetryAfter?.Delta is { } delta)
        {
            seconds = delta.TotalSeconds;
        }

        if (seconds is null && response.Headers.TryGetValues("Retry-After", out var retryValues)
            && double.TryParse(retryValues.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var headerSeconds))
        {
            seconds = headerSeconds;
        }

        return (TimeSpan.FromSeconds(Math.Clamp(seconds ?? 1, 0, 3600)), global);
    }

    private static (int? Code, string Message) ReadError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            int? code = root.TryGetProperty("code", out var c) && c.TryGetInt32(out var value) ? value : null;
            var message = root.TryGetProperty("message", out var m) ? m.GetString() ?? "error" : "error";
            return (code, message);
        }
        catch (JsonException)
        {
            return (null, "unreadable error body");
        }
    }

    /// <summary>Discord's limit on an attachment's description (its alt text).</summary>
    private const int MaxAttachmentDescription = 1024;

    /// <summary>
    /// Discord's upload form: <c>payload_json</c> (the message, its <c>attachments</c> declaring id 0) and the
    /// file as <c>files[0]</c> with its name and type. Built per attempt: a sent content cannot be sent again.
    /// </summary>
    private static MultipartFormDataContent Multipart(byte[] json, MessageFile file)
    {
        var form = new MultipartFormDataContent();
        form.Add(Utf8Json.Content(json), "payload_json");
        var bytes = new ReadOnlyMemoryContent(file.Content);
        bytes.Headers.ContentType = new MediaTypeHeaderValue(file.ContentType);
        form.Add(bytes, "files[0]", file.FileName);
        return form;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];

    private static string TrimTo(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    [LoggerMessage(EventId = 2100, Level = LogLevel.Debug, Message = "Discord {Route}: waiting {WaitMs} ms for the rate limit")]
    private static partial void LogWaiting(ILogger logger, string route, double waitMs);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Discord {Route}: rate limited for {RetryAfterMs} ms (global: {Global}), attempt {Attempt}")]
    private static partial void LogRateLimited(ILogger logger, string route, double retryAfterMs, bool global, int attempt);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Discord {Route}: {Fault} on attempt {Attempt}, retrying in {BackoffMs} ms")]
    private static partial void LogTransient(ILogger logger, string fault, string route, int attempt, double backoffMs);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "Discord thread on message {MessageId} exists already")]
    private static partial void LogThreadExists(ILogger logger, string messageId);
}
