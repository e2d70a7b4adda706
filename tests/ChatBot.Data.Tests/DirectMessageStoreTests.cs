using ChatBot.Core;
using ChatBot.Core.Ports;
using Dapper;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>The DM ledger: each DM is sent at most once, whichever instance claims it, and a refusal is told once.</summary>
public abstract class DirectMessageStoreTests(StoreEngine engine)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 15, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private static DirectMessageStore Ledger(TestStore store) => new(store.Database, store.Clock);

    [Fact]
    public async Task Instances_claiming_the_same_DMs_at_once_each_DM_goes_to_exactly_one_of_them()
    {
        var database = engine.NewDatabase();
        var instances = Enumerable.Range(0, 4).Select(_ => new TestStore(database)).ToList();
        await StartTogetherAsync(instances);
        var targets = Enumerable.Range(0, 60).Select(i => new DirectMessageTarget($"remind:{i}", Team, $"U{i}")).ToList();

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var passes = instances.Select((store, n) => Task.Run(async () =>
        {
            await go.Task;
            // Each instance asks in its own order, as passes that read the due list at different moments would.
            var mine = n % 2 == 0 ? targets : targets.AsEnumerable().Reverse().ToList();
            var claims = await Ledger(store).ClaimManyAsync(mine, $"instance-{n}", T0, Lease, Ct);
            return mine.Zip(claims, (target, claim) => (target.Key, claim, n)).ToList();
        }, Ct)).ToList();
        go.SetResult();
        var answers = (await Task.WhenAll(passes)).SelectMany(a => a).ToList();

        foreach (var key in targets.Select(t => t.Key))
        {
            var granted = answers.Where(a => a.Key == key && a.claim is DirectMessageClaim.Granted).ToList();
            granted.Count.ShouldBe(1, $"{key} must be sent by exactly one instance");
            ((DirectMessageClaim.Granted)granted[0].claim).Resend.ShouldBeFalse();
            answers.Where(a => a.Key == key && a.n != granted[0].n)
                .ShouldAllBe(a => a.claim == new DirectMessageClaim.HeldElsewhere(T0 + Lease));
        }
    }

    [Fact]
    public async Task A_sent_DM_is_never_sent_again_and_tells_where_it_went()
    {
        var store = new TestStore(engine.NewDatabase());
        var ledger = Ledger(store);

        (await ledger.ClaimAsync("snooze:7:U1", Team, "U1", "a", T0, Lease, Ct)).ShouldBe(new DirectMessageClaim.Granted(Resend: false));
        await ledger.RecordSentAsync("snooze:7:U1", new DirectMessageReceipt("D1", "M1"), T0, Ct);

        var receipt = new DirectMessageReceipt("D1", "M1");
        (await ledger.ClaimAsync("snooze:7:U1", Team, "U1", "b", T0.AddHours(1), Lease, Ct)).ShouldBe(new DirectMessageClaim.AlreadySent(receipt));
        (await ledger.GetSentAsync("snooze:7:U1", Ct)).ShouldBe(receipt);
        (await ledger.GetSentAsync("snooze:8:U1", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_released_claim_or_one_whose_lease_ran_out_is_granted_again_as_a_resend_but_a_live_holder_keeps_it()
    {
        var store = new TestStore(engine.NewDatabase());
        var ledger = Ledger(store);
        await ledger.ClaimAsync("remind:1", Team, "U1", "a", T0, Lease, Ct);
        await ledger.ClaimAsync("remind:2", Team, "U2", "a", T0, Lease, Ct);

        (await ledger.ClaimAsync("remind:1", Team, "U1", "b", T0.AddSeconds(30), Lease, Ct)).ShouldBe(new DirectMessageClaim.HeldElsewhere(T0 + Lease));
        await ledger.ReleaseAsync("remind:1", Ct);
        (await ledger.ClaimAsync("remind:1", Team, "U1", "b", T0.AddSeconds(31), Lease, Ct)).ShouldBe(new DirectMessageClaim.Granted(Resend: true));
        (await ledger.ClaimAsync("remind:2", Team, "U2", "b", T0 + Lease, Lease, Ct)).ShouldBe(new DirectMessageClaim.Granted(Resend: true));
    }

    [Fact]
    public async Task A_claim_whose_holder_stopped_beating_is_taken_over_before_its_lease_ends()
    {
        var store = new TestStore(engine.NewDatabase());
        var ledger = Ledger(store);
        await store.Database.EnsureInitializedAsync();
        var lastBeat = T0.ToUnixTimeMilliseconds();
        await using (var connection = store.OpenRaw())
        {
            await connection.ExecuteAsync(
                "INSERT INTO instances (id, started_at, last_seen) VALUES ('dead', @lastBeat, @lastBeat), ('alive', @lastBeat, @alive);",
                new { lastBeat, alive = lastBeat + 60_000 });
        }

        await ledger.ClaimAsync("remind:1", Team, "U1", "dead", T0, TimeSpan.FromMinutes(10), Ct);
        await ledger.ClaimAsync("remind:2", Team, "U2", "alive", T0, TimeSpan.FromMinutes(10), Ct);
        var oneMinuteLater = T0.AddMinutes(1);

        var claims = await ledger.ClaimManyAsync(
            [new("remind:1", Team, "U1"), new("remind:2", Team, "U2")], "survivor", oneMinuteLater, Lease, Ct);

        claims.ShouldBe([new DirectMessageClaim.Granted(Resend: true), new DirectMessageClaim.HeldElsewhere(T0.AddMinutes(10))]);
    }

    [Fact]
    public async Task A_refused_DM_is_closed_for_good_and_the_person_is_told_once_until_a_DM_reaches_them_again()
    {
        var store = new TestStore(engine.NewDatabase());
        var ledger = Ledger(store);
        await ledger.ClaimAsync("remind:1", Team, "U1", "a", T0, Lease, Ct);

        await ledger.RecordRefusedAsync("remind:1", Team, "U1", "cannot_dm_user", T0, Ct);

        (await ledger.ClaimAsync("remind:1", Team, "U1", "b", T0.AddHours(1), Lease, Ct)).ShouldBe(new DirectMessageClaim.Refused());
        (await ledger.TakeRefusalAsync(Team, "U2", Ct)).ShouldBeNull();
        (await ledger.TakeRefusalAsync(Team, "U1", Ct)).ShouldBe("cannot_dm_user");
        (await ledger.TakeRefusalAsync(Team, "U1", Ct)).ShouldBeNull("the note is given once");

        // Refused again, then a later DM gets through: the pending note goes, as DMs reach them again.
        await ledger.ClaimAsync("remind:2", Team, "U1", "a", T0, Lease, Ct);
        await ledger.RecordRefusedAsync("remind:2", Team, "U1", "messages_closed", T0, Ct);
        await ledger.ClaimAsync("remind:3", Team, "U1", "a", T0, Lease, Ct);
        await ledger.RecordSentManyAsync([("remind:3", new DirectMessageReceipt("D1", "M3"))], T0, Ct);
        (await Ledger(store).TakeRefusalAsync(Team, "U1", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Replies_asking_at_once_for_a_stale_refusal_snapshot_share_one_read_of_the_table()
    {
        var (store, counting, ledger) = await CountedLedgerAsync();
        await ledger.ClaimAsync("remind:1", Team, "U1", "a", T0, Lease, Ct);
        await ledger.RecordRefusedAsync("remind:1", Team, "U1", "cannot_dm_user", T0, Ct);
        (await ledger.TakeRefusalAsync(Team, "U2", Ct)).ShouldBeNull();
        store.Clock.Advance(DirectMessageStore.RefusalSnapshotAge);
        var before = counting.Opened;

        // The read is held until every reply has asked, so they all find the snapshot stale.
        var held = counting.HoldNext();
        var notes = Enumerable.Range(0, 50).Select(_ => ledger.TakeRefusalAsync(Team, "U2", Ct)).ToList();
        held.Release();

        (await Task.WhenAll(notes)).ShouldAllBe(note => note == null);
        (counting.Opened - before).ShouldBe(1, "one read of dm_refusals for all 50 replies");
        (await ledger.TakeRefusalAsync(Team, "U1", Ct)).ShouldBe("cannot_dm_user", "the fresh snapshot has U1's note");
    }

    [Fact]
    public async Task A_refusal_recorded_while_the_snapshot_is_being_read_is_noted_at_once()
    {
        var (store, counting, ledger) = await CountedLedgerAsync();
        (await ledger.TakeRefusalAsync(Team, "U2", Ct)).ShouldBeNull();
        store.Clock.Advance(DirectMessageStore.RefusalSnapshotAge);
        var held = counting.HoldNext();
        var first = ledger.TakeRefusalAsync(Team, "U2", Ct);
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        foreach (var user in new[] { "U5", "U6" })
        {
            await ledger.ClaimAsync("remind:" + user, Team, user, "a", T0, Lease, Ct);
            await ledger.RecordRefusedAsync("remind:" + user, Team, user, "messages_closed", T0, Ct);
        }

        // Asked after the change: not answered from the read begun before it.
        (await ledger.TakeRefusalAsync(Team, "U5", Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct)).ShouldBe("messages_closed");
        held.Release();
        (await first).ShouldBeNull();

        (await ledger.TakeRefusalAsync(Team, "U6", Ct)).ShouldBe("messages_closed");
    }

    private async Task<(TestStore Store, CountingDatabase Counting, DirectMessageStore Ledger)> CountedLedgerAsync()
    {
        var store = new TestStore(engine.NewDatabase());
        var counting = new CountingDatabase(store.Database);
        await counting.EnsureInitializedAsync();
        return (store, counting, new DirectMessageStore(counting, store.Clock));
    }

    /// <summary>The same database, counting the connections opened through it; <see cref="HoldNext"/> holds the next one.</summary>
    private sealed class CountingDatabase(Database inner) : Database(inner.Dialect, inner.Workdays, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
    {
        private int _opened;
        private Held? _next;

        public int Opened => Volatile.Read(ref _opened);

        public override string Location => inner.Location;

        public Held HoldNext() => _next = new Held();

        protected override async Task<System.Data.Common.DbConnection> OpenRawAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _opened);
            if (Interlocked.Exchange(ref _next, null) is { } held)
            {
                held.Reach();
                await held.Released.WaitAsync(cancellationToken);
            }

            return await inner.OpenAsync(cancellationToken);
        }
    }

    private sealed class Held
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public Task Released => _released.Task;

        public void Reach() => _reached.TrySetResult();

        public void Release() => _released.TrySetResult();
    }
}

public sealed class DirectMessageStoreTestsOnSqlite(TempDirectoryFixture engine) : DirectMessageStoreTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class DirectMessageStoreTestsOnPostgres(PostgresCluster cluster) : DirectMessageStoreTests(new PostgresEngine(cluster));
