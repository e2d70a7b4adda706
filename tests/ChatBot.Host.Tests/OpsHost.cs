using System.Diagnostics;
using System.Net;
using ChatBot.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace ChatBot.Host.Tests;

/// <summary>
/// The real bot host (<see cref="ChatBotHost.CreateBuilder"/>, so AddServiceDefaults and every adapter as in
/// production) on a temp database, its ops listener on 127.0.0.1 port 0, every log line captured and every
/// span kept in memory.
/// </summary>
internal sealed class OpsHost : IAsyncDisposable
{
    private readonly string directory;

    private OpsHost(IHost host, string directory, CapturingLoggerProvider logs, List<Activity> spans)
    {
        Host = host;
        this.directory = directory;
        Logs = logs;
        Spans = spans;
        var address = host.Services.GetRequiredService<OpsHttpHostedService>().Addresses.Single();
        Http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public IHost Host { get; }

    public HttpClient Http { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>Finished spans (of every host in this process: the sources are static; filter by trace id).</summary>
    public List<Activity> Spans { get; }

    public static async Task<OpsHost> StartAsync(Dictionary<string, string?> settings)
    {
        var directory = Directory.CreateTempSubdirectory("chatbot-ops-").FullName;
        var overrides = new Dictionary<string, string?>(settings)
        {
            ["Storage:Path"] = Path.Combine(directory, "chatbot.db"),
            ["Ops:HttpUrl"] = "http://127.0.0.1:0",
            ["Scheduling:PollingInterval"] = "00:00:00.200",

            // Spans are made only when something uses them (an OTLP collector, or the trace ids of JSON logs).
            ["Logging:Console:FormatterName"] = "json",
        };
        var builder = ChatBotHost.CreateBuilder([], TextReader.Null, TextWriter.Null, overrides);
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
        var spans = new List<Activity>();
        // The host records no span while no OTLP endpoint is set; the test is the exporter here, so it samples all.
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans).SetSampler(new AlwaysOnSampler()));
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new OpsHost(host, directory, logs, spans);
    }

    /// <summary>A copy of the spans so far (the exporter adds one at a time; List.ToArray copies without enumerating).</summary>
    public Activity[] SpansNow() => Spans.ToArray();

    /// <summary>Polls <paramref name="path"/> until it answers <paramref name="status"/> (a failure guard of 20 s); returns the body.</summary>
    public async Task<string> WaitForStatusAsync(string path, HttpStatusCode status)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var last = "";
        while (true)
        {
            using (var response = await Http.GetAsync(path, guard.Token))
            {
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(guard.Token)}";
                if (response.StatusCode == status)
                {
                    return await response.Content.ReadAsStringAsync(guard.Token);
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{path} never answered {(int)status}; last: {last}");
            }
        }
    }

    /// <summary>Scrapes <c>/metrics</c> until a sample line starting with <paramref name="prefix"/> and matching <paramref name="match"/> has a value of at least <paramref name="atLeast"/>.</summary>
    public async Task<string> WaitForMetricAsync(string prefix, Func<string, bool> match, double atLeast = 1)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var text = await Http.GetStringAsync("metrics", guard.Token);
            var hit = text.Split('\n').FirstOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal) && match(line)
                && double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= atLeast);
            if (hit is not null)
            {
                return text;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {prefix} sample reached {atLeast}:\n{text}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await Host.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        Host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Hangfire's SQLite storage may hold its file a moment longer; the temp folder is cleaned by the OS.
        }
    }
}
