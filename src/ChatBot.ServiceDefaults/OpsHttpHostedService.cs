using System.Text.Json;
using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace ChatBot.ServiceDefaults;

/// <summary>
/// The operations listener: a small Kestrel app of its own on <see cref="OpsOptions.HttpUrl"/> serving
/// <c>GET /healthz</c> (liveness), <c>GET /readyz</c> (the health checks tagged <see cref="HealthTags.Ready"/>;
/// 503 with a JSON body naming what is not ready), <c>GET /metrics</c> (Prometheus text from OpenTelemetry)
/// and, only when <see cref="OpsOptions.DashboardPassword"/> is set, the Hangfire dashboard at <c>/hangfire</c>
/// behind basic auth. If the address is taken, the console chat carries on without it (one warning line);
/// a platform bot stops with exit code 1, since its container would be probed in vain.
/// </summary>
public sealed partial class OpsHttpHostedService(
    IServiceProvider services,
    IOptions<OpsOptions> options,
    IHostApplicationLifetime lifetime,
    IFatalErrorReporter fatal,
    ILoggerFactory loggerFactory,
    ILogger<OpsHttpHostedService> logger) : IHostedService, IAsyncDisposable
{
    public const string DashboardPath = "/hangfire";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private WebApplication? app;

    /// <summary>The addresses Kestrel listens on once started (the real port when bound to port 0); empty if it could not bind.</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var builder = WebApplication.CreateSlimBuilder();

        // Only our own settings: no appsettings or ASPNETCORE_ variables may re-point or widen the endpoint.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        // Kestrel and ASP.NET Core log into the bot's pipeline, except the inner host's own start failure:
        // a taken port is reported below, once, naming the key.
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.AddSingleton(services.GetRequiredService<HealthCheckService>());
        builder.WebHost.UseUrls(settings.HttpUrl);
        var storage = string.IsNullOrEmpty(settings.DashboardPassword) ? null : services.GetService<JobStorage>();
        if (storage is not null)
        {
            // The dashboard looks these up in its own app's services: hand it the bot's.
            builder.Services.AddSingleton(storage);
            builder.Services.AddSingleton(services.GetRequiredService<IGlobalConfiguration>());
            builder.Services.AddSingleton(services.GetRequiredService<RouteCollection>());
        }

        app = builder.Build();
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = WriteLivenessAsync,
        });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = WriteReportAsync,
        });
        if (services.GetService<MeterProvider>() is { } meters)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, context => context.Request.Path == "/metrics", null, null, null);
        }

        if (storage is not null)
        {
            app.UseHangfireDashboard(DashboardPath, new DashboardOptions
            {
                Authorization = [new DashboardBasicAuthFilter(settings.DashboardPassword!)],
                IsReadOnlyFunc = _ => !settings.DashboardWritable,
                DisplayStorageConnectionString = false,
                AppPath = null,
                DashboardTitle = "ChatBot jobs",
            }, storage);
        }

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            // Kestrel's "address already in use" (or a bad interface): say which key to change.
            await app.DisposeAsync();
            app = null;
            var consoleChat = services.GetKeyedService<IChatPlatform>(ChatPlatform.Console) is not null;
            var reason = $"the ops listener could not bind Ops:HttpUrl {settings.HttpUrl} ({ex.Message.TrimEnd('.')}); "
                + "set Ops__HttpUrl to a free address (e.g. http://127.0.0.1:0) or Ops__Enabled=false";
            if (consoleChat)
            {
                LogBindFailed(logger, reason);
                return;
            }

            fatal.ReportFatal("Ops", reason);
            return;
        }

        Addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        LogListening(logger, string.Join(", ", Addresses), storage is not null ? ", " + DashboardPath : "");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (app is not null)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Liveness: 200 while the host runs, 503 once it is stopping.</summary>
    private Task WriteLivenessAsync(HttpContext context, HealthReport report)
    {
        var stopping = lifetime.ApplicationStopping.IsCancellationRequested;
        context.Response.StatusCode = stopping ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(stopping ? "stopping" : "ok");
    }

    /// <summary><c>{"status":"Unhealthy","checks":{"slack":{"status":"Unhealthy","description":"…"}}}</c>, 503 unless every check passes.</summary>
    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new Dictionary<string, object>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new Dictionary<string, string?> { ["status"] = entry.Value.Status.ToString(), ["description"] = entry.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    /// <summary>Hands the inner app's loggers out of the bot's factory, so its lines share the bot's format and filters.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Ops endpoints on {Addresses}: /healthz, /readyz, /metrics{Dashboard}")]
    private static partial void LogListening(ILogger logger, string addresses, string dashboard);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "{Reason}; the console chat runs without it")]
    private static partial void LogBindFailed(ILogger logger, string reason);
}
