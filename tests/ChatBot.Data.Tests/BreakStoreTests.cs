using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

public abstract class BreakStoreTests(StoreEngine engine)
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);
    protected static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private static NewBreak Scheduled(ChannelKey channel, string drill, string slot) => new(channel, drill, BreakOrigin.Scheduled, T0, null, slot);

    [Fact]
    public async Task A_created_break_reads_back_as_stored()
    {
        var store = new TestStore(engine.NewDatabase());

        var (record, created) = await store.Breaks.CreateAsync(new NewBreak(General, "rotation", BreakOrigin.OnDemand, T0, "U1"), Ct);

        created.ShouldBeTrue();
        record.ShouldBe(new BreakRecord(record.Id, General, "rotation", BreakOrigin.OnDemand, T0, "U1", null));
        (await store.Breaks.GetAsync(record.Id, Ct)).ShouldBe(record);
        (await store.Breaks.GetAsync(record.Id + 1000, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_scheduled_slot_is_stored_once_per_channel_and_the_second_create_returns_the_same_break()
    {
        var store = new TestStore(engine.NewDatabase());

        var (first, created1) = await store.Breaks.CreateAsync(Scheduled(General, "extension", "0930@2026-11-24"), Ct);
        var (second, created2) = await store.Breaks.CreateAsync(Scheduled(General, "rotation", "0930@2026-11-24"), Ct);
        var (elsewhere, created3) = await store.Breaks.CreateAsync(Scheduled(Other, "rotation", "0930@2026-11-24"), Ct);
        var (nextSlot, created4) = await store.Breaks.CreateAsync(Scheduled(General, "rotation", "1400@2026-11-24"), Ct);

        created1.ShouldBeTrue();
        created2.ShouldBeFalse();
        second.ShouldBe(first);
        second.DrillId.ShouldBe("extension");
        created3.ShouldBeTrue();
        elsewhere.Id.ShouldNotBe(first.Id);
        created4.ShouldBeTrue();
        nextSlot.Id.ShouldNotBe(first.Id);
    }

    [Fact]
    public async Task On_demand_breaks_without_a_slot_key_are_all_stored()
    {
        var store = new TestStore(engine.NewDatabase());

        var a = await store.Breaks.CreateAsync(new NewBreak(General, "rotation", BreakOrigin.OnDemand, T0, "U1"), Ct);
        var b = await store.Breaks.CreateAsync(new NewBreak(General, "rotation", BreakOrigin.OnDemand, T0, "U1"), Ct);

        a.Created.ShouldBeTrue();
        b.Created.ShouldBeTrue();
        b.Break.Id.ShouldNotBe(a.Break.Id);
    }

    [Fact]
    public async Task The_last_drill_is_kept_per_channel()
    {
        var store = new TestStore(engine.NewDatabase());
        var otherTeam = new ChannelKey(ChatPlatform.Slack, "T2", General.ChannelId);
        (await store.Breaks.GetLastDrillAsync(General, Ct)).ShouldBeNull();

        await store.Breaks.CreateAsync(new NewBreak(General, "rotation", BreakOrigin.OnDemand, T0), Ct);
        await store.Breaks.CreateAsync(new NewBreak(Other, "catcamel", BreakOrigin.OnDemand, T0.AddMinutes(1)), Ct);
        await store.Breaks.CreateAsync(new NewBreak(General, "extension", BreakOrigin.OnDemand, T0.AddMinutes(2)), Ct);
        await store.Breaks.CreateAsync(new NewBreak(otherTeam, "warmup", BreakOrigin.OnDemand, T0.AddMinutes(3)), Ct);

        (await store.Breaks.GetLastDrillAsync(General, Ct)).ShouldBe("extension");
        (await store.Breaks.GetLastDrillAsync(Other, Ct)).ShouldBe("catcamel");
        (await store.Breaks.GetLastDrillAsync(otherTeam, Ct)).ShouldBe("warmup");
    }

    [Fact]
    public async Task A_claimed_step_is_already_posted_once_its_message_is_recorded()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();

        (await store.Breaks.ClaimPostAsync(breakId, 0, "w1", T0, Lease, Ct)).ShouldBe(new PostClaim.Granted(null));
        (await store.Breaks.GetPostedMessageIdAsync(breakId, 0, Ct)).ShouldBeNull();
        await store.Breaks.RecordPostAsync(breakId, 0, "msg-0", Ct);

        (await store.Breaks.ClaimPostAsync(breakId, 0, "w1", T0.AddSeconds(1), Lease, Ct)).ShouldBe(new PostClaim.AlreadyPosted("msg-0"));
        // Even long after the lease: a posted step never posts again.
        (await store.Breaks.ClaimPostAsync(breakId, 0, "w1", T0.AddDays(1), Lease, Ct)).ShouldBe(new PostClaim.AlreadyPosted("msg-0"));
        (await store.Breaks.GetPostedMessageIdAsync(breakId, 0, Ct)).ShouldBe("msg-0");
    }

    [Fact]
    public async Task A_live_claim_is_held_elsewhere_until_its_lease_runs_out()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();

        (await store.Breaks.ClaimPostAsync(breakId, 1, "w1", T0, Lease, Ct)).ShouldBeOfType<PostClaim.Granted>();

        (await store.Breaks.ClaimPostAsync(breakId, 1, "w1", T0.AddMinutes(1), Lease, Ct)).ShouldBe(new PostClaim.HeldElsewhere(T0 + Lease));
        // Other steps of the same break and the same step of another break are free.
        (await store.Breaks.ClaimPostAsync(breakId, 2, "w1", T0.AddMinutes(1), Lease, Ct)).ShouldBeOfType<PostClaim.Granted>();
        (await store.Breaks.ClaimPostAsync(await store.NewBreakAsync(), 1, "w1", T0.AddMinutes(1), Lease, Ct)).ShouldBeOfType<PostClaim.Granted>();
    }

    [Fact]
    public async Task An_expired_claim_without_a_message_id_is_granted_again_with_a_new_lease()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();
        await store.Breaks.ClaimPostAsync(breakId, 1, "w1", T0, Lease, Ct);

        var retry = T0 + Lease + TimeSpan.FromSeconds(1);
        (await store.Breaks.ClaimPostAsync(breakId, 1, "w1", retry, Lease, Ct)).ShouldBeOfType<PostClaim.Granted>();

        // The new holder's lease now protects it.
        (await store.Breaks.ClaimPostAsync(breakId, 1, "w1", retry.AddSeconds(30), Lease, Ct)).ShouldBe(new PostClaim.HeldElsewhere(retry + Lease));
    }

    [Fact]
    public async Task Releasing_a_claim_lets_a_retry_claim_at_once_but_never_undoes_a_recorded_post()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();
        await store.Breaks.ClaimPostAsync(breakId, 1, "w1", T0, Lease, Ct);

        await store.Breaks.ReleaseClaimAsync(breakId, 1, Ct);

        (await store.Breaks.ClaimPostAsync(breakId, 1, "w1", T0.AddSeconds(1), Lease, Ct)).ShouldBeOfType<PostClaim.Granted>();
        await store.Breaks.RecordPostAsync(breakId, 1, "msg-1", Ct);
        await store.Breaks.ReleaseClaimAsync(breakId, 1, Ct);
        (await store.Breaks.ClaimPostAsync(breakId, 1, "w1", T0.AddSeconds(2), Lease, Ct)).ShouldBe(new PostClaim.AlreadyPosted("msg-1"));
    }

    [Fact]
    public async Task A_granted_cue_claim_carries_the_prompts_message_id_once_step_0_is_recorded()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();
        await store.Breaks.ClaimPostAsync(breakId, 0, "w1", T0, Lease, Ct);
        (await store.Breaks.ClaimPostAsync(breakId, 1, "w1", T0, Lease, Ct)).ShouldBe(new PostClaim.Granted(null));

        await store.Breaks.RecordPostAsync(breakId, 0, "prompt-ts", Ct);

        (await store.Breaks.ClaimPostAsync(breakId, 2, "w1", T0.AddSeconds(20), Lease, Ct)).ShouldBe(new PostClaim.Granted("prompt-ts"));
        (await store.Breaks.ClaimPostAsync(breakId, 1, "w1", T0 + Lease + Lease, Lease, Ct)).ShouldBe(new PostClaim.Granted("prompt-ts", Resend: true));
    }

    [Fact]
    public async Task Recording_a_post_without_a_claim_still_marks_the_step_posted()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();

        await store.Breaks.RecordPostAsync(breakId, 3, "msg-3", Ct);

        (await store.Breaks.GetPostedMessageIdAsync(breakId, 3, Ct)).ShouldBe("msg-3");
        (await store.Breaks.ClaimPostAsync(breakId, 3, "w1", T0, Lease, Ct)).ShouldBe(new PostClaim.AlreadyPosted("msg-3"));
    }

    [Fact]
    public async Task Of_several_workers_claiming_the_same_step_at_once_exactly_one_is_granted()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var claims = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            return await store.Breaks.ClaimPostAsync(breakId, 0, "w1", T0, Lease, Ct);
        }, Ct)).ToList();
        go.SetResult();
        var results = await Task.WhenAll(claims).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        results.OfType<PostClaim.Granted>().Count().ShouldBe(1);
        results.OfType<PostClaim.HeldElsewhere>().Count().ShouldBe(9);
    }

    [Fact]
    public async Task A_claim_of_an_instance_whose_heartbeat_went_stale_is_free_while_a_live_instances_claim_holds()
    {
        // Several instances on one database (the PostgreSQL case): liveness comes from the heartbeat's age.
        var store = new TestStore(engine.NewDatabase(), clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0));
        var breakId = await store.NewBreakAsync();
        await using var connection = await store.Database.OpenAsync(Ct);
        await Dapper.SqlMapper.ExecuteAsync(
            connection,
            "INSERT INTO instances (id, started_at, last_seen) VALUES ('a', @t, @t), ('b', @t, @t);",
            new { t = T0.ToUnixTimeMilliseconds() });
        await store.Breaks.ClaimPostAsync(breakId, 1, "a", T0, Lease, Ct);
        await store.Breaks.ClaimPostAsync(breakId, 2, "b", T0, Lease, Ct);
        var later = T0 + BotInstance.DeadAfter + TimeSpan.FromSeconds(1);
        await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE instances SET last_seen = @t WHERE id = 'b';", new { t = later.ToUnixTimeMilliseconds() });

        (await store.Breaks.ClaimPostAsync(breakId, 1, "b", later, Lease, Ct)).ShouldBe(new PostClaim.Granted(null, Resend: true));
        (await store.Breaks.ClaimPostAsync(breakId, 2, "a", later, Lease, Ct)).ShouldBe(new PostClaim.HeldElsewhere(T0 + Lease));
    }

    [Fact]
    public async Task A_refusal_reads_back_on_the_break_and_takes_it_out_of_the_unfinished_ones()
    {
        var store = new TestStore(engine.NewDatabase());
        var refused = await store.NewBreakAsync();
        var finished = await store.NewBreakAsync();
        var open = await store.NewBreakAsync();
        await store.Breaks.RecordPostAsync(open, 0, "p", Ct);
        await store.Breaks.RecordPostAsync(open, 1, "c1", Ct);
        await store.Breaks.ClaimPostAsync(open, 2, "w1", T0, Lease, Ct); // in flight when the process died

        await store.Breaks.RecordRefusalAsync(refused, new BreakRefusal(0, PostRefusal.NotInChannel, "Slack chat.postMessage failed: channel_not_found"), T0, Ct);
        await store.Breaks.RecordFinishedAsync(finished, T0, Ct);

        (await store.Breaks.GetAsync(refused, Ct))!.Refusal.ShouldBe(new BreakRefusal(0, PostRefusal.NotInChannel, "Slack chat.postMessage failed: channel_not_found"));
        var unfinished = await store.Breaks.GetUnfinishedAsync(DateTimeOffset.MinValue, Ct);
        var only = unfinished.ShouldHaveSingleItem();
        only.Break.Id.ShouldBe(open);
        only.NextStep.ShouldBe(2);
        only.LastPostedAt.ShouldBe(store.Clock.GetUtcNow());
        (await store.Reopen().Breaks.GetUnfinishedAsync(only.Break.StartedAt.AddSeconds(1), Ct)).ShouldBeEmpty();
    }

    private protected static InstanceHeartbeat Heartbeat(TestStore store, string id) =>
        new(store.Database, new BotInstance(id), store.Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<InstanceHeartbeat>.Instance);
}

