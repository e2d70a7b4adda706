namespace ChatBot.Discord.Gateway;

/// <summary>
/// Discord allows 120 gateway sends per connection per 60 s. This sliding window lets ordinary payloads use
/// all but <see cref="HeartbeatReserve"/> of them, so a heartbeat always has room.
/// </summary>
internal sealed class GatewaySendLimiter(TimeProvider time, int limit = 120, int heartbeatReserve = 3)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private readonly Queue<DateTimeOffset> _sent = new();

    public int HeartbeatReserve => heartbeatReserve;

    /// <summary>How long the next send must wait (zero: now). Call <see cref="Record"/> after sending.</summary>
    public TimeSpan DelayFor(bool isHeartbeat)
    {
        var now = time.GetUtcNow();
        while (_sent.Count > 0 && now - _sent.Peek() >= Window)
        {
            _sent.Dequeue();
        }

        var allowed = isHeartbeat ? limit : limit - heartbeatReserve;
        if (_sent.Count < allowed)
        {
            return TimeSpan.Zero;
        }

        // The send that must age out before ours fits.
        var blocking = _sent.ElementAt(_sent.Count - allowed);
        return blocking + Window - now;
    }

    public void Record() => _sent.Enqueue(time.GetUtcNow());
}
