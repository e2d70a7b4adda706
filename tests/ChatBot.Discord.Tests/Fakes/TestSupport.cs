using System.Collections.Concurrent;
using System.Threading.Channels;
using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Discord.Gateway;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Discord.Tests.Fakes;

/// <summary>
/// Stands in for Core's command handler: a drill command posts a prompt and three cues in its thread
/// through the real <see cref="IChatPlatform"/>; a Done click is counted once per user and break.
/// </summary>
public sealed class TestCommandHandler(IServiceProvider services) : ICommandHandler
{
    private readonly ConcurrentDictionary<string, int> _completions = new();
    private int _clickCalls;

    public ConcurrentQueue<CommandInvocation> Invocations { get; } = new();

    public int ClickCalls => _clickCalls;

    public TaskCompletionSource<string> BreakPosted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What <c>stats</c> answers with: a digest's chart.</summary>
    public static MessageFile DigestFile { get; } = new("digest-week-2026-11-23.png", new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 }, "image/png", "Bar chart of breaks per day");

    /// <summary>What <c>help</c> answers with: a constant reply (the same instance every time), to the caller.</summary>
    public static CommandReply ConstantHelp { get; } = new(
        new OutgoingMessage("**Drills**: `/drill list` for ana_b", [new MessageButton("help:more", "More")]) { IsConstant = true },
        ReplyVisibility.CallerOnly);

    /// <summary>What <c>help-to-channel</c> (a test-only command) answers with: <see cref="ConstantHelp"/>'s message, to the channel.</summary>
    public static CommandReply ConstantHelpForChannel { get; } = ConstantHelp with { Visibility = ReplyVisibility.Channel };

    /// <summary>What <c>long-constant</c> answers with: a constant reply to the caller too long for one message.</summary>
    public static CommandReply ConstantLong { get; } = new(
        new OutgoingMessage(string.Join("\n", Enumerable.Repeat(new string('x', 1000), 3))) { IsConstant = true },
        ReplyVisibility.CallerOnly);

    public Func<ButtonClick, Task>? BeforeClickReturns { get; set; }

    /// <summary>Runs before a command's reply is returned (to make it slow).</summary>
    public Func<CommandInvocation, Task>? BeforeCommandReturns { get; set; }

    public async Task<CommandReply> HandleAsync(CommandInvocation invocation, CancellationToken cancellationToken)
    {
        Invocations.Enqueue(invocation);
        if (BeforeCommandReturns is not null)
        {
            await BeforeCommandReturns(invocation);
        }

        var words = invocation.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (words.FirstOrDefault())
        {
            case "rotation":
                var platform = services.GetRequiredKeyedService<IChatPlatform>(ChatPlatform.Discord);
                var prompt = new OutgoingMessage(
                    "Upper back break: **rotation** at {time:1764061200}",
                    [new MessageButton(ButtonAction.Done(42), "Done", ButtonStyle.Success)]);
                var promptId = await platform.PostAsync(invocation.Channel, prompt, new PostOptions("break-42-step-0"), cancellationToken);
                for (var step = 1; step <= 3; step++)
                {
                    await platform.PostAsync(
                        invocation.Channel,
                        new OutgoingMessage($"Cue {step}: breathe out and turn"),
                        new PostOptions($"break-42-step-{step}", promptId, "Rotation break"),
                        cancellationToken);
                }

                BreakPosted.TrySetResult(promptId);
                return CommandReply.ToCaller("Started a **rotation** break.");
            case "leaderboard":
                return CommandReply.ToChannel("Leaderboard: 1. Ana_Bel (3 days)");
            case "help":
                return ConstantHelp;
            case "help-to-channel":
                return ConstantHelpForChannel;
            case "list":
                return CommandReply.ToCaller("**extension**: kneeling bench thoracic extension\n**rotation**: quadruped thoracic rotation");
            case "long":
                return CommandReply.ToCaller(string.Join("\n", Enumerable.Repeat(new string('x', 1000), 3)));
            case "long-constant":
                return ConstantLong;
            case "now":
                return CommandReply.ToChannel("Mason started a break for everyone.");
            case "stats":
                return new CommandReply(
                    new OutgoingMessage("**Upper back breaks in #general**\n13 breaks by 5 people") { File = DigestFile },
                    ReplyVisibility.Channel);
            default:
                return CommandReply.ToCaller("Help for " + Markup.Plain(invocation.Text));
        }
    }

    public async Task<ClickOutcome> HandleClickAsync(ButtonClick click, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _clickCalls);
        if (!ButtonAction.TryParseDone(click.ActionId, out var breakId))
        {
            return new ClickOutcome(CommandReply.ToCaller("That button is not one of mine."), null);
        }

        var recorded = _completions.TryAdd(breakId + "/" + click.Caller.Id, 0);
        if (BeforeClickReturns is not null)
        {
            await BeforeClickReturns(click);
        }

        return recorded
            ? new ClickOutcome(
                CommandReply.ToCaller("Nice work, that's logged."),
                new OutgoingMessage("Upper back break: rotation. Done by 1", [new MessageButton(click.ActionId, "Done", ButtonStyle.Success)]))
            : new ClickOutcome(CommandReply.ToCaller("Already counted."), null);
    }
}

