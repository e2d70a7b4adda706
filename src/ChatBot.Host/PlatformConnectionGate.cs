using ChatBot.Core.Ports;
using Microsoft.Extensions.Logging;

namespace ChatBot.Host;

/// <summary>
/// Holds the deferred hosted services (the job server, the schedule sync; see <see cref="DeferredHostedService"/>)
/// back until every <see cref="IPlatformConnection"/> is up (Slack: a Socket Mode socket said hello; Discord:
/// every shard is READY). Started at the same moment, their start-up work took CPU from the connect: on two cores,
/// 0.45–0.51 s to connected with them held back against 0.48–0.59 s without (bench/ChatBot.Peers.Bench, 8 rounds
/// of each platform).
/// It waits at most <see cref="AtMost"/>, so schedules still run while a platform is unreachable, and not at all
/// once a fatal error was reported (the bot is about to stop). It reads the connections' state every 20 ms rather
/// than going through the health checks: their first run cost the connect about as much as it saved.
/// </summary>
internal sealed partial class PlatformConnectionGate(
    IEnumerable<IPlatformConnection> connections,
    IFatalErrorReporter fatal,
    ILogger<PlatformConnectionGate> logger)
{
    /// <summary>The longest the deferred services wait for the platforms: 2 s.</summary>
    public static readonly TimeSpan DefaultAtMost = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly IPlatformConnection[] _connections = [.. connections];
    private Task? _passed;

    /// <summary>The longest the deferred services wait (<see cref="DefaultAtMost"/> unless a test sets it).</summary>
    public TimeSpan AtMost { get; init; } = DefaultAtMost;

    /// <summary>
    /// Completes once the platforms are connected, <see cref="AtMost"/> has passed, or a fatal error was reported;
    /// every caller shares the first wait (the host starts its services one after another).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the host is stopping).</exception>
    public Task WaitAsync(CancellationToken cancellationToken) => _passed ??= WaitOnceAsync(cancellationToken);

    private async Task WaitOnceAsync(CancellationToken cancellationToken)
    {
        if (_connections.All(connection => connection.IsConnected))
        {
            return;
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, fatal.FatalReported);
        waiting.CancelAfter(AtMost);
        using var poll = new PeriodicTimer(PollInterval);
        try
        {
            while (!_connections.All(connection => connection.IsConnected))
            {
                await poll.WaitForNextTickAsync(waiting.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (!fatal.FatalReported.IsCancellationRequested)
            {
                var down = _connections.Where(connection => !connection.IsConnected).Select(connection => connection.Name);
                LogNotConnected(logger, AtMost.TotalSeconds, string.Join(", ", down));
            }
        }
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Starting the job server without waiting longer: after {Seconds} s still not connected: {Connections}")]
    private static partial void LogNotConnected(ILogger logger, double seconds, string connections);
}
