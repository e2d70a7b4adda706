using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Drills;
using ChatBot.Core.Streaks;
using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>
/// Away days on the real store with a fake clock: <c>/drill away</c>, then what <c>/drill done</c> and
/// <c>/drill streak</c> say. October 2026: Europe/Berlin leaves summer time on Sunday 25th (03:00 → 02:00).
/// November 2026: Mondays are the 2nd, 9th, 16th, 23rd and 30th.
/// </summary>
public abstract class AwayTests(StoreEngine engine)
{
    private const string Berlin = "Europe/Berlin";

    private sealed class Bot
    {
        public Bot(TestStore store)
        {
            Store = store;
            var options = Options.Create(new BreaksOptions { Workdays = "Mon-Fri", DefaultTimeZone = "UTC" });
            var clock = new UserClock(store.Users, store.Users, options, store.Clock);
            Replies = new StreakReplies(store.Completions, clock, options);
            Completions = new CompletionCommands(store.Completions, store.Breaks, store.Users, new DrillCatalog([], []), clock, Replies);
            Away = new AwayCommands(store.Away, store.Users, clock);
            Parser = new CommandParser(new DrillCatalog([], []));
        }

        public TestStore Store { get; }

        public StreakReplies Replies { get; }

        public CompletionCommands Completions { get; }

        public AwayCommands Away { get; }

        public CommandParser Parser { get; }

        public async Task<string> SayAsync(string text, string zone = "UTC", string user = "U1")
        {
            var invocation = new CommandInvocation(General, new ChatUser(user, "Ann", zone), text);
            var reply = Parser.Parse(text) switch
            {
                ParsedCommand.Done => await Completions.DoneTypedAsync(invocation, Ct),
                ParsedCommand.Streak => await Replies.StreakAsync(invocation, Ct),
                ParsedCommand.Away away => await Away.HandleAsync(invocation, away, Ct),
                var other => throw new InvalidOperationException($"Not in this test: {other}"),
            };
            reply.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
            return reply.Message.Text;
        }

