using System.Collections.Concurrent;
using System.Threading.Channels;
using ChatBot.Core.Ports;
using ChatBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord.Gateway;

/// <summary>
/// Runs this instance's Gateway shards: <c>Discord:ShardCount</c> (a number, or <c>auto</c> = <c>shards</c> from
/// <c>GET gateway/bot</c>) and <c>Discord:ShardIds</c> (explicit ids; empty = all of them on a lone instance, or,
/// with a database, the shards this instance holds a lease on through <see cref="IShardLeaseStore"/>). Leases are
/// renewed every <see cref="RenewInterval"/> and last <see cref="LeaseDuration"/>: a dead instance's shards are
/// taken over within a minute, and a shard whose lease is lost is closed here. Each shard is one
/// <see cref="DiscordGatewayClient"/>; their IDENTIFYs share one <see cref="IdentifyGate"/> (across instances too, with a
/// shared database). Whoever starts shard 0
/// runs <c>onShardZero</c> (command registration) alongside its first connect, so that happens once across instances.
/// </summary>
public sealed partial class DiscordShardManager(
    DiscordRestClient rest,
    DiscordGatewayClient singleShard,
    IOptions<DiscordOptions> options,
    IGatewayInteractionSink sink,
    IFatalErrorReporter fatal,
    ILoggerFactory loggers,
    TimeProvider time,
    IShardLeaseStore? leases = null) : IPlatformConnection
{
    /// <summary>How long a shard lease lasts without renewal (30 s): a dead instance's shards move within a minute.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    /// <summary>How often leases are renewed and rebalanced (10 s).</summary>
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = loggers.CreateLogger<DiscordShardManager>();
    private readonly IdentifyGate _gate = new(time, leases, loggers.CreateLogger<IdentifyGate>());
    private readonly ConcurrentDictionary<int, RunningShard> _running = new();
    private readonly ConcurrentBag<DiscordGatewayClient> _everRun = [];
    private Task? _shardZeroWork;
    private CancellationTokenSource? _ended;
    private volatile bool _assigned;

    /// <summary>The shard ids running now, ascending.</summary>
    public IReadOnlyList<int> RunningShards => [.. _running.Keys.Order()];

    /// <summary>
    /// True once this instance knows its shards and every one of them is READY or RESUMED (an instance whose fair
    /// share is none is ready: it still runs schedules).
    /// </summary>
    public bool IsReady => _assigned && _running.Values.All(shard => shard.Client.IsReady);

    string IPlatformConnection.Name => "Discord gateway";

    bool IPlatformConnection.IsConnected => IsReady;

    /// <summary>Test hook: "joined", "renewed", "start:N", "stop:N" as they happen (and each shard client's own notes).</summary>
    internal ChannelWriter<string>? Trace { get; set; }

    /// <summary>Waits for the interactions every shard received to finish (see <see cref="DiscordGatewayClient.DrainInteractionsAsync"/>).</summary>
    public async Task<int> DrainInteractionsAsync(CancellationToken cancellationToken)
    {
        var counts = await Task.WhenAll(_everRun.Distinct().Select(client => client.DrainInteractionsAsync(cancellationToken)));
        return counts.Sum();
    }

    /// <summary>
    /// Runs until <paramref name="stoppingToken"/> fires (then releases its leases), or a shard's connection ends on
    /// its own (a fatal close, already reported), which stops them all.
    /// </summary>
    /// <param name="onShardZero">
    /// Started once, as shard 0 first connects in this process (e.g. command registration); not awaited before the
    /// connect, awaited before this returns. An error it doesn't handle itself is reported as fatal (the host stops).
    /// </param>
    /// <param name="hostStopping">Stops every shard.</param>
    public async Task RunAsync(Func<CancellationToken, Task> onShardZero, CancellationToken hostStopping)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(hostStopping);
        _ended = ended;
        var stoppingToken = ended.Token;
        try
        {
            var count = await ResolveShardCountAsync(stoppingToken);
            if (count is null)
            {
                return;
            }

            var fixedIds = options.Value.ParsedShardIds;
            if (fixedIds.Where(id => id >= count).ToList() is [var outside, ..])
            {
                // Only reachable with ShardCount auto; a fixed count is checked by the options validator at start.
                fatal.ReportFatal("Discord", $"Discord:ShardIds contains {outside}, outside [0, {count}) of the {count} shards gateway/bot recommends (Discord:ShardCount auto)");
                return;
            }

            if (fixedIds.Count > 0 || leases is null)
            {
                await ApplyAsync(fixedIds.Count > 0 ? fixedIds : [.. Enumerable.Range(0, count.Value)], count.Value, onShardZero, stoppingToken);
                _assigned = true;
                await Task.Delay(Timeout.InfiniteTimeSpan, time, stoppingToken);
            }
            else
            {
                await RunLeasedAsync(leases, count.Value, onShardZero, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await ApplyAsync([], 0, onShardZero, CancellationToken.None);
            if (_shardZeroWork is { } work)
            {
                try
                {
                    await work;
                }
                catch (OperationCanceledException)
                {
                    // stopping
                }
            }
        }
    }

    private async Task RunLeasedAsync(IShardLeaseStore store, int count, Func<CancellationToken, Task> onShardZero, CancellationToken stoppingToken)
    {
        var joined = false;
        var renewedAt = time.GetUtcNow();
        try
        {
            while (true)
            {
                string? note = null;
                try
                {
                    var claimed = joined;
                    var held = await store.RenewAsync(count, LeaseDuration, claimed, stoppingToken);
                    renewedAt = time.GetUtcNow();
                    await ApplyAsync(held, count, onShardZero, stoppingToken);
                    _assigned = _assigned || claimed;
                    joined = true;
                    note = claimed ? "renewed" : "joined";
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogRenewFailed(_logger, exception);
                    if (time.GetUtcNow() - renewedAt >= LeaseDuration)
                    {
                        // Our leases have lapsed: another instance may run these shards now.
                        await ApplyAsync([], count, onShardZero, stoppingToken);
                    }
                }

                var pause = Task.Delay(RenewInterval, time, stoppingToken);
                if (note is not null)
                {
                    Note(note); // once the next renewal is scheduled, so a test may move the clock
                }

                await pause;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await ApplyAsync([], count, onShardZero, CancellationToken.None);
            try
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await store.ReleaseAsync(limit.Token);
            }
#pragma warning disable CA1031 // stopping anyway: unreleased leases lapse after LeaseDuration
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogReleaseFailed(_logger, exception);
            }
        }
    }

    private async Task<int?> ResolveShardCountAsync(CancellationToken stoppingToken)
    {
        if (options.Value.FixedShardCount is { } fixedCount)
        {
            return fixedCount;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var info = await rest.GetGatewayBotAsync(stoppingToken);
                _gate.MaxConcurrency = info.MaxConcurrency;
                LogAutoShards(_logger, info.Shards, info.MaxConcurrency);
                return info.Shards;
            }
            catch (DiscordApiException ex) when (ex.IsPermanent)
            {
                if (ex.Status != System.Net.HttpStatusCode.Unauthorized)
                {
                    fatal.ReportFatal("Discord", "Discord:ShardCount is auto but GET gateway/bot failed: " + ex.Message, ex);
                }

                return null;
            }
            catch (Exception ex) when (ex is DiscordApiException or HttpRequestException or IOException or TimeoutException
                || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                var delay = Core.Backoff.Exponential(attempt, options.Value.ReconnectBaseDelay, options.Value.ReconnectMaxDelay);
                LogAutoShardsFailed(_logger, ex.GetType().Name, delay.TotalSeconds);
                await Task.Delay(delay, time, stoppingToken);
            }
        }
    }

    /// <summary>Starts the shards in <paramref name="wanted"/> not running yet and stops those running but not wanted.</summary>
    private async Task ApplyAsync(IReadOnlyList<int> wanted, int count, Func<CancellationToken, Task> onShardZero, CancellationToken cancellationToken)
    {
        foreach (var (id, shard) in _running.Where(r => !wanted.Contains(r.Key)).ToList())
        {
            _running.TryRemove(id, out _);
            await shard.Stop.CancelAsync();
            await shard.Run;
            shard.Stop.Dispose();
            LogShardStopped(_logger, id, count);
            Note("stop:" + id);
        }

        foreach (var id in wanted.Where(id => !_running.ContainsKey(id)))
        {
            if (id == 0 && _shardZeroWork is null)
            {
                // Alongside the connect, not before it: neither needs the other, and the bot is connected a few
                // REST round trips sooner (measured with bench/ChatBot.Peers.Bench).
                _shardZeroWork = Task.Run(
                    async () =>
                    {
                        try
                        {
                            await onShardZero(cancellationToken);
                        }
                        catch (Exception exception) when (exception is not OperationCanceledException)
                        {
                            fatal.ReportFatal("Discord", "setting up the application failed: " + exception.Message, exception);
                        }
                    },
                    CancellationToken.None);
            }

            var client = count == 1 && id == 0
                ? singleShard
                : new DiscordGatewayClient(rest, options, sink, fatal, loggers.CreateLogger<DiscordGatewayClient>(), time, null, id, count, _gate);
            if (client.Trace is null && Trace is not null)
            {
                client.Trace = Trace;
            }

            _everRun.Add(client);
            var stop = new CancellationTokenSource();
            var ended = _ended;
            _running[id] = new RunningShard(client, stop, Task.Run(
                async () =>
                {
                    await client.RunAsync(stop.Token);
                    try
                    {
                        if (!stop.IsCancellationRequested && ended is not null)
                        {
                            await ended.CancelAsync(); // a fatal close (reported by the client): stop every shard
                        }
                    }
                    catch (ObjectDisposedException)
                    {
                        // the manager has finished already
                    }
                },
                CancellationToken.None));
            LogShardStarted(_logger, id, count);
            Note("start:" + id);
        }
    }

    private void Note(string what) => Trace?.TryWrite(what);

    private sealed record RunningShard(DiscordGatewayClient Client, CancellationTokenSource Stop, Task Run);

    [LoggerMessage(EventId = 2700, Level = LogLevel.Information, Message = "Discord shard [{ShardId}, {ShardCount}] started on this instance")]
    private static partial void LogShardStarted(ILogger logger, int shardId, int shardCount);

    [LoggerMessage(EventId = 2701, Level = LogLevel.Information, Message = "Discord shard [{ShardId}, {ShardCount}] stopped on this instance (lease given up or lost, or stopping)")]
    private static partial void LogShardStopped(ILogger logger, int shardId, int shardCount);

    [LoggerMessage(EventId = 2702, Level = LogLevel.Warning, Message = "Discord shard leases not renewed; retrying in 10 s (shards stop once their lease ran out)")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2703, Level = LogLevel.Warning, Message = "Discord shard leases not released at stop; they lapse on their own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2704, Level = LogLevel.Information, Message = "Discord:ShardCount auto: gateway/bot recommends {Shards} shards (max_concurrency {MaxConcurrency})")]
    private static partial void LogAutoShards(ILogger logger, int shards, int maxConcurrency);

    [LoggerMessage(EventId = 2705, Level = LogLevel.Warning, Message = "Discord:ShardCount auto: GET gateway/bot failed ({Fault}); retrying in {Seconds:0.0} s")]
    private static partial void LogAutoShardsFailed(ILogger logger, string fault, double seconds);
}
