using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Drills;
using ChatBot.Core.Messages;
using ChatBot.Core.Streaks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>
/// What a person reads after <c>/drill done</c> and <c>/drill streak</c>, on the real store with a fake clock:
/// weekends, Mondays and the edges of the day in far-apart zones. November 2026: Sat 21, Sun 22, Mon 23.
/// </summary>
public abstract class StreakReplyTests(StoreEngine engine)
{
    private sealed class Bot
    {
        public Bot(TestStore store, string workdays = "Mon-Fri")
        {
            Store = store;
            var options = Options.Create(new BreaksOptions { Workdays = workdays, DefaultTimeZone = "UTC" });
            var clock = new UserClock(store.Users, store.Users, options, store.Clock);
            Replies = new StreakReplies(store.Completions, clock, options);
            Commands = new CompletionCommands(store.Completions, store.Breaks, store.Users, new DrillCatalog([], []), clock, Replies);
        }

        public TestStore Store { get; }

        public StreakReplies Replies { get; }

        public CompletionCommands Commands { get; }

        public async Task<string> SayAsync(string text, string zone = "UTC")
        {
            var invocation = new CommandInvocation(General, new ChatUser("U1", "Ann", zone), text);
            var reply = text == "done"
                ? await Commands.DoneTypedAsync(invocation, Ct)
                : await Replies.StreakAsync(invocation, Ct);
            return reply.Message.Text;
        }

