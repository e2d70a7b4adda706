using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Core.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each timer the code under test creates, with its due time,
/// so a test advances the clock only once the timer it means to fire exists (no read-then-register race).
/// </summary>
internal sealed class SignalingClock(DateTimeOffset start) : TimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Inner { get; } = new(start);

    public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

    public override long GetTimestamp() => Inner.GetTimestamp();

    public override TimeZoneInfo LocalTimeZone => Inner.LocalTimeZone;

    public override long TimestampFrequency => Inner.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Inner.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer created, waiting for it if none was created yet.</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromSeconds(30));
        return await _timers.Reader.ReadAsync(guard.Token);
    }
}
