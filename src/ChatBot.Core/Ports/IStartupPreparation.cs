namespace ChatBot.Core.Ports;

/// <summary>
/// Start-up work the host begins while it still checks the drill catalogue and the database (the longest step of a
/// start), so the two overlap on a second core. Only calls that read belong here (Slack: <c>auth.test</c>; Discord:
/// <c>GET gateway/bot</c>), never one that opens a socket a platform delivers events to: when a check fails
/// afterwards, nothing took a command. The service that needs the result awaits (Slack) or takes (Discord) the same
/// work, and does it itself in a host that did not begin it.
/// </summary>
public interface IStartupPreparation
{
    /// <summary>Begins the work on the thread pool unless it has begun; returns at once and never throws.</summary>
    void Begin();
}
