using ChatBot.Core;
using ChatBot.Core.Ports;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>
/// Shared inbound de-duplication: instances on one database claim Slack envelope ids, so a delivery Slack gives
/// to two instances runs once, and after the claim's lifetime the id is new again.
/// </summary>
public abstract class InboundClaimTests(StoreEngine engine)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private InboundClaimStore Instance(Database database, string id) => new(database, new BotInstance(id), _clock);

    [Fact]
    public async Task SameEnvelopeOnTwoInstances_IsClaimedOnce_AndTheOtherLearnsWhenItWasHandled()
    {
        var database = engine.NewDatabase().Open("Mon-Fri");
        var a = Instance(database, "a");
        var b = Instance(database, "b");

        (await a.TryClaimAsync("env-1", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);
        (await b.TryClaimAsync("env-1", Lifetime, Ct)).ShouldBe(InboundClaim.PendingElsewhere);

        await a.CompleteAsync("env-1", handled: true, Ct);
        (await b.TryClaimAsync("env-1", Lifetime, Ct)).ShouldBe(InboundClaim.HandledElsewhere);
        (await b.TryClaimAsync("env-2", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);
    }

    [Fact]
    public async Task AfterItsLifetime_TheSameEnvelopeIsNewAgain_AndThePurgeRemovesOnlyExpiredClaims()
    {
        var database = engine.NewDatabase().Open("Mon-Fri");
        var a = Instance(database, "a");
        var b = Instance(database, "b");
        (await a.TryClaimAsync("env-old", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);
        await a.CompleteAsync("env-old", handled: true, Ct);

        _clock.Advance(Lifetime - TimeSpan.FromSeconds(1));
        (await b.TryClaimAsync("env-old", Lifetime, Ct)).ShouldBe(InboundClaim.HandledElsewhere);
        (await a.TryClaimAsync("env-young", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);

        _clock.Advance(TimeSpan.FromSeconds(1));
        (await a.PurgeExpiredAsync(Ct)).ShouldBe(1);
        (await b.TryClaimAsync("env-old", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);
        (await b.TryClaimAsync("env-young", Lifetime, Ct)).ShouldBe(InboundClaim.PendingElsewhere);
    }

    [Fact]
    public async Task AnExpiredClaimNotYetPurged_IsTakenOverAtOnce()
    {
        var database = engine.NewDatabase().Open("Mon-Fri");
        (await Instance(database, "a").TryClaimAsync("env-1", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);

        _clock.Advance(Lifetime);

        (await Instance(database, "b").TryClaimAsync("env-1", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);
    }

    [Fact]
    public async Task AFailedDelivery_DropsItsClaim_SoTheNextDeliveryRunsOnAnotherInstance()
    {
        var database = engine.NewDatabase().Open("Mon-Fri");
        var a = Instance(database, "a");
        var b = Instance(database, "b");
        (await a.TryClaimAsync("env-1", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);

        await a.CompleteAsync("env-1", handled: false, Ct);

        (await b.TryClaimAsync("env-1", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);
    }

    [Fact]
    public async Task AnUnhandledClaimOfADeadInstance_IsTakenOver_ButOneOfALiveInstanceIsNot()
    {
        var database = engine.NewDatabase().Open("Mon-Fri");
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        await database.EnsureInitializedAsync();
        await using (var connection = await database.OpenAsync(Ct))
        {
            await connection.ExecuteAsync(
                "INSERT INTO instances (id, started_at, last_seen) VALUES ('dead', @now, @now), ('alive', @now, @now);", new { now });
        }

        (await Instance(database, "dead").TryClaimAsync("env-dead", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);
        (await Instance(database, "alive").TryClaimAsync("env-alive", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);
        _clock.Advance(BotInstance.DeadAfter + TimeSpan.FromSeconds(1));
        await using (var connection = await database.OpenAsync(Ct))
        {
            await connection.ExecuteAsync("UPDATE instances SET last_seen = @now WHERE id = 'alive';", new { now = _clock.GetUtcNow().ToUnixTimeMilliseconds() });
        }

        var survivor = Instance(database, "survivor");
        (await survivor.TryClaimAsync("env-dead", Lifetime, Ct)).ShouldBe(InboundClaim.Claimed);
        (await survivor.TryClaimAsync("env-alive", Lifetime, Ct)).ShouldBe(InboundClaim.PendingElsewhere);
    }

    [Fact]
    public async Task EightInstancesRacingForOneEnvelope_OneWins()
    {
        var where = engine.NewDatabase();
        var instances = Enumerable.Range(0, 8).Select(i => Instance(where.Open("Mon-Fri"), "i" + i)).ToList();
        await instances[0].PurgeExpiredAsync(Ct); // migrate once, so the race is about the claim

        for (var round = 0; round < 5; round++)
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var claims = instances.Select(store => Task.Run(async () =>
            {
                await go.Task;
                return await store.TryClaimAsync("env-race-" + round, Lifetime, Ct);
            }, Ct)).ToList();
            go.SetResult();

            var outcomes = await Task.WhenAll(claims).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            outcomes.Count(o => o == InboundClaim.Claimed).ShouldBe(1, $"round {round}");
        }
    }
}

public sealed class InboundClaimTestsOnSqlite(TempDirectoryFixture engine) : InboundClaimTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class InboundClaimTestsOnPostgres(PostgresCluster cluster) : InboundClaimTests(new PostgresEngine(cluster));
