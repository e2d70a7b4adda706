using System.Text.Json;
using ChatBot.Core;
using ChatBot.Discord.Interactions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord.Http;

/// <summary>
/// HTTP interactions mode (<c>Discord:PublicKey</c> set): a small Kestrel endpoint at
/// <c>Discord:HttpUrl</c> + <c>Discord:HttpPath</c>. Every request's Ed25519 signature is checked against the raw
/// body (401 and nothing else when it fails, when its timestamp is more than 5 minutes from now, or when the
/// same signature was seen before); PING gets PONG; other interactions are answered through the
/// callback endpoint and the request gets 202.
/// </summary>
public sealed partial class DiscordHttpInteractionsHostedService(
    IOptions<DiscordOptions> options,
    DiscordInteractionProcessor processor,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    ILogger<DiscordHttpInteractionsHostedService> logger) : IHostedService, IAsyncDisposable
{
    private const int MaxBodyBytes = 1024 * 1024;
    private static readonly TimeSpan AckWait = TimeSpan.FromSeconds(2.8);
    private readonly InFlightWork _interactions = new();

    // A signature can pass the freshness check for up to twice the window (a timestamp ahead of our clock).
    private readonly Deduplicator _seenSignatures = new(time, 2 * DiscordSignature.Window, 100_000);
    private WebApplication? _app;

    /// <summary>The address Kestrel bound (useful with port 0).</summary>
    public Uri? BoundAddress { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseUrls(settings.HttpUrl.GetLeftPart(UriPartial.Authority));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        var app = builder.Build();
        app.MapPost(settings.HttpPath, HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        BoundAddress = address is null ? null : new Uri(address);
        LogListening(logger, address ?? settings.HttpUrl.ToString(), settings.HttpPath);
    }

    /// <summary>
    /// Stops listening, then lets interactions already accepted finish until the host's shutdown timeout
    /// (<paramref name="cancellationToken"/>) runs out.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }

        var abandoned = await _interactions.DrainAsync(cancellationToken);
        if (abandoned > 0)
        {
            LogAbandoned(logger, abandoned);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var signature = context.Request.Headers["X-Signature-Ed25519"].ToString();
        var timestamp = context.Request.Headers["X-Signature-Timestamp"].ToString();
        if (!DiscordSignature.VerifyRequest(options.Value.PublicKey!, signature, timestamp, body))
        {
            LogBadSignature(logger);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (!DiscordSignature.IsFresh(timestamp, time.GetUtcNow()))
        {
            LogStale(logger, timestamp);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (!_seenSignatures.TryClaim(signature.ToUpperInvariant()))
        {
            LogReplayed(logger);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        JsonElement interaction;
        try
        {
            using var document = JsonDocument.Parse(body);
            interaction = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            LogMalformed(logger, ex.Message);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (interaction.ValueKind == JsonValueKind.Object && interaction.TryGetProperty("type", out var type) && type.TryGetInt32(out var value) && value == 1)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"type\":1}", context.RequestAborted);
            return;
        }

        // Answer through the callback endpoint; this request gets 202 once that answer is out (or timed out).
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _interactions.Track(processor.ProcessAsync(interaction, acknowledged, _interactions.Token));
        await Task.WhenAny(acknowledged.Task, Task.Delay(AckWait, context.RequestAborted));
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "Discord HTTP interactions endpoint listening on {Address}{Path}")]
    private static partial void LogListening(ILogger logger, string address, string path);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Warning, Message = "Discord HTTP interaction with a bad signature: 401")]
    private static partial void LogBadSignature(ILogger logger);

    [LoggerMessage(EventId = 2505, Level = LogLevel.Warning, Message = "Discord HTTP interaction signed at {Timestamp}, more than 5 minutes from now: 401")]
    private static partial void LogStale(ILogger logger, string timestamp);

    [LoggerMessage(EventId = 2506, Level = LogLevel.Warning, Message = "Discord HTTP interaction replayed (its signature was seen before): 401")]
    private static partial void LogReplayed(ILogger logger);

    [LoggerMessage(EventId = 2504, Level = LogLevel.Warning, Message = "Discord HTTP: shutdown cut off {Count} interactions still in flight")]
    private static partial void LogAbandoned(ILogger logger, int count);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Warning, Message = "Discord HTTP interaction with a malformed body: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string reason);
}
