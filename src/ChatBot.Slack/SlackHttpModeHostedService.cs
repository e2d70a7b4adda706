using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBot.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Slack;

/// <summary>
/// HTTP mode (a signing secret and no app token): a small Kestrel app on <see cref="SlackOptions.HttpUrl"/> with
/// <c>POST /slack/commands</c> and <c>POST /slack/interactivity</c>. Every request's v0 signature is checked on
/// the raw body before anything is parsed; unsigned, forged or stale requests get 401 and change nothing, and so
/// does a replay of a request already received (its signature is remembered while it could still be valid).
/// </summary>
public sealed partial class SlackHttpModeHostedService(
    SlackBotTokenCheck botToken,
    SlackInteractionDispatcher dispatcher,
    IOptions<SlackOptions> options,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    ILogger<SlackHttpModeHostedService> logger) : IHostedService, IAsyncDisposable
{
    public const string CommandsPath = "/slack/commands";
    public const string InteractivityPath = "/slack/interactivity";
    private const int MaxBodyBytes = 256 * 1024;
    private static readonly TimeSpan AckWait = TimeSpan.FromMilliseconds(2800);

    private readonly SlackOptions settings = options.Value;
    private readonly CancellationTokenSource stopping = new();

    // A signature is valid while its timestamp is within the window either side of now, so remembering each for
    // twice the window covers every moment it could be replayed.
    private readonly Deduplicator seenSignatures = new(time, 2 * SlackRequestSignature.Window, 100_000);
    private WebApplication? app;
    private Task startup = Task.CompletedTask;

    /// <summary>The addresses Kestrel listens on (after start; useful when bound to port 0).</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();

        // Only our own settings: no appsettings or ASPNETCORE_ variables may re-point or widen the endpoint.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls(settings.HttpUrl);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        app = builder.Build();
        app.MapPost(CommandsPath, (Delegate)HandleCommandAsync);
        app.MapPost(InteractivityPath, (Delegate)HandleInteractivityAsync);
        await app.StartAsync(cancellationToken);
        Addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        LogListening(logger, string.Join(", ", Addresses));

        startup = botToken.Accepted;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        botToken.Cancel();
        if (app is not null)
        {
            await app.StopAsync(cancellationToken);
        }

        await dispatcher.DrainAsync(cancellationToken); // prompt updates the requests queued
        await startup;
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        stopping.Dispose();
    }

    private async Task<IResult> HandleCommandAsync(HttpContext context)
    {
        var (body, refusal) = await ReadVerifiedBodyAsync(context);
        if (body is null)
        {
            return refusal!;
        }

        var form = ParseForm(body);
        if (form.GetValueOrDefault("ssl_check") == "1")
        {
            // Slack checking the endpoint's certificate: nothing to run.
            return Results.Ok();
        }

        var command = SlackPayloadMapper.ReadSlashCommand(form, out var problem);
        if (command is null)
        {
            LogBadRequest(logger, problem!);
            return Results.BadRequest();
        }

        var acked = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = dispatcher.HandleSlashCommandAsync(
            command,
            (payload, _) =>
            {
                acked.TrySetResult(payload);
                return Task.CompletedTask;
            },
            stopping.Token);
        _ = work.ContinueWith(t => LogWorkFailed(logger, t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        var reply = await acked.Task.WaitAsync(AckWait, time, context.RequestAborted).ConfigureAwait(false);
        return reply is null ? Results.Ok() : Results.Bytes(reply, "application/json; charset=utf-8");
    }

    private async Task<IResult> HandleInteractivityAsync(HttpContext context)
    {
        var (body, refusal) = await ReadVerifiedBodyAsync(context);
        if (body is null)
        {
            return refusal!;
        }

        var form = ParseForm(body);
        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(form.GetValueOrDefault("payload") ?? "");
            payload = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            LogBadRequest(logger, "interactivity payload is not JSON");
            return Results.BadRequest();
        }

        var actions = SlackPayloadMapper.ReadBlockActions(payload, out var problem);
        if (actions.Count == 0)
        {
            LogBadRequest(logger, problem!);
            return Results.Ok();
        }

        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = dispatcher.HandleBlockActionsAsync(
            actions,
            _ =>
            {
                acked.TrySetResult();
                return Task.CompletedTask;
            },
            stopping.Token);

        var first = await Task.WhenAny(acked.Task, work).WaitAsync(AckWait, time, context.RequestAborted);
        if (first == work && !acked.Task.IsCompleted)
        {
            // Core could not store the click: tell Slack it failed, so the user sees it and can tap again.
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }

        _ = work.ContinueWith(t => LogWorkFailed(logger, t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Results.Ok();
    }

    /// <summary>
    /// The raw body when its signature is valid, fresh and seen for the first time; otherwise the answer to give
    /// instead: 401 for a missing, forged or stale signature and for a replay (the same signed request again).
    /// A repeat marked as Slack's own retry (<c>X-Slack-Retry-Num</c>) gets a plain 200, so Slack stops retrying
    /// what already ran once.
    /// </summary>
    private async Task<(byte[]? Body, IResult? Refusal)> ReadVerifiedBodyAsync(HttpContext context)
    {
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException)
        {
            return (null, Results.Unauthorized());
        }

        var path = context.Request.Path.Value ?? "";
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        var timestamp = context.Request.Headers["X-Slack-Request-Timestamp"].ToString();
        var signature = context.Request.Headers["X-Slack-Signature"].ToString();
        if (!SlackRequestSignature.IsValid(settings.SigningSecret!, timestamp, signature, body, time.GetUtcNow()))
        {
            LogRejected(logger, path, remote);
            return (null, Results.Unauthorized());
        }

        if (!seenSignatures.TryClaim(signature.Trim()))
        {
            var retry = context.Request.Headers["X-Slack-Retry-Num"].ToString();
            LogReplayed(logger, path, remote, string.IsNullOrEmpty(retry) ? "none" : retry);
            return (null, string.IsNullOrEmpty(retry) ? Results.Unauthorized() : Results.Ok());
        }

        return (body, null);
    }

    private static Dictionary<string, string> ParseForm(byte[] body) =>
        QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body))
            .ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.Ordinal);

    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Slack HTTP mode listening on {Addresses}")]
    private static partial void LogListening(ILogger logger, string addresses);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "Slack HTTP request to {Path} from {Remote} rejected: missing, forged or stale signature")]
    private static partial void LogRejected(ILogger logger, string path, string remote);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Warning, Message = "Slack HTTP request to {Path} from {Remote} not run: the same signed request was seen before (retry {RetryNum})")]
    private static partial void LogReplayed(ILogger logger, string path, string remote, string retryNum);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning, Message = "Slack HTTP request dropped: {Problem}")]
    private static partial void LogBadRequest(ILogger logger, string problem);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Error, Message = "Slack HTTP interaction failed after its ack")]
    private static partial void LogWorkFailed(ILogger logger, Exception exception);
}