        public void At(int year, int month, int day, int hour, int minute = 0) =>
            Store.Clock.SetUtcNow(new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero));
    }

    private Bot NewBot(string workdays = "Mon-Fri") =>
        new(new TestStore(engine.NewDatabase(), workdays, new FakeTimeProvider(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero))));

    [Fact]
    public async Task A_first_break_on_a_Sunday_counts_and_the_reply_says_why()
    {
        var bot = NewBot();
        bot.At(2026, 11, 22, 10);

        var reply = await bot.SayAsync("done");

        reply.ShouldBe("Logged ✅ a break on your own for Sun 22 Nov. Sunday is a day off: it still counts. Streak: 1 day 🔥");
        var streak = await bot.SayAsync("streak");
        streak.ShouldContain("**Your streak: 1 day** 🔥");
        streak.ShouldContain("Consistency: no workday since your first break yet");
        streak.ShouldContain("Sun 22 Nov  ✅ done on a day off: counts (your first break)");
        streak.ShouldNotContain("missed");
        streak.ShouldNotContain("Sat 21 Nov"); // nothing before the first break
    }

    [Fact]
    public async Task Monday_after_a_weekend_break_keeps_the_streak_and_a_missed_Monday_ends_it()
    {
        var bot = NewBot();
        bot.At(2026, 11, 21, 9); // Saturday
        await bot.SayAsync("done");

        bot.At(2026, 11, 23, 8); // Monday morning: open, Saturday stands, the empty Sunday is skipped
        var monday = await bot.SayAsync("streak");
        monday.ShouldContain("**Your streak: 1 day** 🔥");
        monday.ShouldContain("Mon 23 Nov  ⏳ today, still open");
        monday.ShouldContain("Sun 22 Nov  · day off, skipped");

        (await bot.SayAsync("done")).ShouldBe("Logged ✅ a break on your own for Mon 23 Nov. Streak: 2 days 🔥");

        bot.At(2026, 11, 25, 8); // Wednesday: Tuesday was missed
        var wednesday = await bot.SayAsync("streak");
        wednesday.ShouldContain("**Your streak: 0 days**\n");
        wednesday.ShouldContain("Tue 24 Nov  ❌ missed");
        wednesday.ShouldContain("Consistency: 1 of the 2 workdays since you started");
        (await bot.SayAsync("done")).ShouldBe("Logged ✅ a break on your own for Wed 25 Nov. A new streak starts today. Streak: 1 day 🔥");
    }

    [Theory]
    // Saturday 23:30 UTC is already Sunday 13:30 in Kiritimati (UTC+14) and still Saturday 13:30 in Honolulu (UTC−10).
    [InlineData("Pacific/Kiritimati", "Sun 29 Nov", "Sunday")]
    [InlineData("Pacific/Honolulu", "Sat 28 Nov", "Saturday")]
    [InlineData("UTC", "Sat 28 Nov", "Saturday")]
    public async Task The_day_is_the_persons_own_date_at_the_edges_of_the_world(string zone, string day, string weekday)
    {
        var bot = NewBot();
        bot.At(2026, 11, 28, 23, 30);

        (await bot.SayAsync("done", zone)).ShouldBe($"Logged ✅ a break on your own for {day}. {weekday} is a day off: it still counts. Streak: 1 day 🔥");
    }

    [Fact]
    public async Task Friday_evening_in_Kiritimati_and_Monday_morning_there_keep_one_streak()
    {
        var bot = NewBot();
        const string Zone = "Pacific/Kiritimati";
        bot.At(2026, 11, 20, 9, 30); // Friday 23:30 in Kiritimati
        (await bot.SayAsync("done", Zone)).ShouldContain("for Fri 20 Nov");

        bot.At(2026, 11, 22, 10, 30); // Monday 00:30 there, still Sunday in UTC: Monday is open, Friday stands
        (await bot.SayAsync("streak", Zone)).ShouldContain("**Your streak: 1 day** 🔥");
        (await bot.SayAsync("done", Zone)).ShouldBe("Logged ✅ a break on your own for Mon 23 Nov. Streak: 2 days 🔥");
    }

    [Fact]
    public async Task A_hostile_display_name_reaches_the_leaderboard_as_one_literal_span_that_cannot_flip_the_line()
    {
        var bot = NewBot();
        bot.At(2026, 11, 23, 12);
        await bot.Store.SelfLogAsync("U2", Nov(23), name: "*boss* <!channel>\u202E\u200B");

        var board = await bot.Replies.LeaderboardAsync(new CommandInvocation(General, new ChatUser("U1", "Ann"), "leaderboard"), LeaderboardPeriod.Week, Ct);

        var literal = Markup.Tokenize(board.Message.Text).Where(t => t.Kind == MarkupKind.Literal).ShouldHaveSingleItem();
        literal.Text.ShouldBe("*boss* <!channel>");
        Markup.ToPlainText(board.Message.Text).ShouldContain("🥇 *boss* <!channel>: streak 1 day 🔥 · 1 break");
    }

    [Fact]
    public async Task A_newcomers_consistency_counts_only_the_workdays_since_they_started_until_twenty_have_passed()
    {
        var bot = NewBot();
        // Starts Monday 2 Nov; done every workday but Wednesdays.
        for (var day = new DateOnly(2026, 11, 2); day <= new DateOnly(2026, 11, 9); day = day.AddDays(1))
        {
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday or DayOfWeek.Wednesday))
            {
                bot.At(day.Year, day.Month, day.Day, 12);
                await bot.SayAsync("done");
            }
        }

        bot.At(2026, 11, 10, 8); // Tuesday, open: Mon 2 … Mon 9 are 6 workdays, Wed 4 missed
        (await bot.SayAsync("streak")).ShouldContain("Consistency: 5 of the 6 workdays since you started");

        bot.At(2026, 12, 2, 8); // Wednesday 2 Dec: 22 workdays since Mon 2 Nov; the last 20 are Wed 4 Nov … Tue 1 Dec
        (await bot.SayAsync("streak")).ShouldContain("Consistency: 3 of the last 20 workdays");
    }
}

public sealed class StreakReplyTestsOnSqlite(TempDirectoryFixture engine) : StreakReplyTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class StreakReplyTestsOnPostgres(PostgresCluster cluster) : StreakReplyTests(new PostgresEngine(cluster));
