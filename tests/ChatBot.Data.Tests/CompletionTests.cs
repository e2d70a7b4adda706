using ChatBot.Core;
using ChatBot.Core.Streaks;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

public abstract class CompletionTests(StoreEngine engine)
{
    [Fact]
    public async Task The_same_break_clicked_twice_counts_once()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();

        (await store.ClickAsync("U1", breakId, Nov(24))).ShouldBe(CompletionOutcome.Recorded);
        (await store.ClickAsync("U1", breakId, Nov(24))).ShouldBe(CompletionOutcome.Duplicate);
        // A redelivered click late in the evening, stamped with another day, is still the same break.
        (await store.ClickAsync("U1", breakId, Nov(25))).ShouldBe(CompletionOutcome.Duplicate);

        (await store.Completions.CountForBreakAsync(breakId, Ct)).ShouldBe(1);
        var stats = await store.StreakAsync("U1", Nov(25));
        stats.TotalBreaks.ShouldBe(1);
        stats.DaysDone.ShouldBe([Nov(24)]);
        (await store.Completions.GetLeaderboardAsync(General, null, "UTC", Noon(Nov(24)), 10, Ct)).ShouldHaveSingleItem().BreaksInPeriod.ShouldBe(1);
    }

    [Fact]
    public async Task The_same_break_clicked_concurrently_from_several_tasks_counts_once()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();
        await store.Database.EnsureInitializedAsync();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var clicks = Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            return await store.ClickAsync("U1", breakId, Nov(24));
        }, Ct)).ToList();
        go.SetResult();
        var outcomes = await Task.WhenAll(clicks).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        outcomes.Count(o => o == CompletionOutcome.Recorded).ShouldBe(1);
        outcomes.Count(o => o == CompletionOutcome.Duplicate).ShouldBe(11);
        (await store.Completions.CountForBreakAsync(breakId, Ct)).ShouldBe(1);
        (await store.StreakAsync("U1", Nov(24))).TotalBreaks.ShouldBe(1);
        (await store.Completions.GetLeaderboardAsync(General, null, "UTC", Noon(Nov(24)), 10, Ct)).ShouldHaveSingleItem().BreaksInPeriod.ShouldBe(1);
    }

    [Fact]
    public async Task The_same_click_delivered_to_two_instances_on_one_file_counts_once()
    {
        var first = new TestStore(engine.NewDatabase());
        var breakId = await first.NewBreakAsync();
        var second = first.Reopen();
        await second.Database.EnsureInitializedAsync();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var clicks = new[] { first, second, first, second }.Select(store => Task.Run(async () =>
        {
            await go.Task;
            return await store.ClickAsync("U1", breakId, Nov(24));
        }, Ct)).ToList();
        go.SetResult();
        var outcomes = await Task.WhenAll(clicks).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        outcomes.Count(o => o == CompletionOutcome.Recorded).ShouldBe(1);
        (await second.Completions.CountForBreakAsync(breakId, Ct)).ShouldBe(1);
        (await first.StreakAsync("U1", Nov(24))).TotalBreaks.ShouldBe(1);
    }

    [Fact]
    public async Task Different_people_clicking_the_same_break_at_once_all_count()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();
        await store.Database.EnsureInitializedAsync();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var clicks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await go.Task;
            return await store.ClickAsync($"U{i}", breakId, Nov(24));
        }, Ct)).ToList();
        go.SetResult();
        var outcomes = await Task.WhenAll(clicks).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        outcomes.ShouldAllBe(o => o == CompletionOutcome.Recorded);
        (await store.Completions.CountForBreakAsync(breakId, Ct)).ShouldBe(8);
        for (var i = 0; i < 8; i++)
        {
            (await store.StreakAsync($"U{i}", Nov(24))).Current.ShouldBe(1);
        }
    }

    [Fact]
    public async Task Different_people_on_the_same_break_both_count()
    {
        var store = new TestStore(engine.NewDatabase());
        var breakId = await store.NewBreakAsync();

        (await store.ClickAsync("U1", breakId, Nov(24))).ShouldBe(CompletionOutcome.Recorded);
        (await store.ClickAsync("U2", breakId, Nov(24))).ShouldBe(CompletionOutcome.Recorded);

        (await store.Completions.CountForBreakAsync(breakId, Ct)).ShouldBe(2);
        (await store.Completions.CountForBreakAsync(await store.NewBreakAsync(), Ct)).ShouldBe(0);
        (await store.StreakAsync("U1", Nov(24))).TotalBreaks.ShouldBe(1);
        (await store.StreakAsync("U2", Nov(24))).TotalBreaks.ShouldBe(1);
    }

    [Fact]
    public async Task A_second_self_logged_break_on_the_same_day_is_a_duplicate()
    {
        var store = new TestStore(engine.NewDatabase());

        (await store.SelfLogAsync("U1", Nov(23))).ShouldBe(CompletionOutcome.Recorded);
        (await store.SelfLogAsync("U1", Nov(23))).ShouldBe(CompletionOutcome.Duplicate);
        (await store.SelfLogAsync("U1", Nov(23), Other)).ShouldBe(CompletionOutcome.Duplicate);
        (await store.SelfLogAsync("U1", Nov(24))).ShouldBe(CompletionOutcome.Recorded);
        (await store.SelfLogAsync("U2", Nov(24))).ShouldBe(CompletionOutcome.Recorded);

        (await store.StreakAsync("U1", Nov(24))).TotalBreaks.ShouldBe(2);
    }

    [Fact]
    public async Task A_self_logged_break_and_button_breaks_on_the_same_day_all_count_in_totals_but_make_one_day()
    {
        var store = new TestStore(engine.NewDatabase());

        await store.SelfLogAsync("U1", Nov(24));
        await store.TakeBreakAsync("U1", Nov(24));
        await store.TakeBreakAsync("U1", Nov(24), Other);

        var stats = await store.StreakAsync("U1", Nov(24));
        stats.TotalBreaks.ShouldBe(3);
        stats.Current.ShouldBe(1);
        stats.DaysDone.ShouldBe([Nov(24)]);
    }

    [Fact]
    public async Task Totals_count_every_channel_of_the_team_and_nothing_from_other_teams()
    {
        var store = new TestStore(engine.NewDatabase());
        var otherTeam = new ChannelKey(ChatPlatform.Slack, "T2", General.ChannelId);
        var discord = new ChannelKey(ChatPlatform.Discord, General.TeamId, General.ChannelId);

        await store.TakeBreakAsync("U1", Nov(20));
        await store.TakeBreakAsync("U1", Nov(23), Other);
        await store.SelfLogAsync("U1", Nov(24));
        await store.Completions.RecordAsync(
            new NewCompletion(otherTeam.Team, "U1", "U1", otherTeam, null, CompletionKind.SelfLogged, Noon(Nov(19)), Nov(19)), Ct);
        await store.Completions.RecordAsync(
            new NewCompletion(discord.Team, "U1", "U1", discord, null, CompletionKind.SelfLogged, Noon(Nov(19)), Nov(19)), Ct);

        var stats = await store.StreakAsync("U1", Nov(24));
        stats.TotalBreaks.ShouldBe(3);
        stats.Current.ShouldBe(3);
        (await store.Completions.GetStreakAsync(otherTeam.Team, "U1", Nov(19), 14, Ct)).TotalBreaks.ShouldBe(1);
        (await store.Completions.GetStreakAsync(discord.Team, "U1", Nov(19), 14, Ct)).TotalBreaks.ShouldBe(1);
    }

    [Fact]
    public async Task Recording_a_completion_remembers_the_persons_latest_display_name()
    {
        var store = new TestStore(engine.NewDatabase());

        await store.SelfLogAsync("U1", Nov(23), name: "Ada");
        (await store.Users.GetAsync(Team, "U1", Ct))!.DisplayName.ShouldBe("Ada");
        await store.SelfLogAsync("U1", Nov(24), name: "Ada Lovelace");

        (await store.Users.GetAsync(Team, "U1", Ct))!.DisplayName.ShouldBe("Ada Lovelace");
    }

    [Fact]
    public async Task A_person_with_no_completions_has_zero_everywhere()
    {
        var store = new TestStore(engine.NewDatabase());
        await store.SelfLogAsync("U1", Nov(24));

        var stats = await store.StreakAsync("U-nobody", Nov(24));

        stats.ShouldSatisfyAllConditions(
            s => s.Current.ShouldBe(0),
            s => s.Best.ShouldBe(0),
            s => s.TotalBreaks.ShouldBe(0),
            s => s.RecentWorkdaysDone.ShouldBe(0),
            s => s.RecentWorkdays.ShouldBe(0), // nothing counts before a first break
            s => s.FirstDay.ShouldBeNull(),
            s => s.LedgerFrom.ShouldBe(Nov(24)),
            s => s.DaysDone.ShouldBeEmpty());
    }
}

public sealed class CompletionTestsOnSqlite(TempDirectoryFixture engine) : CompletionTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class CompletionTestsOnPostgres(PostgresCluster cluster) : CompletionTests(new PostgresEngine(cluster));
