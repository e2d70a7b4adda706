using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Slack;

/// <summary>Who the bot is, from <c>auth.test</c>.</summary>
public sealed record SlackAuthInfo(string TeamId, string Team, string UserId, string User);

/// <summary>What <c>users.info</c> says about a person.</summary>
public sealed record SlackUserInfo(string Id, string DisplayName, string? TimeZoneId, bool IsAdmin, bool IsOwner);

/// <summary>
/// Slack's Web API over <see cref="HttpClient"/>: JSON POSTs with the bot token, <c>ok:false</c> mapped to
/// <see cref="SlackApiException"/>, 429s honoured per method and per channel from <c>Retry-After</c>, at most one
/// <c>chat.postMessage</c> per second per channel (a queue per channel), transient 5xx and timeouts retried
/// with exponential backoff and jitter. All waits go through the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class SlackApiClient : IDisposable
{
    private static readonly TimeSpan PostInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BackoffBase = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan BackoffMax = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);
    private const int MaxUserCacheEntries = 10_000;
    private const int MaxSearchPages = 5;

    private readonly HttpClient http;
    private readonly SlackOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<SlackApiClient> logger;
    private readonly IFatalErrorReporter fatal;
    private readonly ConcurrentDictionary<string, DateTimeOffset> pausedUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ChannelLane> lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (SlackUserInfo User, DateTimeOffset Expires)> users = new(StringComparer.Ordinal);
    private int fatalReported;

    public SlackApiClient(
        IOptions<SlackOptions> options,
        TimeProvider time,
        IFatalErrorReporter fatal,
        ILogger<SlackApiClient> logger,
        HttpMessageHandler? handler = null)
    {
        this.options = options.Value;
        this.time = time;
        this.fatal = fatal;
        this.logger = logger;
        http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 16 })
        {
            BaseAddress = this.options.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? this.options.ApiBaseUrl : new Uri(this.options.ApiBaseUrl.AbsoluteUri + "/"),
            Timeout = Timeout.InfiniteTimeSpan, // per attempt, see RequestTimeout
        };
    }

    /// <summary><c>auth.test</c>: checks the bot token and logs the workspace and bot user.</summary>
    public async Task<SlackAuthInfo> AuthTestAsync(CancellationToken cancellationToken)
    {
        var root = await CallAsync("auth.test", new JsonObject(), cancellationToken);
        var info = new SlackAuthInfo(
            GetString(root, "team_id") ?? "",
            GetString(root, "team") ?? "",
            GetString(root, "user_id") ?? "",
            GetString(root, "user") ?? "");
        LogAuthenticated(logger, info.Team, info.TeamId, info.User, info.UserId);
        return info;
    }

    /// <summary><c>apps.connections.open</c> with the app-level token: a fresh Socket Mode URL (one per connect).</summary>
    public async Task<Uri> OpenSocketModeUrlAsync(CancellationToken cancellationToken)
    {
        var root = await CallAsync("apps.connections.open", null, cancellationToken, useAppToken: true);
        var url = GetString(root, "url");
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "wss" && uri.Scheme != "ws"))
        {
            throw new SlackApiException("apps.connections.open", "invalid_url_in_response", isPermanent: false);
        }

        return uri;
    }

    /// <summary>
    /// <c>chat.postMessage</c> through the channel's queue (at most one per second). Joins a public channel
    /// and retries once on <c>not_in_channel</c>. Returns the message <c>ts</c>.
    /// </summary>
    public Task<string> PostMessageAsync(string channel, SlackMessage message, string? threadTs, CancellationToken cancellationToken) =>
        PostMessageAsync(channel, message, threadTs, tag: null, resend: false, cancellationToken);

    /// <summary>
    /// <c>chat.postMessage</c> as above; with a <paramref name="tag"/> the post is exactly-once. The message carries
    /// the tag as message <c>metadata</c>, and whenever the outcome of an earlier attempt is unknown (a timeout, a
    /// dropped connection or a 5xx here, or <paramref name="resend"/> from the caller after a crash) the conversation
    /// is searched for the tagged message (<c>conversations.history</c>, or <c>conversations.replies</c> in a thread,
    /// with <c>include_all_metadata</c>) and its <c>ts</c> adopted instead of posting again. The search needs the
    /// <c>channels:history</c>/<c>groups:history</c>/<c>im:history</c>/<c>mpim:history</c> scopes; without them it
    /// logs a warning and posts (a duplicate is then possible).
    /// </summary>
    /// <exception cref="SlackApiException">Slack refused the post (permanent, with a <see cref="ChatPlatformException.Refusal"/>) or kept failing.</exception>
    public async Task<string> PostMessageAsync(
        string channel, SlackMessage message, string? threadTs, SlackPostTag? tag, bool resend, CancellationToken cancellationToken)
    {
        var body = message.WriteTo(new JsonObject { ["channel"] = channel, ["unfurl_links"] = false, ["unfurl_media"] = false });
        if (threadTs is not null)
        {
            body["thread_ts"] = threadTs;
        }

        Func<CancellationToken, Task<string?>>? findEarlier = null;
        if (tag is not null)
        {
            body["metadata"] = tag.ToMetadata();
            findEarlier = ct => FindTaggedAsync(channel, threadTs, tag, ct);
        }

        var lane = lanes.GetOrAdd(channel, _ => new ChannelLane());
        await lane.Gate.WaitAsync(cancellationToken);
        try
        {
            if (resend && findEarlier is not null && await findEarlier(cancellationToken) is { } earlier)
            {
                return earlier;
            }

            var wait = lane.LastPostAt + PostInterval - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                ChatBotTelemetry.RateLimitWaited(ChatPlatform.Slack, "chat.postMessage", wait);
                await Task.Delay(wait, time, cancellationToken);
            }

            JsonElement root;
            try
            {
                root = await CallAsync("chat.postMessage", body, cancellationToken, channel: channel, findEarlier: findEarlier);
            }
            catch (SlackApiException ex) when (ex.Error == "not_in_channel")
            {
                await JoinAsync(channel, ex, cancellationToken);
                root = await CallAsync("chat.postMessage", body, cancellationToken, channel: channel, findEarlier: findEarlier);
            }
            finally
            {
                lane.LastPostAt = time.GetUtcNow();
            }

            return GetString(root, "ts") ?? throw new SlackApiException("chat.postMessage", "missing_ts_in_response", isPermanent: false);
        }
        finally
        {
            lane.Gate.Release();
        }
    }

    /// <summary>
    /// <c>chat.postMessage</c> with <c>channel</c> set to a user id: Slack posts it in the app's direct message with
    /// that person (scopes <c>chat:write</c> and <c>im:write</c>). Returns the DM's channel id (<c>D…</c>) and the
    /// message <c>ts</c>. Retries like every call (<see cref="CallAsync"/>); Slack has no nonce, so a retry after a
    /// lost answer may deliver the DM twice.
    /// </summary>
    /// <exception cref="SlackApiException">Slack refused the DM (e.g. <c>cannot_dm_bot</c>, <c>user_disabled</c>) or kept failing.</exception>
    public async Task<(string Channel, string Ts)> PostDirectMessageAsync(string userId, SlackMessage message, CancellationToken cancellationToken)
    {
        var body = message.WriteTo(new JsonObject { ["channel"] = userId, ["unfurl_links"] = false, ["unfurl_media"] = false });
        var root = await CallAsync("chat.postMessage", body, cancellationToken, channel: userId);
        var ts = GetString(root, "ts") ?? throw new SlackApiException("chat.postMessage", "missing_ts_in_response", isPermanent: false);
        return (GetString(root, "channel") ?? userId, ts);
    }

    /// <summary><c>chat.getPermalink</c>: a URL that opens the message (no scope needed), or null when Slack gives none.</summary>
    public async Task<string?> GetPermalinkAsync(string channel, string ts, CancellationToken cancellationToken)
    {
        var root = await CallAsync(
            "chat.getPermalink", null, cancellationToken, query: "channel=" + Uri.EscapeDataString(channel) + "&message_ts=" + Uri.EscapeDataString(ts));
        return NullIfEmpty(GetString(root, "permalink"));
    }

    /// <summary>
    /// The <c>ts</c> of the message carrying <paramref name="tag"/> in the channel (or the thread under
    /// <paramref name="threadTs"/>), or null. Reads at most <see cref="MaxSearchPages"/> pages of 200 messages
    /// posted since the break started.
    /// </summary>
    private async Task<string?> FindTaggedAsync(string channel, string? threadTs, SlackPostTag tag, CancellationToken cancellationToken)
    {
        var method = threadTs is null ? "conversations.history" : "conversations.replies";
        var oldest = (tag.NotBefore - TimeSpan.FromMinutes(1)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + ".000000";
        string? cursor = null;
        try
        {
            for (var page = 0; page < MaxSearchPages; page++)
            {
                var query = "channel=" + Uri.EscapeDataString(channel)
                    + (threadTs is null ? "" : "&ts=" + Uri.EscapeDataString(threadTs))
                    + "&oldest=" + oldest + "&include_all_metadata=true&limit=200"
                    + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
                var root = await CallAsync(method, null, cancellationToken, query: query);
                if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
                {
                    foreach (var candidate in messages.EnumerateArray())
                    {
                        if (tag.IsOn(candidate) && GetString(candidate, "ts") is { } ts)
                        {
                            LogFoundEarlier(logger, tag.BreakId, tag.Step, ts);
                            return ts;
                        }
                    }
                }

                cursor = root.TryGetProperty("response_metadata", out var meta) ? GetString(meta, "next_cursor") : null;
                if (string.IsNullOrEmpty(cursor))
                {
                    return null;
                }
            }
        }
        catch (SlackApiException ex) when (ex.IsPermanent && !ex.IsFatal)
        {
            LogCannotSearch(logger, method, ex.Error);
        }

        return null;
    }

    /// <summary>
    /// Posts <paramref name="message"/> with a file through Slack's upload flow: <c>files.getUploadURLExternal</c>
    /// (name, length in bytes, alt text), the bytes POSTed to the returned upload URL (no token: the URL is the
    /// credential), then <c>files.completeUploadExternal</c> sharing it to the channel with the text as
    /// <c>initial_comment</c>. Each step is retried on its own, so a failed completion never uploads the bytes
    /// again. When Slack refuses the file (uploads disabled, too large, a missing <c>files:write</c> scope) the
    /// text is posted alone with <c>chat.postMessage</c> and a warning says why. Returns the file id, or the
    /// message <c>ts</c> of the text-only fallback.
    /// </summary>
    /// <exception cref="SlackApiException">
    /// The channel refused the post (a <see cref="ChatPlatformException.Refusal"/> other than
    /// <see cref="PostRefusal.Other"/>: e.g. a private channel the bot is not in and can't join), so text alone would
    /// fail too; or Slack kept failing.
    /// </exception>
    public async Task<string> PostWithFileAsync(string channel, SlackMessage message, MessageFile file, string? threadTs, CancellationToken cancellationToken)
    {
        try
        {
            var query = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"filename={Uri.EscapeDataString(file.FileName)}&length={file.Content.Length}&alt_txt={Uri.EscapeDataString(file.AltText)}");
            var ticket = await CallAsync("files.getUploadURLExternal", null, cancellationToken, query: query);
            var uploadUrl = GetString(ticket, "upload_url");
            var fileId = GetString(ticket, "file_id");
            if (fileId is null || !Uri.TryCreate(uploadUrl, UriKind.Absolute, out var target) || (target.Scheme != Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttp))
            {
                throw new SlackApiException("files.getUploadURLExternal", "invalid_upload_url_in_response", isPermanent: false);
            }

            await UploadBytesAsync(target, file, cancellationToken);
            var complete = new JsonObject
            {
                ["files"] = new JsonArray(new JsonObject { ["id"] = fileId, ["title"] = file.FileName }),
                ["channel_id"] = channel,
                ["initial_comment"] = message.Blocks.Count > 0 ? InitialComment(message) : message.Text,
            };
            if (threadTs is not null)
            {
                complete["thread_ts"] = threadTs;
            }

            try
            {
                await CallAsync("files.completeUploadExternal", complete, cancellationToken, channel: channel);
            }
            catch (SlackApiException ex) when (ex.Error == "not_in_channel")
            {
                await JoinAsync(channel, ex, cancellationToken);
                await CallAsync("files.completeUploadExternal", complete, cancellationToken, channel: channel);
            }

            return fileId;
        }
        catch (SlackApiException ex) when (ex.IsPermanent && !ex.IsFatal && ex.Refusal is PostRefusal.Other)
        {
            // Refused for the file (not the channel): the text alone can still go. A channel refusal is thrown.
            LogFileRefused(logger, file.FileName, file.Content.Length, channel, ex.Method, ex.Error);
            return await PostMessageAsync(channel, message, threadTs, cancellationToken);
        }
    }

    /// <summary>
    /// <c>conversations.join</c> after <paramref name="notInChannel"/>. A private channel or someone else's DM can't be
    /// joined: then the post's own refusal is thrown (it says why), or the join's <c>is_archived</c>.
    /// </summary>
    private async Task JoinAsync(string channel, SlackApiException notInChannel, CancellationToken cancellationToken)
    {
        LogJoining(logger, channel);
        try
        {
            await CallAsync("conversations.join", new JsonObject { ["channel"] = channel }, cancellationToken);
        }
        catch (SlackApiException joinFailed) when (joinFailed.IsPermanent)
        {
            throw joinFailed.Error == "is_archived" ? joinFailed : notInChannel;
        }
    }

    /// <summary>The upload's second step: the bytes as a form file. 5xx and transport faults are retried with backoff.</summary>
    private async Task UploadBytesAsync(Uri uploadUrl, MessageFile file, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                using var form = new MultipartFormDataContent();
                var bytes = new ReadOnlyMemoryContent(file.Content);
                bytes.Headers.ContentType = new MediaTypeHeaderValue(file.ContentType);
                form.Add(bytes, "filename", file.FileName);
                using var request = new HttpRequestMessage(HttpMethod.Post, uploadUrl) { Content = form };
                using var response = await http.SendAsync(request, linked.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                failure = "http_" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    throw new SlackApiException("upload", failure, isPermanent: true);
                }
            }
            catch (HttpRequestException ex)
            {
                failure = "http_error";
                LogTransportError(logger, "upload", ex.GetType().Name, ex.HttpRequestError.ToString());
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = "timeout";
            }

            if (attempt >= options.MaxAttempts)
            {
                throw new SlackApiException("upload", failure, isPermanent: false);
            }

            var delay = Backoff(attempt);
            LogRetrying(logger, "upload", failure, attempt, delay.TotalMilliseconds);
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    /// <summary><c>initial_comment</c> is mrkdwn text (no blocks): the message's sections joined.</summary>
    private static string InitialComment(SlackMessage message) =>
        string.Join("\n", message.Blocks.OfType<JsonObject>()
            .Select(b => b["text"]?["text"]?.GetValue<string>())
            .Where(t => !string.IsNullOrEmpty(t)));

    /// <summary><c>chat.update</c>: replaces a message's content (e.g. the prompt's done count).</summary>
    public Task UpdateMessageAsync(string channel, string ts, SlackMessage message, CancellationToken cancellationToken) =>
        CallAsync("chat.update", message.WriteTo(new JsonObject { ["channel"] = channel, ["ts"] = ts }), cancellationToken, channel: channel);

    /// <summary><c>chat.postEphemeral</c>: a message only <paramref name="user"/> sees.</summary>
    public async Task PostEphemeralAsync(string channel, string user, SlackMessage message, string? threadTs, CancellationToken cancellationToken)
    {
        var body = message.WriteTo(new JsonObject { ["channel"] = channel, ["user"] = user });
        if (threadTs is not null)
        {
            body["thread_ts"] = threadTs;
        }

        await CallAsync("chat.postEphemeral", body, cancellationToken, channel: channel);
    }

    /// <summary><c>conversations.info</c>: the channel's name, or null when Slack gives none.</summary>
    public async Task<string?> GetChannelNameAsync(string channel, CancellationToken cancellationToken)
    {
        var root = await CallAsync("conversations.info", null, cancellationToken, query: "channel=" + Uri.EscapeDataString(channel));
        return root.TryGetProperty("channel", out var info) ? NullIfEmpty(GetString(info, "name")) : null;
    }

    /// <summary><c>users.info</c>, cached for <see cref="SlackOptions.UserCacheDuration"/>.</summary>
    public async Task<SlackUserInfo> GetUserAsync(string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (users.TryGetValue(userId, out var cached) && cached.Expires > now)
        {
            return cached.User;
        }

        var root = await CallAsync("users.info", null, cancellationToken, query: "user=" + Uri.EscapeDataString(userId));
        var user = root.GetProperty("user");
        var profile = user.TryGetProperty("profile", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var name = FirstNonEmpty(
            profile.ValueKind == JsonValueKind.Object ? GetString(profile, "display_name") : null,
            profile.ValueKind == JsonValueKind.Object ? GetString(profile, "real_name") : null,
            GetString(user, "real_name"),
            GetString(user, "name"),
            userId);
        var info = new SlackUserInfo(
            userId,
            name,
            NullIfEmpty(GetString(user, "tz")),
            GetBool(user, "is_admin"),
            GetBool(user, "is_owner") || GetBool(user, "is_primary_owner"));

        if (users.Count >= MaxUserCacheEntries)
        {
            foreach (var (key, entry) in users)
            {
                if (entry.Expires <= now)
                {
                    users.TryRemove(key, out _);
                }
            }

            if (users.Count >= MaxUserCacheEntries)
            {
                users.Clear();
            }
        }

        users[userId] = (info, now + options.UserCacheDuration);
        return info;
    }

    /// <summary>
    /// Posts a reply to a slash command or interaction's <c>response_url</c> (no token: the URL is the credential).
    /// Returns false when Slack did not take it, so the caller can fall back to the Web API.
    /// </summary>
    public async Task<bool> RespondAsync(Uri responseUrl, JsonObject payload, CancellationToken cancellationToken)
    {
        using var activity = ChatBotTelemetry.Slack.StartActivity("slack response_url", ActivityKind.Client);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, responseUrl)
                {
                    Content = Utf8Json.Content(Utf8Json.Serialize(payload)),
                };
                using var response = await http.SendAsync(request, linked.Token);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                LogResponseUrlFailed(logger, (int)response.StatusCode);
                if ((int)response.StatusCode < 500)
                {
                    return false;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogResponseUrlError(logger, ex.GetType().Name);
            }

            if (attempt == 1)
            {
                await Task.Delay(Backoff(1), time, cancellationToken);
            }
        }

        return false;
    }

    /// <summary>
    /// Calls a Web API method with retries. <paramref name="body"/> goes as JSON (null: no body);
    /// <paramref name="query"/> makes it a GET. <paramref name="channel"/> keys the per-channel 429 pause.
    /// <paramref name="findEarlier"/>, when given, runs before every re-send after a failure whose outcome is
    /// unknown (a timeout, a transport error, a 5xx or a transient error code): a <c>ts</c> it finds is returned
    /// as the call's answer instead of sending again.
    /// </summary>
    internal async Task<JsonElement> CallAsync(
        string method,
        JsonObject? body,
        CancellationToken cancellationToken,
        string? channel = null,
        bool useAppToken = false,
        string? query = null,
        Func<CancellationToken, Task<string?>>? findEarlier = null)
    {
        using var activity = ChatBotTelemetry.Slack.StartSpan("slack", method, ActivityKind.Client);
        var token = useAppToken ? options.AppToken : options.BotToken;
        var failures = 0;
        var rateLimits = 0;
        var json = body is null ? null : Utf8Json.Serialize(body);
        while (true)
        {
            await WaitForPausesAsync(method, channel, cancellationToken);

            using var request = new HttpRequestMessage(query is null ? HttpMethod.Post : HttpMethod.Get, query is null ? method : method + "?" + query);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (json is not null)
            {
                request.Content = Utf8Json.Content(json);
            }

            string failure;
            TimeSpan? retryAfter = null;
            using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    retryAfter = RetryAfter(response);
                    failure = "ratelimited";
                }
                else if ((int)response.StatusCode >= 500)
                {
                    failure = "http_" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (!response.IsSuccessStatusCode)
                {
                    throw new SlackApiException(method, "http_" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), isPermanent: true);
                }
                else
                {
                    var root = await ParseAsync(method, response, linked.Token);
                    if (GetBool(root, "ok"))
                    {
                        if (root.TryGetProperty("warning", out var warning) && warning.ValueKind == JsonValueKind.String)
                        {
                            LogWarning(logger, method, warning.GetString()!);
                        }

                        return root;
                    }

                    failure = GetString(root, "error") ?? "unknown_error";
                    if (failure == "ratelimited")
                    {
                        retryAfter = RetryAfter(response);
                    }
                    else if (!SlackErrors.IsTransient(failure))
                    {
                        activity?.SetStatus(ActivityStatusCode.Error, failure);
                        var ex = new SlackApiException(method, failure, isPermanent: true);
                        if (ex.IsFatal)
                        {
                            ReportFatalOnce(method, failure, useAppToken, ex);
                        }

                        throw ex;
                    }
                }
            }
            catch (HttpRequestException ex)
            {
                failure = "http_error";
                LogTransportError(logger, method, ex.GetType().Name, ex.HttpRequestError.ToString());
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = "timeout";
            }

            if (retryAfter is { } pause)
            {
                // Rate limited: chat.postMessage is limited per channel, so pause that channel; any other
                // method is limited per method, so pause the method. Then try again.
                rateLimits++;
                Pause(channel is not null && method == "chat.postMessage" ? "c:" + channel : "m:" + method, pause);

                LogRateLimited(logger, method, channel ?? "-", pause.TotalSeconds);
                if (rateLimits > options.MaxAttempts * 2)
                {
                    throw new SlackApiException(method, "ratelimited", isPermanent: false);
                }

                continue;
            }

            failures++;
            if (failures >= options.MaxAttempts)
            {
                throw new SlackApiException(method, failure, isPermanent: false);
            }

            var delay = Backoff(failures);
            LogRetrying(logger, method, failure, failures, delay.TotalMilliseconds);
            await Task.Delay(delay, time, cancellationToken);
            if (findEarlier is not null && await findEarlier(cancellationToken) is { } earlierTs)
            {
                return JsonSerializer.SerializeToElement(new JsonObject { ["ok"] = true, ["ts"] = earlierTs });
            }
        }
    }

    public void Dispose() => http.Dispose();

    private void ReportFatalOnce(string method, string error, bool appToken, Exception ex)
    {
        if (Interlocked.Exchange(ref fatalReported, 1) == 0)
        {
            var key = appToken ? "Slack:AppToken" : "Slack:BotToken";
            fatal.ReportFatal("Slack", $"{method} answered {error}; check {key} and the app's installation", ex);
        }
    }

    private async Task WaitForPausesAsync(string method, string? channel, CancellationToken cancellationToken)
    {
        while (true)
        {
            var until = pausedUntil.GetValueOrDefault("m:" + method);
            if (channel is not null && pausedUntil.TryGetValue("c:" + channel, out var channelUntil) && channelUntil > until)
            {
                until = channelUntil;
            }

            var wait = until - time.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            ChatBotTelemetry.RateLimitWaited(ChatPlatform.Slack, method, wait);
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private void Pause(string key, TimeSpan pause)
    {
        var until = time.GetUtcNow() + pause;
        pausedUntil.AddOrUpdate(key, until, (_, existing) => existing > until ? existing : until);
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta && delta >= TimeSpan.Zero)
        {
            return delta > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(10) : delta;
        }

        return DefaultRetryAfter;
    }

    private static TimeSpan Backoff(int failures) => Core.Backoff.Exponential(failures, BackoffBase, BackoffMax);

    private static async Task<JsonElement> ParseAsync(string method, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SlackApiException(method, "invalid_response", isPermanent: false);
            }

            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new SlackApiException(method, "invalid_response", isPermanent: false, ex);
        }
    }

    internal static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    internal static bool GetBool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string FirstNonEmpty(params string?[] candidates) =>
        candidates.First(c => !string.IsNullOrWhiteSpace(c))!;

    private sealed class ChannelLane
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset LastPostAt { get; set; } = DateTimeOffset.MinValue;
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Slack bot authenticated: workspace {Team} ({TeamId}), bot user {User} ({UserId})")]
    private static partial void LogAuthenticated(ILogger logger, string team, string teamId, string user, string userId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Slack: not in channel {Channel}; joining it and posting again")]
    private static partial void LogJoining(ILogger logger, string channel);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Slack {Method} rate limited (channel {Channel}); waiting {Seconds} s as Retry-After asks")]
    private static partial void LogRateLimited(ILogger logger, string method, string channel, double seconds);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Slack {Method} failed transiently ({Error}), attempt {Attempt}; retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string method, string error, int attempt, double delayMs);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Slack {Method}: transport error {ErrorType} ({Detail})")]
    private static partial void LogTransportError(ILogger logger, string method, string errorType, string detail);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "Slack {Method} warning: {Warning}")]
    private static partial void LogWarning(ILogger logger, string method, string warning);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "Slack: break {BreakId} step {Step} was posted before (ts {Ts}); not posting it again")]
    private static partial void LogFoundEarlier(ILogger logger, long breakId, int step, string ts);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Warning, Message = "Slack {Method} failed ({Error}): can't check whether an earlier attempt was posted, so posting again (add the *:history scopes to rule out duplicates)")]
    private static partial void LogCannotSearch(ILogger logger, string method, string error);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Slack response_url answered HTTP {Status}")]
    private static partial void LogResponseUrlFailed(ILogger logger, int status);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Slack refused the file {FileName} ({Bytes} bytes) for channel {Channel}: {Method} answered {Error}. Posted the text alone (the app needs files:write, and the workspace must allow uploads)")]
    private static partial void LogFileRefused(ILogger logger, string fileName, int bytes, string channel, string method, string error);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Slack response_url failed: {ErrorType}")]
    private static partial void LogResponseUrlError(ILogger logger, string errorType);
}
