namespace ChatBot.Scheduling.Tests.Fakes;

/// <summary>The system clock read <paramref name="offset"/> later; timers run in real time.</summary>
internal sealed class LaterClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
