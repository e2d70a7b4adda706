using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Slack.Tests;

/// <summary>
/// The Web API side against the loopback fake Slack: a fresh <see cref="FakeSlackServer"/>, the real
/// <see cref="SlackApiClient"/> (every log line captured in <see cref="Logs"/>) and the <see cref="SlackPlatform"/>
/// over it, per test.
/// </summary>
public abstract class WebApiTestBase : IAsyncLifetime
{
    /// <summary>The fake Slack (script its answers, read its calls).</summary>
    protected FakeSlackServer Slack { get; private set; } = null!;

    /// <summary>The real Web API client, pointed at <see cref="Slack"/>.</summary>
    protected SlackApiClient Api { get; private set; } = null!;

    /// <summary>The platform port over <see cref="Api"/>.</summary>
    protected SlackPlatform Platform { get; private set; } = null!;

    /// <summary>Every line the client logs, from Trace up.</summary>
    protected CapturingLoggerProvider Logs { get; } = new();

    /// <summary>How long one Web API call may take before it counts as timed out; tests of timeouts shorten it.</summary>
    protected virtual TimeSpan RequestTimeout => new SlackOptions().RequestTimeout;

    public async ValueTask InitializeAsync()
    {
        Slack = await FakeSlackServer.StartAsync();
        using var factory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Api = new SlackApiClient(
            Options.Create(new SlackOptions { BotToken = Secrets.BotToken, AppToken = Secrets.AppToken, ApiBaseUrl = Slack.ApiUrl, RequestTimeout = RequestTimeout }),
            TimeProvider.System,
            new RecordingFatalErrorReporter(),
            factory.CreateLogger<SlackApiClient>());
        Platform = new SlackPlatform(Api);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Slack.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
