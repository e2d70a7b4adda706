using System.Diagnostics;
using ChatBot.Core.Configuration;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ChatBot.ServiceDefaults;

/// <summary>The operational defaults every ChatBot host gets, in one place (health, telemetry, logs, the ops listener).</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The OpenTelemetry service name (<c>service.name</c>).</summary>
    public const string ServiceName = "chatbot";

    /// <summary>
    /// Wires operations: health checks (each project adds its own, tagged <see cref="HealthTags.Ready"/>),
    /// OpenTelemetry metrics (<c>chatbot.*</c>, .NET runtime, HttpClient) for <c>/metrics</c>, traces from every
    /// ChatBot activity source and HttpClient, OTLP export of all three signals when the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (otherwise nothing is exported: with JSON logs spans are
    /// propagation-only, ids for the log scopes and nothing recorded; with the plain log format, which shows no ids, no
    /// span is made at all), the JSON console log format with
    /// scopes (and so the trace id) when <c>Logging:Console:FormatterName=json</c>, and the ops listener
    /// (<see cref="OpsHttpHostedService"/>) unless <c>Ops:Enabled=false</c>. With the listener off and no OTLP
    /// endpoint, OpenTelemetry is not started at all.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OpsOptions>().BindCheckedConfiguration(OpsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OpsOptions>, OpsOptions.Validator>();
        services.AddHealthChecks();

        // One JSON object per line; scopes carry the trace and span ids (HostApplicationBuilder's activity tracking).
        services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
        });

        // Read leniently here: a value that is not a boolean is named by the options check before anything starts.
        var opsEnabled = !bool.TryParse(builder.Configuration[$"{OpsOptions.SectionName}:{nameof(OpsOptions.Enabled)}"], out var enabled) || enabled;
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        // Spans cost ~8 µs per command even unrecorded (bench/ChatBot.Slack.Bench -- cpu): made only when something
        // uses them, an OTLP collector or the trace ids of JSON log lines.
        var jsonLogs = string.Equals(builder.Configuration["Logging:Console:FormatterName"], ConsoleFormatterNames.Json, StringComparison.OrdinalIgnoreCase);
        if (opsEnabled || otlp)
        {
            var telemetry = services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService(ServiceName))
                .WithMetrics(metrics =>
                {
                    metrics.AddMeter(ChatBotTelemetry.MeterName).AddRuntimeInstrumentation().AddHttpClientInstrumentation();
                    metrics.AddInstrumentation(sp => ActivatorUtilities.CreateInstance<ActiveBreaksGauge>(sp));
                    if (opsEnabled)
                    {
                        // No response cache: a scrape sees every measurement recorded before it.
                        metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                    }
                });
            if (otlp || jsonLogs)
            {
                telemetry.WithTracing(tracing =>
                {
                    tracing
                        .AddSource("ChatBot.*")
                        .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = (activity, request) => RedactUrl(activity, request.RequestUri));
                    if (!otlp)
                    {
                        // Nothing exports spans: they exist only to put the trace id in log scopes (and pass it on),
                        // so none is recorded (no tags, no timings) unless an incoming trace context asks for it.
                        tracing.SetSampler(new ParentBasedSampler(new AlwaysOffSampler()));
                    }
                });
            }

            if (otlp)
            {
                telemetry.UseOtlpExporter();
            }
        }

        if (opsEnabled)
        {
            services.AddSingleton<OpsHttpHostedService>();
            services.AddHostedService(sp => sp.GetRequiredService<OpsHttpHostedService>());
        }

        return builder;
    }

    /// <summary>
    /// Builds the OpenTelemetry providers now, when <see cref="AddServiceDefaults"/> set them up: the host's telemetry
    /// service would build them only as the host starts, and platform calls made before that (Slack's
    /// <c>auth.test</c> begins while the database is checked) would have no span, so no trace id in their log lines,
    /// and no HTTP client metrics. Without telemetry this does nothing.
    /// </summary>
    public static void StartTelemetry(IServiceProvider services)
    {
        services.GetService<MeterProvider>();
        services.GetService<TracerProvider>();
    }

    /// <summary>
    /// HTTP client spans keep only the URL's scheme, host and route shape: interaction and webhook tokens
    /// (Discord) and <c>response_url</c> secrets (Slack) sit in the path, so any segment after
    /// <c>interactions/{id}/</c>, <c>webhooks/{app}/</c>, <c>commands/</c> or <c>actions/</c> becomes <c>{token}</c>.
    /// </summary>
    internal static void RedactUrl(Activity activity, Uri? url)
    {
        if (url is null)
        {
            return;
        }

        var segments = url.AbsolutePath.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var secretFrom = segments[i] switch
            {
                "interactions" or "webhooks" => i + 2,
                "commands" or "actions" when url.Host.StartsWith("hooks.", StringComparison.OrdinalIgnoreCase) => i + 1,
                _ => -1,
            };
            for (var j = secretFrom; j > 0 && j < segments.Length && segments[j] is not ("" or "callback" or "messages" or "@original"); j++)
            {
                segments[j] = "{token}";
            }
        }

        activity.SetTag("url.full", $"{url.Scheme}://{url.Authority}{string.Join('/', segments)}");
    }
}
