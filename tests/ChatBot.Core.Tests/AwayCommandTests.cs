using ChatBot.Core.Commands;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Core.Tests;

/// <summary><c>/drill away</c>: what the parser reads, and what the person is told, in their own zone.</summary>
public class AwayCommandTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T1", "C1");
    private readonly CommandParser _parser = new(TestCatalog.Shipped);

    [Theory]
    [InlineData("away", null, null, false)]
    [InlineData("away show", null, null, false)]
    [InlineData("/drill away 5", 5, null, false)]
    [InlineData("AWAY 1", 1, null, false)]
    [InlineData("away 60", 60, null, false)]
    [InlineData("away days 7", 7, null, false)] // Discord: /drill away days count:7
    [InlineData("away until 2026-12-24", null, "2026-12-24", false)]
    [InlineData("away\u00A0until\u200B 2028-02-29", null, "2028-02-29", false)] // pasted spaces, a leap day
    [InlineData("away 2026-12-24", null, "2026-12-24", false)] // Discord sends only the date
    [InlineData("away off", null, null, true)]
    [InlineData("away Back", null, null, true)]
    public void The_four_forms_parse(string text, int? days, string? until, bool off) =>
        _parser.Parse(text).ShouldBe(new ParsedCommand.Away(days, until is null ? null : DateOnly.Parse(until, System.Globalization.CultureInfo.InvariantCulture), off));

    [Theory]
    [InlineData("away 0", "'0' days is not a period I can set: it is 1 to 60 days.")]
    [InlineData("away 61", "'61' days is not a period I can set: it is 1 to 60 days.")]
    [InlineData("away 99999999999999", "is not a period I can set: it is 1 to 60 days.")]
    [InlineData("away until 2026-02-30", "2026-02-30 is not a date in the calendar: February 2026 has 28 days.")]
    [InlineData("away until 2026-13-01", "2026-13-01 is not a date in the calendar: months run from 01 to 12.")]
    [InlineData("away until 24.12.2026", "'24.12.2026' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-24.")]
    [InlineData("away until tomorrow", "'tomorrow' is not a date: write it as YYYY-MM-DD")]
    [InlineData("away -3", "I can't read '-3' as away days.")]
    [InlineData("away for a while", "I can't read 'for a while' as away days.")]
    [InlineData("away 5 days", "I can't read '5 days' as away days.")]
    public void Bad_input_says_what_was_wrong_and_what_is_valid(string text, string reason)
    {
        var message = Markup.ToPlainText(_parser.Parse(text).ShouldBeOfType<ParsedCommand.Invalid>().Message);
        message.ShouldContain(reason);
        message.ShouldContain("/drill away 5");
        message.ShouldContain("/drill away until YYYY-MM-DD");
        message.ShouldContain("/drill away off");
    }

    [Fact]
    public void Echoed_garbage_is_a_literal_span()
    {
        var invalid = _parser.Parse("away <!channel> @everyone").ShouldBeOfType<ParsedCommand.Invalid>();
        Markup.Tokenize(invalid.Message).Single(t => t.Kind == MarkupKind.Literal).Text.ShouldBe("<!channel> @everyone");
    }

    [Fact]
    public async Task Away_5_starts_today_in_the_persons_zone_not_in_UTC()
    {
        // 23:30 UTC on Sunday 29 November is already Monday 30 November in Auckland.
        var bot = new Bot(new DateTimeOffset(2026, 11, 29, 23, 30, 0, TimeSpan.Zero));

        var reply = await bot.SayAsync("away 5", "Pacific/Auckland");

        reply.ShouldStartWith("You're away Mon 30 Nov 2026 to Fri 4 Dec 2026 (5 days, in Pacific/Auckland).");
        reply.ShouldContain("a break you log on one still counts");
        bot.Away.Days.ShouldBe([new DateOnly(2026, 11, 30), new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 2), new DateOnly(2026, 12, 3), new DateOnly(2026, 12, 4)]);
        bot.Away.Visibility.ShouldBe(ReplyVisibility.CallerOnly);
    }

    [Fact]
    public async Task A_date_in_the_past_or_over_60_days_is_refused_and_nothing_is_stored()
    {
        var bot = new Bot(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

        (await bot.SayAsync("away until 2026-11-28")).ShouldBe(
            "2026-11-28 is in the past: today is Sun 29 Nov 2026 in UTC. Pick today or a later date, up to 2027-01-27 (60 days from today).");
        (await bot.SayAsync("away until 2027-01-28")).ShouldBe(
            "2027-01-28 is 61 days away counting today: one away period is at most 60 days, so the latest date is 2027-01-27. Set the rest nearer the time.");
        bot.Away.Days.ShouldBeEmpty();

        (await bot.SayAsync("away until 2027-01-27")).ShouldStartWith("You're away Sun 29 Nov 2026 to Wed 27 Jan 2027 (60 days, in UTC).");
        (await bot.SayAsync("away until 2026-11-29")).ShouldStartWith("You're away today, Sun 29 Nov 2026 (1 day, in UTC).");
    }

    [Fact]
    public async Task Away_off_keeps_the_days_already_passed_and_show_lists_past_now_and_planned()
    {
        var bot = new Bot(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        await bot.SayAsync("away 3"); // Fri 20 … Sun 22
        bot.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        await bot.SayAsync("away 4"); // Tue 24 … Fri 27
        await bot.SayAsync("away until 2026-12-24");

        bot.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        (await bot.SayAsync("away")).ShouldBe(
            "**Your away days** (in UTC, today is Thu 26 Nov 2026)\n"
            + "Fri 20 Nov 2026 to Sun 22 Nov 2026 (3 days, past)\n"
            + "Tue 24 Nov 2026 to Thu 24 Dec 2026 (31 days, now)\n"
            + "Set some with `/drill away 5` (the next 5 days) or `/drill away until YYYY-MM-DD`; end them with `/drill away off`.");

        (await bot.SayAsync("away off")).ShouldBe(
            "Welcome back! Removed 29 away days from today (Thu 26 Nov 2026) on; today counts as usual. Away days already passed stay away.");
        (await bot.SayAsync("away")).ShouldContain("Tue 24 Nov 2026 to Wed 25 Nov 2026 (2 days, past)");
        (await bot.SayAsync("away off")).ShouldStartWith("You have no away days from today (Thu 26 Nov 2026) on, so nothing changed.");
    }

    [Fact]
    public async Task Help_lists_away()
    {
        var help = await new Bot(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero)).SayAsync("help");
        help.ShouldContain("`/drill away <days>|until YYYY-MM-DD|off` away days (holiday, sick): they never break your streak");
        CommandParser.Actions.ShouldContain("away");
    }

    /// <summary>The router with away days and the user's zone, on a fake clock (shared with <see cref="TimeZoneCommandTests"/>).</summary>
    internal sealed class Bot
    {
        private readonly CommandRouter _router;

        public Bot(DateTimeOffset now)
        {
            Clock = new FakeTimeProvider(now);
            var users = new Users();
            var options = Options.Create(new BreaksOptions { DefaultTimeZone = "UTC" });
            var userClock = new UserClock(users, users, options, Clock);
            var commands = new AwayCommands(Away, users, userClock);
            var reminders = new Core.Personal.ReminderService(
                new NoReminders(), Away, users, userClock, TestCatalog.Shipped, null!, null!, null!, options);
            _router = new CommandRouter(
                new CommandParser(TestCatalog.Shipped), TestCatalog.Shipped, null!, null!, null!, commands, null!, reminders, new ChatBot.Testing.NoDirectMessages(), users, userClock, null!);
        }

        public FakeTimeProvider Clock { get; }

        public RecordingAwayStore Away { get; } = new();

        public async Task<string> SayAsync(string text, string? zone = null)
        {
            var reply = await _router.HandleAsync(new CommandInvocation(Channel, new ChatUser("U1", "Ann", zone), text), TestContext.Current.CancellationToken);
            Away.Visibility = reply.Visibility;
            return reply.Message.Text;
        }
    }

    /// <summary>Nobody has a daily reminder (these tests don't set any).</summary>
    internal sealed class NoReminders : IReminderStore
    {
        public Task SetAsync(ReminderSetting setting, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> RemoveAsync(TeamKey team, string userId, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<ReminderSetting?> GetAsync(TeamKey team, string userId, CancellationToken cancellationToken) => Task.FromResult<ReminderSetting?>(null);

        public Task<IReadOnlyList<DueReminder>> GetDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<DueReminder>>([]);

        public Task<IReadOnlyList<SentReminder>> AdvanceAsync(IReadOnlyList<ReminderAdvance> advances, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SentReminder>>([]);

        public Task<IReadOnlyList<SentReminder>> GetUnsentAsync(DateTimeOffset now, TimeSpan window, string keyPrefix, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SentReminder>>([]);

        public Task<SentReminder?> GetSentAsync(long id, CancellationToken cancellationToken) => Task.FromResult<SentReminder?>(null);
    }

    /// <summary>Away days as a set of dates, grouped into periods the way the SQLite store groups them.</summary>
    internal sealed class RecordingAwayStore : IAwayStore
    {
        public SortedSet<DateOnly> Days { get; } = [];

        public ReplyVisibility Visibility { get; set; }

        public Task<int> AddAsync(TeamKey team, string userId, DateOnly first, DateOnly last, CancellationToken cancellationToken)
        {
            var added = 0;
            for (var day = first; day <= last; day = day.AddDays(1))
            {
                added += Days.Add(day) ? 1 : 0;
            }

            return Task.FromResult(added);
        }

        public Task<int> RemoveFromAsync(TeamKey team, string userId, DateOnly from, CancellationToken cancellationToken) =>
            Task.FromResult(Days.RemoveWhere(d => d >= from));

        public Task<IReadOnlyList<AwayPeriod>> GetPeriodsAsync(TeamKey team, string userId, CancellationToken cancellationToken)
        {
            var periods = new List<AwayPeriod>();
            foreach (var day in Days)
            {
                if (periods.Count > 0 && periods[^1].Last.AddDays(1) == day)
                {
                    periods[^1] = periods[^1] with { Last = day };
                }
                else
                {
                    periods.Add(new AwayPeriod(day, day));
                }
            }

            return Task.FromResult<IReadOnlyList<AwayPeriod>>(periods);
        }
    }

    private sealed class Users : IUserStore, IChannelStore
    {
        public Task<UserProfile?> GetAsync(TeamKey team, string userId, CancellationToken cancellationToken) => Task.FromResult<UserProfile?>(null);

        public Task SeenAsync(TeamKey team, ChatUser user, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SetTimeZoneAsync(TeamKey team, string userId, string? timeZoneId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<string?> GetTimeZoneAsync(ChannelKey channel, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
