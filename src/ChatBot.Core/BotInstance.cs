using System.Globalization;

namespace ChatBot.Core;

/// <summary>
/// This process, as the database knows it: every post claim records the instance that made it, and each
/// instance renews a heartbeat row every <see cref="HeartbeatInterval"/>. A claim whose instance has ended or
/// missed its heartbeat for <see cref="DeadAfter"/> belonged to a dead process and is taken over at once,
/// instead of waiting out the claim's lease. Liveness lives in the database, so it holds across processes.
/// </summary>
public sealed class BotInstance
{
    /// <summary>How often the instance row's <c>last_seen</c> is renewed.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>An instance not seen for this long (four missed beats) is dead.</summary>
    public static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(20);

    public BotInstance()
        : this(string.Create(
            CultureInfo.InvariantCulture,
            $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}"))
    {
    }

    /// <param name="id">Unique across every process that ever used the database (host:pid:random by default).</param>
    public BotInstance(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
    }

    /// <summary>host:pid:random, at most about 80 characters.</summary>
    public string Id { get; }
}
