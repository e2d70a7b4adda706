using System.Text.Json;
using System.Threading.Channels;
using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Data;
using ChatBot.Discord.Gateway;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

/// <summary>
/// Gateway sharding: bot instances (each a real adapter against one fake Discord) share the shards through shard
/// leases in one database, take over a dead instance's shard, and register <c>/drill</c> once.
/// </summary>
public sealed class ShardingTests : IAsyncLifetime
{
    /// <summary>Long enough that no heartbeat is ever missed while the test moves the clock in 10 s steps.</summary>
    private const int HeartbeatMs = 600_000;

    private readonly TempSqliteDatabase _shared = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly List<Instance> _instances = [];
    private FakeDiscord _discord = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _discord = await FakeDiscord.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.Hosted.StopAsync(CancellationToken.None); // no database write after this
            await instance.Harness.DisposeAsync();
        }

        await _discord.DisposeAsync();
        _shared.Dispose();
    }

    [Fact]
    public async Task ThreeInstancesWithThreeShards_RunOneEach_RegisterCommandsOnce_AndASurvivorTakesOverADeadOnesShard()
    {
        GatewayBot(shards: 1, maxConcurrency: 16); // every shard its own identify bucket: no pacing in this test
        var a = await StartInstanceAsync("a");
        var b = await StartInstanceAsync("b");
        var c = await StartInstanceAsync("c", crashes: true);
        foreach (var instance in new[] { a, b, c })
        {
            await instance.Trace.WaitForAsync("joined");
        }

        _clock.Advance(DiscordShardManager.RenewInterval);
        var identified = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            identified.Add(await IdentifyNextConnectionAsync());
        }

        identified.Order().ShouldBe(["[0,3]", "[1,3]", "[2,3]"]);
        new[] { a, b, c }.Select(i => i.Manager.RunningShards.Count).ShouldAllBe(count => count == 1);
        await _discord.NextRequestAsync(r => r.Route == "PUT applications/111/commands"); // beside shard 0's connect, after its GET
        _discord.Requests.Count(r => r.Route == "PUT applications/111/commands").ShouldBe(1);
        _discord.Requests.Count(r => r.Route == "GET applications/111/commands").ShouldBe(1);

        await a.Trace.WaitForAsync("renewed");
        await b.Trace.WaitForAsync("renewed");

        // c dies: its shard stops without its lease being given back.
        var orphan = c.Manager.RunningShards.ShouldHaveSingleItem();
        await c.Hosted.StopAsync(Ct);
        for (var elapsed = TimeSpan.Zero; elapsed <= DiscordShardManager.LeaseDuration; elapsed += DiscordShardManager.RenewInterval)
        {
            _clock.Advance(DiscordShardManager.RenewInterval);
            await a.Trace.WaitForAsync("renewed");
            await b.Trace.WaitForAsync("renewed");
        }

        (await IdentifyNextConnectionAsync()).ShouldBe($"[{orphan},3]");
        a.Manager.RunningShards.Concat(b.Manager.RunningShards).Order().ShouldBe([0, 1, 2]);
        _discord.Requests.Count(r => r.Route == "PUT applications/111/commands").ShouldBe(1);
    }

    [Fact]
    public async Task AnInstanceJoiningLater_GetsItsFairShare_AndTheShardItTakesIsClosedWhereItRanBefore()
    {
        GatewayBot(shards: 1, maxConcurrency: 16);
        var a = await StartInstanceAsync("a", configure: settings => settings["Discord:ShardCount"] = "2");
        await a.Trace.WaitForAsync("joined");
        _clock.Advance(DiscordShardManager.RenewInterval);
        var first = new Dictionary<string, FakeGatewayConnection>();
        for (var i = 0; i < 2; i++)
        {
            var connection = await _discord.NextConnectionAsync();
            first[await IdentifyAsync(connection)] = connection;
        }

        first.Keys.Order().ShouldBe(["[0,2]", "[1,2]"]);
        await a.Trace.WaitForAsync("renewed");

        var b = await StartInstanceAsync("b", configure: settings => settings["Discord:ShardCount"] = "2");
        await b.Trace.WaitForAsync("joined");
        while (b.Manager.RunningShards.Count == 0)
        {
            _clock.Advance(DiscordShardManager.RenewInterval);
            await a.Trace.WaitForAsync("renewed");
            await b.Trace.WaitForAsync("renewed");
        }

        b.Manager.RunningShards.ShouldBe([1]);
        a.Manager.RunningShards.ShouldBe([0]);
        (await first["[1,2]"].ClientClosed.WaitAsync(TimeSpan.FromSeconds(10), Ct)).ShouldBe(1000);
        (await IdentifyNextConnectionAsync()).ShouldBe("[1,2]");
        first["[0,2]"].ClientClosed.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task IdentifiesOfTwoInstances_ShareTheRateLimitBucketThroughTheDatabase()
    {
        GatewayBot(shards: 1, maxConcurrency: 1);
        var a = await StartInstanceAsync("a", configure: settings => (settings["Discord:ShardCount"], settings["Discord:ShardIds"]) = ("2", "0"));
        var b = await StartInstanceAsync("b", configure: settings => (settings["Discord:ShardCount"], settings["Discord:ShardIds"]) = ("2", "1"));
        var connections = new List<FakeGatewayConnection>();
        for (var i = 0; i < 2; i++)
        {
            var connection = await _discord.NextConnectionAsync();
            await connection.HelloAsync(HeartbeatMs);
            connections.Add(connection);
        }

        // max_concurrency 1: one bucket for both shards, so one instance waits the 5 s window.
        var waitingLine = (Func<string, bool>)(line => line.Contains("waiting 5000 ms for an identify slot", StringComparison.Ordinal));
        await Task.WhenAny(a.Logs.WaitForAsync(waitingLine), b.Logs.WaitForAsync(waitingLine)).Unwrap();
        _clock.Advance(IdentifyGate.Window);
        var shards = new List<string>();
        foreach (var connection in connections)
        {
            shards.Add(ShardOf(await connection.ExpectAsync(2)));
        }

        shards.Order().ShouldBe(["[0,2]", "[1,2]"]);
        (a.Logs.Lines.Count(waitingLine) + b.Logs.Lines.Count(waitingLine)).ShouldBe(1);
    }

    [Fact]
    public async Task ExplicitShardIds_AreTheOnlyShardsThisInstanceRuns()
    {
        var instance = await StartInstanceAsync("a", configure: settings => settings["Discord:ShardIds"] = "2", leases: false);

        (await IdentifyNextConnectionAsync()).ShouldBe("[2,3]");
        await instance.Trace.WaitForAsync("ready");
        instance.Manager.RunningShards.ShouldBe([2]);
        _discord.Connections.Reader.TryRead(out _).ShouldBeFalse();
        _discord.Requests.ShouldNotContain(r => r.Route == "PUT applications/111/commands"); // shard 0's instance registers
    }

    [Fact]
    public async Task AutoShardCount_ComesFromGatewayBot_AndIdentifiesArePacedPerMaxConcurrencyBucket()
    {
        GatewayBot(shards: 4, maxConcurrency: 2);
        var instance = await StartInstanceAsync("a", configure: settings => settings["Discord:ShardCount"] = "auto", leases: false);

        var connections = new List<FakeGatewayConnection>();
        for (var i = 0; i < 4; i++)
        {
            var connection = await _discord.NextConnectionAsync();
            await connection.HelloAsync(HeartbeatMs);
            connections.Add(connection);
        }

        // Buckets are id % 2: in each, one shard identifies now and the other waits the 5 s window.
        await instance.Logs.WaitForAsync(line => line.Contains("waiting 5000 ms for an identify slot", StringComparison.Ordinal)
            && instance.Logs.Lines.Count(l => l.Contains("waiting 5000 ms for an identify slot", StringComparison.Ordinal)) == 2);
        var waiting = instance.Logs.Lines
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"shard (\d) waiting 5000 ms"))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        waiting.Select(id => id % 2).Order().ShouldBe([0, 1]);

        _clock.Advance(IdentifyGate.Window);
        var shards = new List<string>();
        foreach (var connection in connections)
        {
            shards.Add(ShardOf(await connection.ExpectAsync(2)));
        }

        shards.Order().ShouldBe(["[0,4]", "[1,4]", "[2,4]", "[3,4]"]);
        instance.Logs.Lines.ShouldContain(l => l.Contains("gateway/bot recommends 4 shards (max_concurrency 2)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("3", "5", "Discord:ShardIds:0 is 5, outside [0, 3)")]
    [InlineData("3", "one", "Discord:ShardIds:0 must be a shard id")]
    [InlineData("0", "", "Discord:ShardCount must be a whole number of at least 1, or 'auto'")]
    [InlineData("many", "", "Discord:ShardCount must be a whole number of at least 1, or 'auto'")]
    public void BadShardSettings_AreRefusedAtStart_NamingTheKey(string count, string ids, string expected)
    {
        var options = new DiscordOptions { BotToken = "token", ShardCount = count, ShardIds = ids.Length == 0 ? [] : [ids] };

        var result = new DiscordOptions.Validator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain(expected);
    }

    private static string ShardOf(JsonElement identify) =>
        identify.GetProperty("d").GetProperty("shard").GetRawText().Replace(" ", string.Empty, StringComparison.Ordinal);

    private void GatewayBot(int shards, int maxConcurrency) =>
        _discord.RestHandler = (request, _) => request.Route == "GET gateway/bot"
            ? new FakeResponse(200, $$$"""{"url":"{{{_discord.GatewayUrl.ToString().TrimEnd('/')}}}","shards":{{{shards}}},"session_start_limit":{"total":1000,"remaining":990,"reset_after":14400000,"max_concurrency":{{{maxConcurrency}}}}}""")
            : null;

    private async Task<string> IdentifyNextConnectionAsync() => await IdentifyAsync(await _discord.NextConnectionAsync());

    private static async Task<string> IdentifyAsync(FakeGatewayConnection connection)
    {
        await connection.HelloAsync(HeartbeatMs);
        var identify = await connection.ExpectAsync(2);
        await connection.ReadyAsync(1, "session-" + ShardOf(identify));
        return ShardOf(identify);
    }

    private async Task<Instance> StartInstanceAsync(string id, bool crashes = false, Action<Dictionary<string, string?>>? configure = null, bool leases = true)
    {
        IShardLeaseStore store = new ShardLeaseStore(_shared.Database, new BotInstance(id), _clock);
        if (crashes)
        {
            store = new CrashingInstanceLeases(store);
        }

        var harness = await DiscordHarness.StartAsync(
            _clock,
            settings =>
            {
                settings["Discord:ShardCount"] = "3";
                configure?.Invoke(settings);
            },
            _discord,
            services =>
            {
                if (leases)
                {
                    services.AddSingleton(store);
                }
            });
        var trace = Channel.CreateUnbounded<string>();
        var manager = harness.Services.GetRequiredService<DiscordShardManager>();
        manager.Trace = trace.Writer;
        var hosted = harness.Services.GetRequiredService<DiscordGatewayHostedService>();
        var instance = new Instance(harness, manager, hosted, trace.Reader);
        _instances.Add(instance);
        await hosted.StartAsync(Ct);
        return instance;
    }

    private sealed record Instance(DiscordHarness Harness, DiscordShardManager Manager, DiscordGatewayHostedService Hosted, ChannelReader<string> Trace)
    {
        public ChatBot.Testing.CapturingLoggerProvider Logs => Harness.Logs;
    }

    /// <summary>An instance that dies: its stop never gives its leases back (as when the process is killed).</summary>
    private sealed class CrashingInstanceLeases(IShardLeaseStore inner) : IShardLeaseStore
    {
        public Task<IReadOnlyList<int>> RenewAsync(int shardCount, TimeSpan lease, bool claim, CancellationToken cancellationToken) =>
            inner.RenewAsync(shardCount, lease, claim, cancellationToken);

        public Task<TimeSpan> TryTakeIdentifySlotAsync(int bucket, TimeSpan window, CancellationToken cancellationToken) =>
            inner.TryTakeIdentifySlotAsync(bucket, window, cancellationToken);

        public Task ReleaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
