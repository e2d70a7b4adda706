using ChatBot.Core;
using Microsoft.Extensions.Time.Testing;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>Discord shard leases: instances on one database share the shards fairly and take over a dead one's.</summary>
public abstract class ShardLeaseTests(StoreEngine engine)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Renew = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ThreeInstancesJoiningTogether_EndWithOneShardEach_AndASurvivorTakesOverADeadOnesShard()
    {
        var where = engine.NewDatabase();
        var stores = new[] { "a", "b", "c" }.Select(id => new ShardLeaseStore(where.Open("Mon-Fri"), new BotInstance(id), _clock)).ToList();
        foreach (var store in stores)
        {
            (await store.RenewAsync(3, Lease, claim: false, Ct)).ShouldBeEmpty();
        }

        var held = new List<IReadOnlyList<int>>();
        foreach (var store in stores)
        {
            held.Add(await store.RenewAsync(3, Lease, claim: true, Ct));
        }

        held.Select(h => h.Count).ShouldAllBe(count => count == 1);
        held.SelectMany(h => h).Order().ShouldBe([0, 1, 2]);

        // c dies without releasing: within the lease its shard stays its own, after it a survivor has it.
        var survivors = stores.Take(2).ToList();
        for (var elapsed = Renew; elapsed <= Lease + Renew; elapsed += Renew)
        {
            _clock.Advance(Renew);
            held = [];
            foreach (var store in survivors)
            {
                held.Add(await store.RenewAsync(3, Lease, claim: true, Ct));
            }

            if (elapsed < Lease)
            {
                held.SelectMany(h => h).Count().ShouldBe(2, $"after {elapsed}");
            }
        }

        held.SelectMany(h => h).Order().ShouldBe([0, 1, 2]);
        held.Select(h => h.Count).Order().ShouldBe([1, 2]);
    }

    [Fact]
    public async Task ALoneInstance_TakesEveryShard_AndGivesBackItsExcessWhenAnotherJoins()
    {
        var where = engine.NewDatabase();
        var a = new ShardLeaseStore(where.Open("Mon-Fri"), new BotInstance("a"), _clock);
        var b = new ShardLeaseStore(where.Open("Mon-Fri"), new BotInstance("b"), _clock);
        await a.RenewAsync(4, Lease, claim: false, Ct);
        (await a.RenewAsync(4, Lease, claim: true, Ct)).ShouldBe([0, 1, 2, 3]);

        (await b.RenewAsync(4, Lease, claim: false, Ct)).ShouldBeEmpty();
        (await b.RenewAsync(4, Lease, claim: true, Ct)).ShouldBeEmpty(); // a still holds them all
        (await a.RenewAsync(4, Lease, claim: true, Ct)).ShouldBe([0, 1]);
        (await b.RenewAsync(4, Lease, claim: true, Ct)).ShouldBe([2, 3]);
    }

    [Fact]
    public async Task ACleanStop_ReleasesAtOnce()
    {
        var where = engine.NewDatabase();
        var a = new ShardLeaseStore(where.Open("Mon-Fri"), new BotInstance("a"), _clock);
        var b = new ShardLeaseStore(where.Open("Mon-Fri"), new BotInstance("b"), _clock);
        await a.RenewAsync(2, Lease, claim: false, Ct);
        await b.RenewAsync(2, Lease, claim: false, Ct);
        (await a.RenewAsync(2, Lease, claim: true, Ct)).ShouldBe([0]);
        (await b.RenewAsync(2, Lease, claim: true, Ct)).ShouldBe([1]);

        await a.ReleaseAsync(Ct);

        (await b.RenewAsync(2, Lease, claim: true, Ct)).ShouldBe([0, 1]);
    }

    [Fact]
    public async Task AnIdentifySlot_IsOneInstancesPerBucketPerWindow()
    {
        var where = engine.NewDatabase();
        var a = new ShardLeaseStore(where.Open("Mon-Fri"), new BotInstance("a"), _clock);
        var b = new ShardLeaseStore(where.Open("Mon-Fri"), new BotInstance("b"), _clock);
        var window = TimeSpan.FromSeconds(5);

        (await a.TryTakeIdentifySlotAsync(0, window, Ct)).ShouldBe(TimeSpan.Zero);
        (await b.TryTakeIdentifySlotAsync(1, window, Ct)).ShouldBe(TimeSpan.Zero);
        _clock.Advance(TimeSpan.FromSeconds(2));
        (await b.TryTakeIdentifySlotAsync(0, window, Ct)).ShouldBe(TimeSpan.FromSeconds(3));

        _clock.Advance(TimeSpan.FromSeconds(3));
        (await b.TryTakeIdentifySlotAsync(0, window, Ct)).ShouldBe(TimeSpan.Zero);
        (await a.TryTakeIdentifySlotAsync(0, window, Ct)).ShouldBe(window);
    }

    [Fact]
    public async Task FiveInstancesClaimingAtOnce_NeverShareAShard()
    {
        var where = engine.NewDatabase();
        var stores = Enumerable.Range(0, 5).Select(i => new ShardLeaseStore(where.Open("Mon-Fri"), new BotInstance("i" + i), _clock)).ToList();
        foreach (var store in stores)
        {
            await store.RenewAsync(5, Lease, claim: false, Ct);
        }

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = stores.Select(store => Task.Run(async () =>
        {
            await go.Task;
            return await store.RenewAsync(5, Lease, claim: true, Ct);
        }, Ct)).ToList();
        go.SetResult();

        var held = await Task.WhenAll(claims).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        held.SelectMany(h => h).Order().ShouldBe([0, 1, 2, 3, 4]);
    }
}

public sealed class ShardLeaseTestsOnSqlite(TempDirectoryFixture engine) : ShardLeaseTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class ShardLeaseTestsOnPostgres(PostgresCluster cluster) : ShardLeaseTests(new PostgresEngine(cluster));