/// <summary>A fake clock that also says when someone starts waiting on it, so tests advance it only then.</summary>
public sealed class SignalingTimeProvider(FakeTimeProvider inner) : TimeProvider
{
    public Channel<TimeSpan> TimersCreated { get; } = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Inner => inner;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = inner.CreateTimer(callback, state, dueTime, period);
        TimersCreated.Writer.TryWrite(dueTime);
        return timer;
    }

    public async Task<TimeSpan> WaitForTimerAsync(Func<TimeSpan, bool> predicate)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var due = await TimersCreated.Reader.ReadAsync(cts.Token);
            if (predicate(due))
            {
                return due;
            }
        }
    }
}

/// <summary>The adapter wired the way the host wires it (<c>AddDiscord</c>), against a <see cref="FakeDiscord"/>.</summary>
public sealed class DiscordHarness : IAsyncDisposable
{
    public const string Token = "MTIzNDU2Nzg5.secret-test-token.Zz9";

    private readonly bool _ownsFake;

    private DiscordHarness(FakeDiscord fake, ServiceProvider services, CapturingLoggerProvider logs, RecordingFatalErrorReporter fatal, TimeProvider time, bool ownsFake)
    {
        _ownsFake = ownsFake;
        Fake = fake;
        Services = services;
        Logs = logs;
        Fatal = fatal;
        Time = time;
    }

    public FakeDiscord Fake { get; }

    public ServiceProvider Services { get; }

    public CapturingLoggerProvider Logs { get; }

    public RecordingFatalErrorReporter Fatal { get; }

    public TimeProvider Time { get; }

    public TestCommandHandler Handler => Services.GetRequiredService<TestCommandHandler>();

    public DiscordGatewayClient Gateway => Services.GetRequiredService<DiscordGatewayClient>();

    /// <param name="time">The clock (default: the system's).</param>
    /// <param name="configure">Changes to the configuration.</param>
    /// <param name="shared">Another harness's fake Discord, for several instances of one bot (not disposed here).</param>
    /// <param name="extra">Extra registrations before <c>AddDiscord</c> (e.g. a shard lease store).</param>
    public static async Task<DiscordHarness> StartAsync(
        TimeProvider? time = null,
        Action<Dictionary<string, string?>>? configure = null,
        FakeDiscord? shared = null,
        Action<IServiceCollection>? extra = null)
    {
        var fake = shared ?? await FakeDiscord.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Discord:BotToken"] = Token,
            ["Discord:ApplicationId"] = "111",
            ["Discord:ApiBaseUrl"] = fake.ApiBaseUrl.ToString(),
            ["Discord:ReconnectBaseDelay"] = "00:00:00",
            ["Discord:InvalidSessionDelay"] = "00:00:00",
            // The longest allowed: a reply that is ready must not miss the budget on a busy test machine (the
            // production 30 ms would make those tests race the thread pool). Tests of a missed budget set their own.
            ["Discord:CommandAckBudget"] = "00:00:02.5",
        };
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var logs = new CapturingLoggerProvider();
        var fatal = new RecordingFatalErrorReporter();
        time ??= TimeProvider.System;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<IFatalErrorReporter>(fatal);
        services.AddSingleton(time);
        services.AddSingleton<TestCommandHandler>();
        services.AddScoped<ICommandHandler>(sp => sp.GetRequiredService<TestCommandHandler>());
        extra?.Invoke(services);
        services.AddDiscord(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        return new DiscordHarness(fake, provider, logs, fatal, time, ownsFake: shared is null);
    }

    /// <summary>Runs the gateway client with a trace of what it does.</summary>
    public (Task Run, ChannelReader<string> Trace, CancellationTokenSource Stop) RunGateway()
    {
        var trace = Channel.CreateUnbounded<string>();
        Gateway.Trace = trace.Writer;
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => Gateway.RunAsync(stop.Token));
        return (run, trace.Reader, stop);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_ownsFake)
        {
            await Fake.DisposeAsync();
        }
    }
}

public static class TraceExtensions
{
    /// <summary>Reads the trace until <paramref name="note"/> (what came before is returned for assertions).</summary>
    public static async Task<List<string>> WaitForAsync(this ChannelReader<string> trace, string note, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var seen = new List<string>();
        while (true)
        {
            var item = await trace.ReadAsync(cts.Token);
            seen.Add(item);
            if (item == note)
            {
                return seen;
            }
        }
    }
}
