using System.Collections.Concurrent;
using System.Threading.Channels;
using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBot.Slack.Tests.Fakes;

public static class Secrets
{
    public const string BotToken = "xoxb-1111-2222-SECRETBOTTOKEN";
    public const string AppToken = "xapp-1-A111-3333-SECRETAPPTOKEN";
    public const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
}

/// <summary>
/// Stands in for Core's command handler and break runner: records what it is asked, answers, and for a drill
/// command hands a prompt plus three cues to <see cref="IChatPlatform"/> in the background, as the break runner does.
/// </summary>
public sealed class FakeCommandHandler : ICommandHandler
{
    private readonly Channel<CommandInvocation> invocations = Channel.CreateUnbounded<CommandInvocation>();
    private readonly Channel<ButtonClick> clicks = Channel.CreateUnbounded<ButtonClick>();
    private readonly ConcurrentQueue<string> breakPosts = new();
    private int clickCount;
    private int commandCount;

    public IChatPlatform? Platform { get; set; }

    /// <summary>Replaces the default answer to commands.</summary>
    public Func<CommandInvocation, CancellationToken, Task<CommandReply>>? OnCommand { get; set; }

    /// <summary>Runs inside <see cref="HandleClickAsync"/> before it returns (e.g. to hold it).</summary>
    public Func<ButtonClick, Task>? OnClick { get; set; }

    public int ClickCount => clickCount;

    public int CommandCount => commandCount;

    /// <summary>The message ids of the break posts (prompt first), once the background posting finished.</summary>
    public TaskCompletionSource<IReadOnlyList<string>> BreakPosted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<CommandInvocation> NextInvocationAsync() => await invocations.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Guard);

    public async Task<ButtonClick> NextClickAsync() => await clicks.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Guard);

    public async Task<CommandReply> HandleAsync(CommandInvocation invocation, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref commandCount);
        invocations.Writer.TryWrite(invocation);
        if (OnCommand is not null)
        {
            return await OnCommand(invocation, cancellationToken);
        }

        if (invocation.Text == "rotation")
        {
            _ = Task.Run(() => RunBreakAsync(invocation.Channel), CancellationToken.None);
            return CommandReply.ToCaller("Starting a **rotation** break in this channel.");
        }

        return CommandReply.ToCaller($"You said `{invocation.Text}`");
    }

    public async Task<ClickOutcome> HandleClickAsync(ButtonClick click, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref clickCount);
        clicks.Writer.TryWrite(click);
        if (OnClick is not null)
        {
            await OnClick(click);
        }

        return new ClickOutcome(CommandReply.ToCaller("Logged. Streak: **1** day."), new OutgoingMessage("Upper back break: rotation\n1 done so far", [new MessageButton(ButtonAction.Done(1), "Done", ButtonStyle.Primary)]));
    }

    private async Task RunBreakAsync(ChannelKey channel)
    {
        try
        {
            var prompt = new OutgoingMessage(
                "**Upper back break**: rotation, starts {time:1764072000}",
                [new MessageButton(ButtonAction.Done(1), "Done", ButtonStyle.Primary)]);
            var promptId = await Platform!.PostAsync(channel, prompt, new PostOptions("break:1:0"), CancellationToken.None);
            var ids = new List<string> { promptId };
            for (var step = 1; step <= 3; step++)
            {
                ids.Add(await Platform.PostAsync(channel, new OutgoingMessage($"Cue {step}: rotate gently"), new PostOptions($"break:1:{step}", promptId), CancellationToken.None));
            }

            BreakPosted.TrySetResult(ids);
        }
#pragma warning disable CA1031
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BreakPosted.TrySetException(ex);
        }
    }
}

/// <summary>A real host with <c>AddSlack</c> against the fake Slack, with recording fakes for Core.</summary>
public sealed class SlackTestHost : IAsyncDisposable
{
    private SlackTestHost(IHost host, FakeCommandHandler handler, RecordingFatalErrorReporter fatal, CapturingLoggerProvider logs)
    {
        Host = host;
        Handler = handler;
        Fatal = fatal;
        Logs = logs;
    }

    public IHost Host { get; }

    public FakeCommandHandler Handler { get; }

    public RecordingFatalErrorReporter Fatal { get; }

    public CapturingLoggerProvider Logs { get; }

    public T Get<T>()
        where T : notnull => Host.Services.GetRequiredService<T>();

    public static Dictionary<string, string?> SocketModeConfig(FakeSlackServer slack) => new()
    {
        ["Slack:BotToken"] = Secrets.BotToken,
        ["Slack:AppToken"] = Secrets.AppToken,
        ["Slack:ApiBaseUrl"] = slack.ApiUrl.ToString(),
        ["Slack:Connections"] = "1",
        ["Slack:ConnectionStagger"] = "00:00:00.100",
        ["Slack:ReconnectInitialDelay"] = "00:00:00.050",
        ["Slack:ReconnectMaxDelay"] = "00:00:00.500",
        ["Slack:CommandAckBudget"] = "00:00:01",
        ["Slack:DrainTimeout"] = "00:00:05",
        ["Slack:Admins:0"] = "UADMIN",
    };

    /// <param name="services">Extra registrations before <c>AddSlack</c> (e.g. a clock, a shared claim store).</param>
    public static async Task<SlackTestHost> StartAsync(Dictionary<string, string?> config, bool start = true, Action<IServiceCollection>? services = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(config);
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        var fatal = new RecordingFatalErrorReporter();
        var handler = new FakeCommandHandler();
        builder.Services.AddSingleton<IFatalErrorReporter>(fatal);
        builder.Services.AddSingleton<ICommandHandler>(sp =>
        {
            handler.Platform = sp.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Slack);
            return handler;
        });
        services?.Invoke(builder.Services);
        builder.Services.AddSlack(builder.Configuration);
        var host = builder.Build();
        _ = host.Services.GetRequiredService<ICommandHandler>();
        if (start)
        {
            await host.StartAsync();
        }

        return new SlackTestHost(host, handler, fatal, logs);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await Host.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        Host.Dispose();
    }
}