        /// <summary>Moves the clock to a UTC instant.</summary>
        public void At(int year, int month, int day, int hour, int minute = 0) =>
            Store.Clock.SetUtcNow(new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero));
    }

    private Bot NewBot() => new(new TestStore(engine.NewDatabase(), clock: new FakeTimeProvider(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero))));

    [Fact]
    public async Task Away_across_a_weekend_and_the_end_of_summer_time_keeps_the_streak()
    {
        var bot = NewBot();
        bot.At(2026, 10, 21, 10); // Wed 21 Oct, 12:00 in Berlin
        await bot.SayAsync("done", Berlin);
        bot.At(2026, 10, 22, 10);
        await bot.SayAsync("done", Berlin);

        bot.At(2026, 10, 22, 22, 30); // Fri 23 Oct 00:30 in Berlin (UTC+2), still Thursday in UTC
        (await bot.SayAsync("away 5", Berlin)).ShouldStartWith("You're away Fri 23 Oct 2026 to Tue 27 Oct 2026 (5 days, in Europe/Berlin).");

        bot.At(2026, 10, 27, 22, 30); // Tue 27 Oct 23:30 in Berlin (UTC+1 now): the last away day
        (await bot.SayAsync("streak", Berlin)).ShouldContain("**Your streak: 2 days** 🔥");

        bot.At(2026, 10, 27, 23, 30); // Wed 28 Oct 00:30 in Berlin: back, the day is open
        var wednesday = await bot.SayAsync("streak", Berlin);
        wednesday.ShouldContain("**Your streak: 2 days** 🔥");
        wednesday.ShouldContain("Wed 28 Oct  ⏳ today, still open");
        wednesday.ShouldContain("Tue 27 Oct  · away, skipped");
        wednesday.ShouldContain("Mon 26 Oct  · away, skipped");
        wednesday.ShouldContain("Sun 25 Oct  · away, skipped");
        wednesday.ShouldContain("Fri 23 Oct  · away, skipped");
        wednesday.ShouldNotContain("missed");
        wednesday.ShouldContain("Consistency: 2 of the 2 workdays since you started"); // Fri, Mon, Tue left out

        bot.At(2026, 10, 28, 11);
        (await bot.SayAsync("done", Berlin)).ShouldBe("Logged ✅ a break on your own for Wed 28 Oct. Streak: 3 days 🔥");

        // The same days without away: Friday was missed, the streak would have restarted.
        var control = NewBot();
        foreach (var day in new[] { 21, 22, 28 })
        {
            control.At(2026, 10, day, 11);
            await control.SayAsync("done", Berlin);
        }

        (await control.SayAsync("streak", Berlin)).ShouldContain("**Your streak: 1 day** 🔥");
    }

    [Fact]
    public async Task Away_off_mid_period_keeps_the_past_away_days_and_today_counts_again()
    {
        var bot = NewBot();
        bot.At(2026, 11, 13, 12); // Fri 13 Nov
        await bot.SayAsync("done");
        bot.At(2026, 11, 16, 7); // Mon 16 Nov
        await bot.SayAsync("away 5");

        bot.At(2026, 11, 18, 7); // Wed 18 Nov: back early
        (await bot.SayAsync("away off")).ShouldBe(
            "Welcome back! Removed 3 away days from today (Wed 18 Nov 2026) on; today counts as usual. Away days already passed stay away.");
        var wednesday = await bot.SayAsync("streak");
        wednesday.ShouldContain("**Your streak: 1 day** 🔥"); // Friday stands: Mon, Tue were away, Wed is open
        wednesday.ShouldContain("Tue 17 Nov  · away, skipped");
        wednesday.ShouldContain("Wed 18 Nov  ⏳ today, still open");
        (await bot.SayAsync("away")).ShouldContain("Mon 16 Nov 2026 to Tue 17 Nov 2026 (2 days, past)");

        bot.At(2026, 11, 19, 7); // Thursday: Wednesday was a workday again, and missed
        var thursday = await bot.SayAsync("streak");
        thursday.ShouldContain("**Your streak: 0 days**\n");
        thursday.ShouldContain("Wed 18 Nov  ❌ missed");
        thursday.ShouldContain("Thu 19 Nov  ⏳ today, still open");
    }

    [Fact]
    public async Task A_break_on_an_away_day_counts_like_any_day()
    {
        var bot = NewBot();
        bot.At(2026, 11, 20, 12); // Fri 20 Nov
        await bot.SayAsync("done");
        bot.At(2026, 11, 23, 7); // Mon 23 Nov
        await bot.SayAsync("away until 2026-11-27");

        bot.At(2026, 11, 25, 12); // Wed 25 Nov, away, but moving anyway
        (await bot.SayAsync("done")).ShouldBe("Logged ✅ a break on your own for Wed 25 Nov. You're away today: a break still counts. Streak: 2 days 🔥");

        bot.At(2026, 11, 30, 7); // Mon 30 Nov: Fri, (away Mon, Tue), Wed, (away Thu, Fri), Monday open
        var monday = await bot.SayAsync("streak");
        monday.ShouldContain("**Your streak: 2 days** 🔥");
        monday.ShouldContain("Wed 25 Nov  ✅ done while away: counts");
        monday.ShouldContain("Thu 26 Nov  · away, skipped");
        monday.ShouldContain("Breaks in total: 2");
        monday.ShouldContain("Consistency: 1 of the 1 workday since you started"); // only Fri 20 counts
    }

    [Fact]
    public async Task Consistency_leaves_away_days_out_and_reaches_further_back_for_twenty_workdays()
    {
        var bot = NewBot();
        // Done every workday from Mon 19 Oct to Fri 27 Nov, except the week of Mon 9 Nov, which is away.
        for (var day = new DateOnly(2026, 10, 19); day <= new DateOnly(2026, 11, 27); day = day.AddDays(1))
        {
            if (day == new DateOnly(2026, 11, 8))
            {
                bot.At(2026, 11, 8, 12); // Sunday: away next week
                (await bot.SayAsync("away until 2026-11-13")).ShouldStartWith("You're away Sun 8 Nov 2026 to Fri 13 Nov 2026");
            }

            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && day.Month * 100 + day.Day is < 1109 or > 1113)
            {
                bot.At(day.Year, day.Month, day.Day, 12);
                await bot.SayAsync("done");
            }
        }

        bot.At(2026, 11, 30, 7); // Monday, open: the last 20 non-away workdays are Mon 26 Oct … Fri 27 Nov
        var streak = await bot.SayAsync("streak");
        streak.ShouldContain("Consistency: 20 of the last 20 workdays");
        streak.ShouldContain("**Your streak: 25 days** 🔥");
        streak.ShouldContain("Best: 25 days");

        // Without the away days that week would be five misses in the window.
        await bot.Store.Away.RemoveFromAsync(Team, "U1", new DateOnly(2026, 11, 1), Ct);
        var without = await bot.SayAsync("streak");
        without.ShouldContain("Consistency: 15 of the last 20 workdays");
        without.ShouldContain("**Your streak: 10 days** 🔥");
    }

    [Fact]
    public async Task A_planned_period_keeps_the_streak_current_until_it_ends_and_the_leaderboard_agrees()
    {
        var store = new TestStore(engine.NewDatabase());
        await store.SelfLogAsync("U1", Nov(19));
        await store.SelfLogAsync("U1", Nov(20));
        await store.Away.AddAsync(Team, "U1", Nov(23), Nov(27), Ct);

        (await store.StreakAsync("U1", Nov(27))).Current.ShouldBe(2);
        (await store.StreakAsync("U1", Nov(30))).Current.ShouldBe(2); // Monday back: open
        (await store.StreakAsync("U1", new DateOnly(2026, 12, 1))).Current.ShouldBe(0); // Tuesday: Monday was missed
        var board = await store.Completions.GetLeaderboardAsync(General, null, "UTC", Noon(Nov(27)), 10, Ct);
        board.Single().CurrentStreak.ShouldBe(2);
    }

    [Fact]
    public async Task The_store_adds_idempotently_per_person_and_team_and_survives_a_restart()
    {
        var store = new TestStore(engine.NewDatabase());
        (await store.Away.AddAsync(Team, "U1", Nov(23), Nov(27), Ct)).ShouldBe(5);
        (await store.Away.AddAsync(Team, "U1", Nov(26), Nov(30), Ct)).ShouldBe(3); // overlaps: only the new days
        (await store.Away.AddAsync(Team, "U1", Nov(23), Nov(30), Ct)).ShouldBe(0);
        await store.Away.AddAsync(Team, "U1", new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 24), Ct);
        await store.Away.AddAsync(Team, "U2", Nov(2), Nov(3), Ct);
        await store.Away.AddAsync(new TeamKey(ChatPlatform.Discord, "T1"), "U1", Nov(9), Nov(9), Ct);

        var reopened = store.Reopen();
        (await reopened.Away.GetPeriodsAsync(Team, "U1", Ct)).ShouldBe(
            [new AwayPeriod(Nov(23), Nov(30)), new AwayPeriod(new DateOnly(2026, 12, 24), new DateOnly(2026, 12, 24))]);
        (await reopened.Away.GetPeriodsAsync(Team, "U2", Ct)).ShouldBe([new AwayPeriod(Nov(2), Nov(3))]);
        (await reopened.Away.GetPeriodsAsync(new TeamKey(ChatPlatform.Discord, "T1"), "U1", Ct)).ShouldBe([new AwayPeriod(Nov(9), Nov(9))]);

        (await reopened.Away.RemoveFromAsync(Team, "U1", Nov(28), Ct)).ShouldBe(4);
        (await reopened.Away.GetPeriodsAsync(Team, "U1", Ct)).ShouldBe([new AwayPeriod(Nov(23), Nov(27))]);
        (await reopened.Away.GetPeriodsAsync(Team, "U2", Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Changing_away_days_refreshes_the_stored_summary_in_the_same_write()
    {
        var store = new TestStore(engine.NewDatabase());
        await store.SelfLogAsync("U1", Nov(20)); // Friday
        using var connection = store.OpenRaw();
        const string RunEnd = "SELECT run_end FROM streaks WHERE user_id = 'U1';";
        var before = connection.ExecuteScalar<long>(RunEnd);

        await store.Away.AddAsync(Team, "U1", Nov(23), Nov(24), Ct);
        connection.ExecuteScalar<long>(RunEnd).ShouldBe(before + 2); // Mon and Tue folded into the run

        await store.Away.RemoveFromAsync(Team, "U1", Nov(24), Ct);
        connection.ExecuteScalar<long>(RunEnd).ShouldBe(before + 1);
    }

    [Fact]
    public async Task Concurrent_identical_commands_from_two_instances_store_each_day_once()
    {
        var file = engine.NewDatabase();
        var first = new TestStore(file);
        var second = new TestStore(file);
        await first.Database.EnsureInitializedAsync();
        await second.Database.EnsureInitializedAsync();

        var added = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? first : second).Away.AddAsync(Team, "U1", Nov(23), Nov(27), Ct)));

        added.Sum().ShouldBe(5);
        (await first.Away.GetPeriodsAsync(Team, "U1", Ct)).ShouldBe([new AwayPeriod(Nov(23), Nov(27))]);
    }
}

public sealed class AwayTestsOnSqlite(TempDirectoryFixture engine) : AwayTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class AwayTestsOnPostgres(PostgresCluster cluster) : AwayTests(new PostgresEngine(cluster));
