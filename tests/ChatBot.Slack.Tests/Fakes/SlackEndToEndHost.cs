using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBot.Slack.Tests.Fakes;

/// <summary>
/// The set-up of the end-to-end Slack tests: a loopback fake Slack, and a real host with the command core, the SQLite
/// store (in a temporary directory of its own) and the Socket Mode client connected to the fake. Every log line is
/// captured. Disposing stops the host and the fake and deletes the directory.
/// </summary>
public sealed class SlackEndToEndHost : IAsyncDisposable
{
    private readonly string directory;

    private SlackEndToEndHost(FakeSlackServer slack, IHost host, CapturingLoggerProvider logs, string directory)
    {
        Slack = slack;
        Host = host;
        Logs = logs;
        this.directory = directory;
    }

    public FakeSlackServer Slack { get; }

    public IHost Host { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>The store's SQLite file.</summary>
    public string DatabasePath => Path.Combine(directory, "chatbot.db");

    public T Get<T>()
        where T : notnull => Host.Services.GetRequiredService<T>();

    /// <param name="settings">Configuration on top of the fake's Socket Mode settings and the store's path (e.g. <c>Breaks:*</c>).</param>
    /// <param name="services">
    /// Registrations made before Core's: the <see cref="IBreakRunner"/> (none is added otherwise), and any clock or
    /// digest chart the test needs.
    /// </param>
    public static async Task<SlackEndToEndHost> StartAsync(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection> services)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatbot-slack-e2e-" + Guid.NewGuid().ToString("N"));
        var slack = await FakeSlackServer.StartAsync();
        var config = SlackTestHost.SocketModeConfig(slack);
        config["Storage:Path"] = Path.Combine(directory, "chatbot.db");
        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(config);
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<IFatalErrorReporter>(new RecordingFatalErrorReporter());
        services(builder.Services);
        builder.Services.AddChatBotCore(Path.Combine(AppContext.BaseDirectory, "config", "drills.json"));
        builder.Services.AddChatBotData();
        builder.Services.AddSlack(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new SlackEndToEndHost(slack, host, logs, directory);
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await Host.StopAsync(stop.Token);
        }

        Host.Dispose();
        await Slack.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
