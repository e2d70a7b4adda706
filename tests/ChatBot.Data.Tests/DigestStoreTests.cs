using ChatBot.Core.Digests;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>The digest's counts, its setting, the scheduled post claimed once and the on-demand turn, on each engine.</summary>
public abstract class DigestStoreTests(StoreEngine engine)
{
    private static readonly DateTimeOffset Saturday = new(2026, 11, 28, 18, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Counts_are_per_day_of_the_given_boundaries_by_drill_with_people_per_day_and_over_the_span()
    {
        var store = new TestStore(engine.NewDatabase());
        await store.TakeBreakAsync("U1", Nov(22)); // the day before the span
        var monday = await store.NewBreakAsync(day: Nov(23));
        await store.ClickAsync("U1", monday, Nov(23));
        await store.ClickAsync("U2", monday, Nov(23));
        await store.SelfLogAsync("U3", Nov(23));
        await store.TakeBreakAsync("U1", Nov(25));
        await store.TakeBreakAsync("U1", Nov(25));
        await store.TakeBreakAsync("U4", Nov(25), Other); // another channel
        await store.TakeBreakAsync("U2", Nov(30)); // the day after

        // Days that start at noon: each completion (at noon) lies on its day's first instant.
        var dates = Enumerable.Range(23, 7).Select(Nov).ToList();
        var boundaries = Enumerable.Range(23, 8).Select(day => Noon(new DateOnly(2026, 11, 1).AddDays(day - 1))).ToList();
        var counts = await new DigestStore(store.Database).CountAsync(General, dates, boundaries, Ct);

        counts.Days.Select(d => d.Date).ShouldBe(dates);
        counts.Days[0].Breaks.ShouldBe([0, 2, 0, 0, 1], "two Done clicks on a rotation break, one break on one's own");
        counts.Days[0].People.ShouldBe(3);
        counts.Days[1].Breaks.Sum().ShouldBe(0);
        counts.Days[1].People.ShouldBe(0);
        counts.Days[2].Breaks.ShouldBe([0, 2, 0, 0, 0]);
        counts.Days[2].People.ShouldBe(1);
        counts.Days.Skip(3).ShouldAllBe(d => d.People == 0);
        counts.People.ShouldBe(3, "U1 on two days counts once");

        await Should.ThrowAsync<ArgumentException>(new DigestStore(store.Database).CountAsync(General, dates, boundaries.Take(7).ToList(), Ct));
    }

    [Fact]
    public async Task A_channels_setting_reads_back_and_defaults_to_on_at_the_default_slot()
    {
        var store = new TestStore(engine.NewDatabase());
        var digests = new DigestStore(store.Database);
        (await digests.GetSettingAsync(General, Ct)).ShouldBe(DigestSetting.Default);

        var friday = new DigestSetting(true, new DigestSlot(DayOfWeek.Friday, new TimeOnly(15, 30)));
        await digests.SetSettingAsync(General, friday, Ct);
        await digests.SetSettingAsync(Other, new DigestSetting(false, null), Ct);

        (await digests.GetSettingAsync(General, Ct)).ShouldBe(friday);
        (await digests.GetSettingAsync(Other, Ct)).ShouldBe(new DigestSetting(false, null));
    }

    [Fact]
    public async Task Instances_claiming_the_weeks_digest_at_once_post_it_once_and_a_released_claim_is_taken_again()
    {
        var database = engine.NewDatabase();
        var instances = Enumerable.Range(0, 4).Select(_ => new TestStore(database)).ToList();
        await StartTogetherAsync(instances);

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = instances.Select(store => Task.Run(async () =>
        {
            await go.Task;
            return await new DigestStore(store.Database).ClaimPostAsync(General, "week@2026-11-23", Saturday, Lease, Ct);
        }, Ct)).ToList();
        go.SetResult();
        (await Task.WhenAll(claims)).Count(won => won).ShouldBe(1);

        var digests = new DigestStore(instances[0].Database);
        (await digests.ClaimPostAsync(General, "week@2026-11-23", Saturday + Lease, Lease, Ct)).ShouldBeTrue("the lease ran out: the holder died");
        await digests.ReleaseClaimAsync(General, "week@2026-11-23", Ct);
        (await digests.ClaimPostAsync(General, "week@2026-11-23", Saturday + Lease, Lease, Ct)).ShouldBeTrue("released after a failed post");
        await digests.RecordPostAsync(General, "week@2026-11-23", "M1", Saturday + Lease, Ct);
        (await digests.ClaimPostAsync(General, "week@2026-11-23", Saturday.AddDays(1), Lease, Ct)).ShouldBeFalse("posted: never again");
        (await digests.ClaimPostAsync(Other, "week@2026-11-23", Saturday, Lease, Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task The_on_demand_turn_is_one_per_interval_per_channel_and_says_when_the_next_one_is()
    {
        var database = engine.NewDatabase();
        var first = new DigestStore(new TestStore(database).Database);
        var second = new DigestStore(new TestStore(database).Database);
        var interval = TimeSpan.FromMinutes(10);

        (await first.TryTakeOnDemandTurnAsync(General, Saturday, interval, Ct)).ShouldBeNull();
        (await second.TryTakeOnDemandTurnAsync(General, Saturday.AddMinutes(3), interval, Ct)).ShouldBe(Saturday + interval);
        (await second.TryTakeOnDemandTurnAsync(Other, Saturday.AddMinutes(3), interval, Ct)).ShouldBeNull();
        (await second.TryTakeOnDemandTurnAsync(General, Saturday + interval, interval, Ct)).ShouldBeNull();
        (await first.TryTakeOnDemandTurnAsync(General, Saturday + interval, interval, Ct)).ShouldBe(Saturday + interval + interval);
    }
}

public sealed class DigestStoreTestsOnSqlite(TempDirectoryFixture engine) : DigestStoreTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class DigestStoreTestsOnPostgres(PostgresCluster cluster) : DigestStoreTests(new PostgresEngine(cluster));
