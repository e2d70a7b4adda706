using Microsoft.Extensions.Logging;

namespace ChatBot.Slack;

/// <summary>
/// The Information view of Slack's traffic. The line per slash command or button tap is Debug (under load,
/// writing one per command cost about a third of Slack's CPU); this counts them and writes one Information line
/// per <see cref="Interval"/> with the totals by outcome, only when there were any, and the rest when the bot stops.
/// </summary>
public sealed partial class SlackCommandSummary : IDisposable
{
    /// <summary>How often the totals are written (one minute).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider time;
    private readonly ILogger<SlackCommandSummary> logger;
    private readonly ITimer timer;
    private readonly Lock gate = new();
    private long since;
    private long inAck;
    private long afterAck;
    private long failed;
    private long taps;

    public SlackCommandSummary(TimeProvider time, ILogger<SlackCommandSummary> logger)
    {
        this.time = time;
        this.logger = logger;
        since = time.GetTimestamp();
        timer = time.CreateTimer(_ => Write(), null, Interval, Interval);
    }

    /// <summary>A slash command was answered: in its ack (<paramref name="inAck"/>) or after it (response_url or Web API).</summary>
    public void Answered(bool inAck) => Interlocked.Increment(ref inAck ? ref this.inAck : ref afterAck);

    /// <summary>A slash command failed and got the "something went wrong" answer.</summary>
    public void Failed() => Interlocked.Increment(ref failed);

    /// <summary>A button tap was handled.</summary>
    public void Tapped() => Interlocked.Increment(ref taps);

    public void Dispose()
    {
        timer.Dispose();
        Write();
    }

    private void Write()
    {
        long answered, late, errors, tapped, started;
        lock (gate)
        {
            answered = Interlocked.Exchange(ref inAck, 0);
            late = Interlocked.Exchange(ref afterAck, 0);
            errors = Interlocked.Exchange(ref failed, 0);
            tapped = Interlocked.Exchange(ref taps, 0);
            started = since;
            since = time.GetTimestamp();
        }

        if (answered + late + errors + tapped > 0)
        {
            LogSummary(logger, answered + late + errors, Math.Round(time.GetElapsedTime(started).TotalSeconds), answered, late, errors, tapped);
        }
    }

    [LoggerMessage(
        EventId = 1210,
        Level = LogLevel.Information,
        Message = "Slack: {Commands} slash commands in the last {Seconds} s ({InAck} answered in the ack, {AfterAck} after it, {Failed} failed), {Taps} button taps")]
    private static partial void LogSummary(ILogger logger, long commands, double seconds, long inAck, long afterAck, long failed, long taps);
}
