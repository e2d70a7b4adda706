namespace ChatBot.Core.Ports;

/// <summary>
/// A connection the bot keeps open to a chat platform (Slack Socket Mode, the Discord gateway), as start-up sees
/// it: the host starts the job server and the schedule sync once every such connection is up, so their start-up
/// work doesn't slow the connect. A platform reached over HTTP only (Slack's HTTP mode) registers none.
/// </summary>
public interface IPlatformConnection
{
    /// <summary>What to call it in a log line, e.g. "Slack Socket Mode".</summary>
    string Name { get; }

    /// <summary>True while it can take commands (Slack: a socket said <c>hello</c>; Discord: every shard is READY).</summary>
    bool IsConnected { get; }
}
