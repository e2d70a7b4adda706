using System.Diagnostics.Metrics;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatBot.Core.Telemetry;

/// <summary>
/// The <c>chatbot.breaks.active</c> gauge (unit <c>{break}</c>): breaks neither finished nor refused, started
/// within <see cref="UnfinishedBreak.ResumeWindow"/>, counted in the database (<see cref="IBreakStore.CountUnfinishedAsync"/>),
/// so every instance on one database reports the same figure and a restart loses nothing.
/// Observable callbacks are synchronous and run at every scrape or export: the count is kept for <see cref="MaxAge"/>;
/// a stale one is refreshed by one query at a time, which the callback waits for at most <see cref="RefreshWait"/>
/// before it reports the last count it has (nothing before the first count is in).
/// </summary>
public sealed partial class ActiveBreaksGauge
{
    /// <summary>How long a count is reported without asking the database again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    /// <summary>How long a scrape waits for a fresh count before it reports the previous one.</summary>
    public static readonly TimeSpan RefreshWait = TimeSpan.FromMilliseconds(500);

    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider clock;
    private readonly ILogger<ActiveBreaksGauge> logger;
    private readonly Lock gate = new();
    private Count? last;
    private Task refresh = Task.CompletedTask;

    /// <summary>Creates the instrument on the host's <see cref="ChatBotTelemetry.MeterName"/> meter.</summary>
    /// <param name="scopes">Each refresh reads <see cref="IBreakStore"/> in a scope of its own.</param>
    public ActiveBreaksGauge(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider clock, ILogger<ActiveBreaksGauge> logger)
    {
        this.scopes = scopes;
        this.clock = clock;
        this.logger = logger;
        meters.Create(ChatBotTelemetry.MeterName).CreateObservableUpDownCounter(
            "chatbot.breaks.active",
            Observe,
            "{break}",
            "Breaks whose thread has steps left to post (neither finished nor refused, started within the last day), from the database.");
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        var current = Volatile.Read(ref last);
        if (current is null || clock.GetUtcNow() - current.At >= MaxAge)
        {
            // RefreshAsync never throws, so Wait only says whether it finished in time.
            if (StartRefresh().Wait(RefreshWait))
            {
                current = Volatile.Read(ref last);
            }
        }

        return current is null ? [] : [new Measurement<long>(current.Value)];
    }

    private Task StartRefresh()
    {
        lock (gate)
        {
            if (refresh.IsCompleted)
            {
                refresh = Task.Run(RefreshAsync);
            }

            return refresh;
        }
    }

    private async Task RefreshAsync()
    {
        var at = clock.GetUtcNow();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IBreakStore>();
            var count = await store.CountUnfinishedAsync(at - UnfinishedBreak.ResumeWindow, CancellationToken.None);
            Volatile.Write(ref last, new Count(count, at));
        }
        catch (Exception exception)
        {
            // A scrape must not fail because the database does not answer (readiness reports that): keep the last count.
            LogRefreshFailed(logger, exception);
        }
    }

    [LoggerMessage(EventId = 3392, Level = LogLevel.Warning, Message = "The active breaks could not be counted; the gauge keeps its last count")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    private sealed record Count(long Value, DateTimeOffset At);
}