public sealed class BreakStoreTestsOnSqlite(TempDirectoryFixture engine) : BreakStoreTests(engine), IClassFixture<TempDirectoryFixture>
{
    [Fact]
    public async Task A_claim_left_by_the_previous_process_of_this_file_is_free_as_soon_as_the_next_one_starts()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();
        var crashed = Heartbeat(store, "crashed");
        await crashed.StartAsync(Ct);
        await store.Breaks.ClaimPostAsync(breakId, 1, "crashed", T0, Lease, Ct);
        (await store.Breaks.ClaimPostAsync(breakId, 1, "next", T0.AddSeconds(1), Lease, Ct)).ShouldBeOfType<PostClaim.HeldElsewhere>();

        // SIGKILL: no StopAsync. Only one process may use the file, so the next one to start ends every other row.
        await Heartbeat(store, "next").StartAsync(Ct);

        (await store.Breaks.ClaimPostAsync(breakId, 1, "next", T0.AddSeconds(2), Lease, Ct))
            .ShouldBe(new PostClaim.Granted(null, Resend: true)); // the dead holder may have sent it
    }
}

public sealed class BreakStoreTestsOnPostgres(PostgresCluster cluster) : BreakStoreTests(new PostgresEngine(cluster))
{
    private readonly PostgresEngine _engine = new(cluster);

    [Fact]
    public async Task An_instance_starting_on_the_shared_database_leaves_a_live_instances_claim_alone()
    {
        var store = new TestStore(_engine.NewDatabase());
        var breakId = await store.NewBreakAsync();
        await Heartbeat(store, "first").StartAsync(Ct);
        await store.Breaks.ClaimPostAsync(breakId, 1, "first", T0, Lease, Ct);

        // Several instances share a PostgreSQL database: a start says nothing about the others being gone.
        await Heartbeat(store, "second").StartAsync(Ct);

        (await store.Breaks.ClaimPostAsync(breakId, 1, "second", T0.AddSeconds(2), Lease, Ct)).ShouldBeOfType<PostClaim.HeldElsewhere>();
    }
}
