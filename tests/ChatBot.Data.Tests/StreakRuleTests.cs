using Dapper;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>
/// The design's streak rules, on the real store. November 2026: Mondays are the 2nd, 9th, 16th, 23rd and 30th;
/// the 21st/22nd are a weekend.
/// </summary>
public abstract class StreakRuleTests(StoreEngine engine)
{
    private async Task<TestStore> WithDaysAsync(string workdays, params DateOnly[] days)
    {
        var store = new TestStore(engine.NewDatabase(), workdays);
        foreach (var day in days)
        {
            await store.SelfLogAsync("U1", day);
        }

        return store;
    }

    [Fact]
    public async Task Consecutive_workdays_make_a_streak()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(16), Nov(17), Nov(18), Nov(19), Nov(20));

        var stats = await store.StreakAsync("U1", Nov(20));

        stats.Current.ShouldBe(5);
        stats.Best.ShouldBe(5);
        stats.TotalBreaks.ShouldBe(5);
    }

    [Fact]
    public async Task A_weekend_between_Friday_and_Monday_does_not_break_the_streak()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(19), Nov(20), Nov(23), Nov(24));

        (await store.StreakAsync("U1", Nov(24))).Current.ShouldBe(4);

        // Seen from the weekend itself, the streak stands at Thursday+Friday.
        var weekend = await WithDaysAsync("Mon-Fri", Nov(19), Nov(20));
        (await weekend.StreakAsync("U1", Nov(21))).Current.ShouldBe(2);
        (await weekend.StreakAsync("U1", Nov(22))).Current.ShouldBe(2);
        (await weekend.StreakAsync("U1", Nov(23))).Current.ShouldBe(2);
    }

    [Fact]
    public async Task A_missed_workday_resets_the_current_streak_but_best_keeps_the_longest_run()
    {
        // Mon 9 … Fri 13 done (5), Mon 16 missed, Tue 17 … Thu 19 done (3).
        var store = await WithDaysAsync("Mon-Fri", Nov(9), Nov(10), Nov(11), Nov(12), Nov(13), Nov(17), Nov(18), Nov(19));

        var stats = await store.StreakAsync("U1", Nov(19));
        stats.Current.ShouldBe(3);
        stats.Best.ShouldBe(5);

        // Thursday done, Friday missed: on Monday the streak is gone, the best stays.
        var later = await store.StreakAsync("U1", Nov(23));
        later.Current.ShouldBe(0);
        later.Best.ShouldBe(5);
    }

    [Fact]
    public async Task Today_not_yet_done_does_not_break_the_streak_it_ends_at_the_last_workday_before_today()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(19), Nov(20), Nov(23));

        // Tuesday 24th, nothing logged yet: Thu, Fri, Mon still count.
        (await store.StreakAsync("U1", Nov(24))).Current.ShouldBe(3);
        // Wednesday 25th: Tuesday was missed, so the streak is over.
        (await store.StreakAsync("U1", Nov(25))).Current.ShouldBe(0);
    }

    [Fact]
    public async Task Today_done_counts_in_the_streak()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(20), Nov(23));
        (await store.StreakAsync("U1", Nov(24))).Current.ShouldBe(2);

        await store.SelfLogAsync("U1", Nov(24));

        var stats = await store.StreakAsync("U1", Nov(24));
        stats.Current.ShouldBe(3);
        stats.Best.ShouldBe(3);
    }

    [Fact]
    public async Task A_first_break_today_gives_a_streak_of_one()
    {
        var store = new TestStore(engine.NewDatabase());
        (await store.StreakAsync("U1", Nov(24))).ShouldSatisfyAllConditions(
            s => s.Current.ShouldBe(0),
            s => s.Best.ShouldBe(0),
            s => s.TotalBreaks.ShouldBe(0),
            s => s.DaysDone.ShouldBeEmpty());

        await store.SelfLogAsync("U1", Nov(24));

        var stats = await store.StreakAsync("U1", Nov(24));
        stats.Current.ShouldBe(1);
        stats.Best.ShouldBe(1);
        stats.TotalBreaks.ShouldBe(1);
    }

    [Fact]
    public async Task A_break_on_a_Saturday_counts_toward_the_streak_and_a_Sunday_without_one_is_skipped()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(20), Nov(21), Nov(23));

        var stats = await store.StreakAsync("U1", Nov(23));

        stats.Current.ShouldBe(3); // Fri, Sat, Mon: the empty Sunday is skipped
        stats.Best.ShouldBe(3);
        stats.TotalBreaks.ShouldBe(3);
        stats.DaysDone.ShouldContain(Nov(21));
    }

    [Fact]
    public async Task A_first_break_on_a_Sunday_is_a_streak_of_one_and_Monday_keeps_it_open()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(22));

        var sunday = await store.StreakAsync("U1", Nov(22));
        sunday.Current.ShouldBe(1);
        sunday.Best.ShouldBe(1);
        sunday.FirstDay.ShouldBe(Nov(22));
        sunday.RecentWorkdays.ShouldBe(0); // no workday since the first break yet
        sunday.RecentWorkdaysDone.ShouldBe(0);

        // Monday, not done yet: the day is open, the Sunday still stands.
        (await store.StreakAsync("U1", Nov(23))).Current.ShouldBe(1);
        await store.SelfLogAsync("U1", Nov(23));
        (await store.StreakAsync("U1", Nov(23))).ShouldSatisfyAllConditions(
            s => s.Current.ShouldBe(2),
            s => s.RecentWorkdays.ShouldBe(1),
            s => s.RecentWorkdaysDone.ShouldBe(1));

        // Tuesday with Monday done is open; Wednesday after a missed Tuesday is not.
        (await store.StreakAsync("U1", Nov(24))).Current.ShouldBe(2);
        (await store.StreakAsync("U1", Nov(25))).Current.ShouldBe(0);
    }

    [Fact]
    public async Task Breaks_only_on_a_weekend_make_a_streak_that_a_missed_Monday_ends()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(21), Nov(22));

        var monday = await store.StreakAsync("U1", Nov(23));
        monday.Current.ShouldBe(2);
        monday.Best.ShouldBe(2);
        monday.TotalBreaks.ShouldBe(2);
        monday.RecentWorkdays.ShouldBe(0);

        var tuesday = await store.StreakAsync("U1", Nov(24));
        tuesday.Current.ShouldBe(0);
        tuesday.Best.ShouldBe(2);
        tuesday.RecentWorkdays.ShouldBe(1);
        tuesday.RecentWorkdaysDone.ShouldBe(0);
    }

    [Fact]
    public async Task A_weekend_without_breaks_never_breaks_the_streak_however_many_days_off_follow()
    {
        // Daily-done Mon 16 … Fri 20, nothing on the weekend: Friday's run stands until Monday ends.
        var store = await WithDaysAsync("Mon-Fri", Nov(16), Nov(17), Nov(18), Nov(19), Nov(20));

        foreach (var day in new[] { Nov(20), Nov(21), Nov(22), Nov(23) })
        {
            (await store.StreakAsync("U1", day)).Current.ShouldBe(5, $"on {day:ddd d}");
        }

        (await store.StreakAsync("U1", Nov(24))).Current.ShouldBe(0);
    }

    [Fact]
    public async Task With_workdays_mon_wed_fri_a_day_between_counts_when_done_and_is_skipped_when_not()
    {
        // Tue 17 done (a day off here: it counts), Thu 19 not done (a day off: skipped).
        var store = await WithDaysAsync("mon,wed,fri", Nov(16), Nov(17), Nov(18), Nov(20), Nov(23));

        var stats = await store.StreakAsync("U1", Nov(24));

        stats.Current.ShouldBe(5);
        stats.Best.ShouldBe(5);
        stats.TotalBreaks.ShouldBe(5);
        // Wednesday 25th is open; Friday 27th without Wednesday is not.
        (await store.StreakAsync("U1", Nov(25))).Current.ShouldBe(5);
        (await store.StreakAsync("U1", Nov(27))).Current.ShouldBe(0);
    }

    [Fact]
    public async Task With_daily_workdays_a_missed_Sunday_breaks_the_streak()
    {
        var store = await WithDaysAsync("daily", Nov(19), Nov(20), Nov(21), Nov(23));

        var stats = await store.StreakAsync("U1", Nov(23));

        stats.Current.ShouldBe(1);
        stats.Best.ShouldBe(3);

        // On the Sunday itself, before it is done, Thursday to Saturday still stand.
        var sunday = await WithDaysAsync("daily", Nov(19), Nov(20), Nov(21));
        (await sunday.StreakAsync("U1", Nov(22))).Current.ShouldBe(3);
        (await sunday.StreakAsync("U1", Nov(23))).Current.ShouldBe(0);
    }

    [Fact]
    public async Task Changing_the_workdays_setting_between_runs_recomputes_the_summaries()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(16), Nov(18), Nov(20));
        (await store.StreakAsync("U1", Nov(20))).ShouldSatisfyAllConditions(s => s.Current.ShouldBe(1), s => s.Best.ShouldBe(1));

        var monWedFri = store.Reopen("mon,wed,fri");
        (await monWedFri.StreakAsync("U1", Nov(20))).ShouldSatisfyAllConditions(s => s.Current.ShouldBe(3), s => s.Best.ShouldBe(3));
        await monWedFri.SelfLogAsync("U1", Nov(23));
        (await monWedFri.StreakAsync("U1", Nov(23))).Current.ShouldBe(4);

        var backToWeekdays = store.Reopen("Mon-Fri");
        (await backToWeekdays.StreakAsync("U1", Nov(23))).ShouldSatisfyAllConditions(s => s.Current.ShouldBe(2), s => s.Best.ShouldBe(2));
        var board = await backToWeekdays.Completions.GetLeaderboardAsync(General, null, "UTC", Noon(Nov(23)), 10, Ct);
        board.ShouldHaveSingleItem().ShouldSatisfyAllConditions(r => r.CurrentStreak.ShouldBe(2), r => r.BestStreak.ShouldBe(2));
    }

    [Fact]
    public async Task Summaries_stored_under_the_old_rules_are_recomputed_once_at_start()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(20), Nov(21), Nov(23));
        (await store.StreakAsync("U1", Nov(23))).Current.ShouldBe(3);

        // What a database written by the previous build holds: Saturday not counted, a bare workday mask stamp.
        await using (var connection = store.OpenRaw())
        {
            await connection.ExecuteAsync("UPDATE streaks SET best = 2, run_length = 2; UPDATE settings SET value = '31' WHERE key = 'streak_workdays';");
        }

        var upgraded = store.Reopen("Mon-Fri");
        (await upgraded.StreakAsync("U1", Nov(23))).ShouldSatisfyAllConditions(s => s.Current.ShouldBe(3), s => s.Best.ShouldBe(3));
        var board = await upgraded.Completions.GetLeaderboardAsync(General, null, "UTC", Noon(Nov(23)), 10, Ct);
        board.ShouldHaveSingleItem().CurrentStreak.ShouldBe(3);
    }

    [Fact]
    public async Task Consistency_counts_the_done_workdays_among_the_last_twenty()
    {
        // The 20 closed workdays before Tue 24th run from Tue 27 Oct to Mon 23 Nov.
        var store = new TestStore(engine.NewDatabase());
        await store.SelfLogAsync("U1", new DateOnly(2026, 10, 26)); // the 21st workday back: outside
        foreach (var day in new[] { 27, 28, 29, 30 })
        {
            await store.SelfLogAsync("U1", new DateOnly(2026, 10, day));
        }

        foreach (var day in new[] { 2, 3, 4, 9, 10, 13, 16, 17, 18, 19, 20, 23 })
        {
            await store.SelfLogAsync("U1", Nov(day));
        }

        await store.SelfLogAsync("U1", Nov(7)); // a Saturday: not a workday
        await store.TakeBreakAsync("U1", Nov(23)); // a second break the same day: one day done

        var open = await store.StreakAsync("U1", Nov(24));
        open.FirstDay.ShouldBe(new DateOnly(2026, 10, 26));
        open.RecentWorkdays.ShouldBe(20);
        open.RecentWorkdaysDone.ShouldBe(16);

        // Done today: the window ends today, and Tue 27 Oct drops out of it.
        await store.SelfLogAsync("U1", Nov(24));
        (await store.StreakAsync("U1", Nov(24))).RecentWorkdaysDone.ShouldBe(16);

        // Seen from Saturday 28th with nothing after the 24th: the window is Mon 2 … Fri 27 Nov, 13 done.
        (await store.StreakAsync("U1", Nov(28))).RecentWorkdaysDone.ShouldBe(13);
    }

    [Fact]
    public async Task Consistency_and_the_ledger_start_at_the_first_break()
    {
        // First break Tuesday 17th; Wed 18, Fri 20 and Mon 23 done, Thu 19 missed. Today: Tuesday 24th, open.
        var store = await WithDaysAsync("Mon-Fri", Nov(17), Nov(18), Nov(20), Nov(23));

        var stats = await store.StreakAsync("U1", Nov(24), ledgerDays: 14);

        stats.FirstDay.ShouldBe(Nov(17));
        stats.RecentWorkdays.ShouldBe(5); // Tue 17 … Mon 23: nothing before the first break counts as missed
        stats.RecentWorkdaysDone.ShouldBe(4);
        stats.LedgerFrom.ShouldBe(Nov(17)); // not the 11th: the ledger starts at the first break
        stats.DaysDone.OrderBy(d => d).ShouldBe([Nov(17), Nov(18), Nov(20), Nov(23)]);

        // Before any break there is no window and no ledger beyond today.
        var nobody = await store.StreakAsync("U2", Nov(24), ledgerDays: 14);
        nobody.FirstDay.ShouldBeNull();
        nobody.RecentWorkdays.ShouldBe(0);
        nobody.LedgerFrom.ShouldBe(Nov(24));
        nobody.DaysDone.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_ledger_lists_the_done_days_of_the_last_calendar_days_weekends_included()
    {
        var store = await WithDaysAsync("Mon-Fri", Nov(9), Nov(10), Nov(14), Nov(17), Nov(21), Nov(24));

        var stats = await store.StreakAsync("U1", Nov(24), ledgerDays: 14);

        stats.Today.ShouldBe(Nov(24));
        stats.LedgerFrom.ShouldBe(Nov(11));
        stats.DaysDone.OrderBy(d => d).ShouldBe([Nov(14), Nov(17), Nov(21), Nov(24)]);

        var short1 = await store.StreakAsync("U1", Nov(24), ledgerDays: 0);
        short1.LedgerFrom.ShouldBe(Nov(24));
        short1.DaysDone.ShouldBe([Nov(24)]);
    }

    [Fact]
    public async Task Two_years_of_history_give_the_right_best_and_current_streak()
    {
        var store = new TestStore(engine.NewDatabase());
        var days = new List<DateOnly>();
        void Add(DateOnly from, DateOnly to, bool skipWednesdays)
        {
            for (var day = from; day <= to; day = day.AddDays(1))
            {
                if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !(skipWednesdays && day.DayOfWeek == DayOfWeek.Wednesday))
                {
                    days.Add(day);
                }
            }
        }

        Add(new DateOnly(2024, 11, 25), new DateOnly(2024, 12, 31), skipWednesdays: true);
        Add(new DateOnly(2025, 1, 6), new DateOnly(2025, 6, 27), skipWednesdays: false); // 25 full weeks: the best run, 125
        Add(new DateOnly(2025, 7, 1), new DateOnly(2026, 10, 30), skipWednesdays: true); // Mon 30 Jun missed
        Add(Nov(2), Nov(24), skipWednesdays: false); // Thu 29 + Fri 30 Oct, then 17 workdays
        days.Add(new DateOnly(2025, 3, 1)); // a Saturday inside the long run: it counts, 126
        days.Add(new DateOnly(2026, 8, 8));
        foreach (var day in days)
        {
            await store.SelfLogAsync("U1", day);
        }

        var stats = await store.StreakAsync("U1", Nov(24));

        stats.Best.ShouldBe(126);
        stats.Current.ShouldBe(19);
        stats.TotalBreaks.ShouldBe(days.Count);
        stats.RecentWorkdaysDone.ShouldBe(19); // Tue 24 back to Wed 28 Oct, which was skipped

        // The same history read after a restart with recomputed summaries: with Wednesdays off, the skipped
        // Wednesdays no longer break anything and the done ones count: one run from Tue 1 Jul 2025 to today.
        var recomputed = store.Reopen("mon,tue,thu,fri");
        var noWednesdays = await recomputed.StreakAsync("U1", Nov(24));
        noWednesdays.Best.ShouldBe(297);
        noWednesdays.Current.ShouldBe(297);
    }
}

public sealed class StreakRuleTestsOnSqlite(TempDirectoryFixture engine) : StreakRuleTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class StreakRuleTestsOnPostgres(PostgresCluster cluster) : StreakRuleTests(new PostgresEngine(cluster));
