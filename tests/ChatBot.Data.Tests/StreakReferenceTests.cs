using ChatBot.Core.Streaks;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>
/// Property-style: random histories (fixed seeds) through the real store, compared with
/// <see cref="StreakReference"/> for every person, several "todays" and several workday settings, both on the
/// per-completion refresh and on the refresh-all that runs when the workdays setting (or the rules) change.
/// Away periods are set and ended between the breaks (some reach past the last break: planned ones), so the
/// refresh on an away change is checked as well as the one on a completion.
/// </summary>
public abstract class StreakReferenceTests(StoreEngine engine)
{
    private static readonly DateOnly Start = new(2026, 6, 1);

    [Theory]
    [InlineData(1, "Mon-Fri", "mon,wed,fri")]
    [InlineData(2, "mon,wed,fri", "daily")]
    [InlineData(3, "daily", "Mon-Fri")]
    [InlineData(4, "tue-sat", "sun,mon")]
    [InlineData(5, "Mon-Fri", "fri-tue")]
    public async Task The_SQL_streaks_match_a_plain_reference_over_random_histories(int seed, string workdays, string laterWorkdays)
    {
        var random = new Random(seed);
        var store = new TestStore(engine.NewDatabase(), workdays);
        var history = new Dictionary<string, (HashSet<DateOnly> Done, int Total)>();
        var awayDays = new Dictionary<string, HashSet<DateOnly>>();
        DateOnly last = Start;
        for (var u = 0; u < 6; u++)
        {
            var user = $"U{u}";
            var done = new HashSet<DateOnly>();
            var away = awayDays[user] = [];
            var total = 0;
            // Each person has their own habit: from dense to sparse, with streaky stretches, and their own
            // first day (some start weeks after the others: newcomers with fewer than 20 workdays behind them).
            var density = 0.35 + (0.6 * random.NextDouble());
            var begin = Start.AddDays(u % 2 == 0 ? 0 : 60 + random.Next(40));
            var days = 20 + random.Next(100);
            var keepGoing = false;
            for (var d = 0; d < days; d++)
            {
                var day = begin.AddDays(d);
                var roll = random.NextDouble();
                if (roll < 0.04)
                {
                    // Away from tomorrow for up to two weeks; breaks may still be logged on those days.
                    var awayLast = day.AddDays(1 + random.Next(14));
                    await store.Away.AddAsync(Team, user, day.AddDays(1), awayLast, Ct);
                    for (var a = day.AddDays(1); a <= awayLast; a = a.AddDays(1))
                    {
                        away.Add(a);
                    }
                }
                else if (roll < 0.05)
                {
                    // Back early: away days from today on go, earlier ones stay.
                    await store.Away.RemoveFromAsync(Team, user, day, Ct);
                    away.RemoveWhere(a => a >= day);
                }

                keepGoing = random.NextDouble() < (keepGoing ? 0.9 : density);
                if (!keepGoing)
                {
                    continue;
                }

                done.Add(day);
                last = day > last ? day : last;
                var selfLogged = random.Next(3) == 0;
                if (selfLogged)
                {
                    (await store.SelfLogAsync(user, day)).ShouldBe(CompletionOutcome.Recorded);
                    total++;
                }

                // Every done day has at least one completion; some have several (Done clicks in either channel).
                for (var clicks = random.Next(3) + (selfLogged ? 0 : 1); clicks > 0; clicks--)
                {
                    await store.TakeBreakAsync(user, day, random.Next(2) == 0 ? General : Other);
                    total++;
                }
            }

            history[user] = (done, total);
        }

        // Some people are away right after the last break, into the "todays" checked below (planned away days).
        foreach (var user in history.Keys.Where((_, i) => i % 3 == 1))
        {
            var until = last.AddDays(1 + random.Next(6));
            await store.Away.AddAsync(Team, user, last.AddDays(1), until, Ct);
            for (var a = last.AddDays(1); a <= until; a = a.AddDays(1))
            {
                awayDays[user].Add(a);
            }
        }

        (await store.Away.GetPeriodsAsync(Team, "U1", Ct)).SelectMany(p => Enumerable.Range(0, p.Days).Select(p.First.AddDays))
            .ShouldBe(awayDays["U1"].Order());
        await AssertMatchesAsync(store, history, awayDays, WorkdaySet.Parse(workdays), last);

        // The workdays setting changes between runs: the refresh-all path must agree as well.
        var reopened = store.Reopen(laterWorkdays);
        await AssertMatchesAsync(reopened, history, awayDays, WorkdaySet.Parse(laterWorkdays), last);
    }

    private static async Task AssertMatchesAsync(
        TestStore store,
        Dictionary<string, (HashSet<DateOnly> Done, int Total)> history,
        Dictionary<string, HashSet<DateOnly>> awayDays,
        WorkdaySet workdays,
        DateOnly last)
    {
        foreach (var offset in new[] { 0, 1, 2, 3, 5, 8 })
        {
            var today = last.AddDays(offset);
            foreach (var (user, (done, total)) in history)
            {
                var expected = StreakReference.Compute(done, workdays, today, awayDays[user]);
                var actual = await store.StreakAsync(user, today, ledgerDays: 30);
                var context = $"{user}, workdays {workdays}, today {today:yyyy-MM-dd ddd}";
                actual.Current.ShouldBe(expected.Current, context);
                actual.Best.ShouldBe(expected.Best, context);
                actual.RecentWorkdaysDone.ShouldBe(expected.RecentWorkdaysDone, context);
                actual.RecentWorkdays.ShouldBe(expected.RecentWorkdays, context);
                DateOnly? first = done.Count > 0 ? done.Min() : null;
                actual.FirstDay.ShouldBe(first, context);
                actual.LedgerFrom.ShouldBe(first is null ? today : first > today.AddDays(-29) ? first.Value : today.AddDays(-29), context);
                actual.TotalBreaks.ShouldBe(total, context);
                actual.DaysDone.OrderBy(d => d).ShouldBe(done.Where(d => d > today.AddDays(-30) && d <= today).OrderBy(d => d), context);
                actual.AwayDays.OrderBy(d => d).ShouldBe(awayDays[user].Where(d => d >= actual.LedgerFrom && d <= today).OrderBy(d => d), context);
            }

            var board = await store.Completions.GetLeaderboardAsync(General, null, "UTC", Noon(today), 100, Ct);
            foreach (var row in board)
            {
                var expected = StreakReference.Compute(history[row.UserId].Done, workdays, today, awayDays[row.UserId]);
                row.CurrentStreak.ShouldBe(expected.Current, $"{row.UserId} on the board, today {today}");
                row.BestStreak.ShouldBe(expected.Best, $"{row.UserId} on the board, today {today}");
            }

            board.Select(r => r.CurrentStreak).ShouldBeInOrder(SortDirection.Descending);
        }
    }
}

public sealed class StreakReferenceTestsOnSqlite(TempDirectoryFixture engine) : StreakReferenceTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class StreakReferenceTestsOnPostgres(PostgresCluster cluster) : StreakReferenceTests(new PostgresEngine(cluster));
