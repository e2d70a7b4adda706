using ChatBot.Core;
using ChatBot.Core.Ports;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>
/// Snoozes and daily reminders as the minute passes of several instances see them: one snooze per break and person,
/// one reminder per person and local day, and a failed one resent only while it still helps.
/// </summary>
public abstract class PersonalStoreTests(StoreEngine engine)
{
    private const string KeyPrefix = "remind:";

    /// <summary>Tuesday 24 November 2026, 15:00 UTC: the reminders below are due then.</summary>
    private static readonly DateTimeOffset Due = new(2026, 11, 24, 15, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Window = TimeSpan.FromHours(2);

    private static ReminderSetting Reminder(string userId, DateOnly day, DateTimeOffset dueAt) =>
        new(Team, userId, $"Person {userId}", new TimeOnly(dueAt.Hour, dueAt.Minute), "UTC", day, dueAt);

    /// <summary>What a pass does with a due reminder: move it to the next day and send today's.</summary>
    private static ReminderAdvance Tomorrow(ReminderSetting due) => new(due, due.NextDay.AddDays(1), due.NextDueAt.AddDays(1), "rotation");

    [Fact]
    public async Task Snooze_tapped_on_several_instances_at_once_is_created_once_and_knows_when_the_break_is_done()
    {
        var database = engine.NewDatabase();
        var instances = Enumerable.Range(0, 3).Select(_ => new TestStore(database)).ToList();
        await StartTogetherAsync(instances);
        var breakId = await instances[0].NewBreakAsync();

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var taps = instances.Select((store, n) => Task.Run(async () =>
        {
            await go.Task;
            return await new SnoozeStore(store.Database).AddAsync(breakId, Team, "U1", "Ann", Due.AddMinutes(10 + n), Ct);
        }, Ct)).ToList();
        go.SetResult();
        var results = await Task.WhenAll(taps);

        results.Count(r => r.Created).ShouldBe(1);
        results.Select(r => r.Snooze).Distinct().ShouldHaveSingleItem().Done.ShouldBeFalse();
        var snoozes = new SnoozeStore(instances[1].Database);
        (await snoozes.AddAsync(breakId, Team, "U2", "Bo", Due, Ct)).Created.ShouldBeTrue("another person snoozes the same break");

        await instances[0].ClickAsync("U1", breakId, Nov(24));
        var snooze = (await snoozes.GetAsync(breakId, "U1", Ct)).ShouldNotBeNull();
        snooze.Done.ShouldBeTrue();
        snooze.DisplayName.ShouldBe("Ann");
        await snoozes.RemoveAsync(breakId, "U1", Ct);
        (await snoozes.GetAsync(breakId, "U1", Ct)).ShouldBeNull();
        (await snoozes.GetAsync(breakId, "U2", Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task The_due_list_holds_reminders_up_to_now_earliest_first_with_the_persons_day_away_or_logged()
    {
        var store = new TestStore(engine.NewDatabase());
        var reminders = new ReminderStore(store.Database);
        await reminders.SetAsync(Reminder("U1", Nov(24), Due), Ct);
        await reminders.SetAsync(Reminder("U2", Nov(24), Due.AddMinutes(-30)), Ct);
        await reminders.SetAsync(Reminder("U3", Nov(24), Due.AddMinutes(-5)), Ct);
        await reminders.SetAsync(Reminder("U4", Nov(24), Due.AddMinutes(1)), Ct);
        await store.SelfLogAsync("U2", Nov(24));
        await store.Away.AddAsync(Team, "U3", Nov(24), Nov(24), Ct);

        var due = await reminders.GetDueAsync(Due, 10, Ct);

        due.Select(d => (d.Setting.UserId, d.Away, d.Logged)).ShouldBe([("U2", false, true), ("U3", true, false), ("U1", false, false)]);
        due[2].Setting.ShouldBe(Reminder("U1", Nov(24), Due));
        (await reminders.GetDueAsync(Due, 2, Ct)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Passes_of_several_instances_at_once_send_each_person_one_reminder_for_the_day()
    {
        var database = engine.NewDatabase();
        var instances = Enumerable.Range(0, 3).Select(_ => new TestStore(database)).ToList();
        await StartTogetherAsync(instances);
        var people = Enumerable.Range(0, 40).Select(i => $"U{i:00}").ToList();
        foreach (var user in people)
        {
            await new ReminderStore(instances[0].Database).SetAsync(Reminder(user, Nov(24), Due), Ct);
        }

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var passes = instances.Select(store => Task.Run(async () =>
        {
            var reminders = new ReminderStore(store.Database);
            var due = await reminders.GetDueAsync(Due, 100, Ct);
            await go.Task;
            return await reminders.AdvanceAsync(due.Select(d => Tomorrow(d.Setting)).ToList(), Ct);
        }, Ct)).ToList();
        go.SetResult();
        var sent = (await Task.WhenAll(passes)).SelectMany(s => s).ToList();

        sent.Select(s => s.UserId).Order().ShouldBe(people);
        sent.ShouldAllBe(s => s.Day == Nov(24) && s.DrillId == "rotation");
        sent.Select(s => s.Id).Distinct().Count().ShouldBe(people.Count);
        var reminders = new ReminderStore(instances[0].Database);
        (await reminders.GetDueAsync(Due, 100, Ct)).ShouldBeEmpty();
        (await reminders.GetAsync(Team, "U00", Ct)).ShouldBe(Reminder("U00", Nov(25), Due.AddDays(1)));
        (await reminders.GetSentAsync(sent[0].Id, Ct)).ShouldBe(sent[0]);
    }

    [Fact]
    public async Task A_day_is_sent_once_even_when_a_stale_pass_advances_the_same_occurrence_again()
    {
        var store = new TestStore(engine.NewDatabase());
        var reminders = new ReminderStore(store.Database);
        var setting = Reminder("U1", Nov(24), Due);
        await reminders.SetAsync(setting, Ct);

        (await reminders.AdvanceAsync([Tomorrow(setting)], Ct)).ShouldHaveSingleItem();
        (await reminders.AdvanceAsync([Tomorrow(setting)], Ct)).ShouldBeEmpty();

        // Set again for the same day (a new time): the day's reminder was sent, so none goes a second time.
        var again = Reminder("U1", Nov(24), Due.AddHours(2));
        await reminders.SetAsync(again, Ct);
        (await reminders.AdvanceAsync([Tomorrow(again)], Ct)).ShouldBeEmpty();
        (await reminders.GetDueAsync(Due.AddHours(2), 10, Ct)).ShouldBeEmpty("the reminder moved on to tomorrow");
    }

    [Fact]
    public async Task A_reminder_whose_DM_did_not_go_is_resent_within_the_window_unless_sent_refused_held_logged_away_or_removed()
    {
        var store = new TestStore(engine.NewDatabase());
        var reminders = new ReminderStore(store.Database);
        var ledger = new DirectMessageStore(store.Database, store.Clock);
        string[] people = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"];
        foreach (var user in people)
        {
            await reminders.SetAsync(Reminder(user, Nov(24), Due), Ct);
        }

        var sent = (await reminders.AdvanceAsync(people.Select(u => Tomorrow(Reminder(u, Nov(24), Due))).ToList(), Ct)).ToDictionary(s => s.UserId);
        string Key(string user) => KeyPrefix + sent[user].Id;
        var later = Due.AddMinutes(10);
        // U1: never claimed (its sender died before). U2: sent. U3: refused. U4: held by a live sender.
        // U5: claim released after a transient failure. U6 logged a break, U7 is away that day, U8 removed the reminder.
        await ledger.ClaimAsync(Key("U2"), Team, "U2", "a", Due, TimeSpan.FromMinutes(2), Ct);
        await ledger.RecordSentAsync(Key("U2"), new DirectMessageReceipt("D2", "M2"), Due, Ct);
        await ledger.ClaimAsync(Key("U3"), Team, "U3", "a", Due, TimeSpan.FromMinutes(2), Ct);
        await ledger.RecordRefusedAsync(Key("U3"), Team, "U3", "closed", Due, Ct);
        await ledger.ClaimAsync(Key("U4"), Team, "U4", "a", later.AddMinutes(-1), TimeSpan.FromMinutes(2), Ct);
        await ledger.ClaimAsync(Key("U5"), Team, "U5", "a", Due, TimeSpan.FromMinutes(2), Ct);
        await ledger.ReleaseAsync(Key("U5"), Ct);
        await store.SelfLogAsync("U6", Nov(24));
        await store.Away.AddAsync(Team, "U7", Nov(24), Nov(24), Ct);
        await reminders.RemoveAsync(Team, "U8", Ct);

        var unsent = await reminders.GetUnsentAsync(later, Window, KeyPrefix, 100, Ct);

        unsent.Select(s => s.UserId).ShouldBe(["U1", "U5"], ignoreOrder: true);
        unsent.ShouldContain(sent["U1"]);
        (await reminders.GetUnsentAsync(later, Window, KeyPrefix, 1, Ct)).Count.ShouldBe(1);
        (await reminders.GetUnsentAsync(later.AddMinutes(2), Window, KeyPrefix, 100, Ct)).Select(s => s.UserId)
            .ShouldBe(["U1", "U4", "U5"], ignoreOrder: true, "U4's sender's lease ran out");
        (await reminders.GetUnsentAsync(Due + Window + TimeSpan.FromMinutes(1), Window, KeyPrefix, 100, Ct))
            .ShouldBeEmpty("too late to help: outside the catch-up window");
    }
}

public sealed class PersonalStoreTestsOnSqlite(TempDirectoryFixture engine) : PersonalStoreTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class PersonalStoreTestsOnPostgres(PostgresCluster cluster) : PersonalStoreTests(new PostgresEngine(cluster));
