using ChatBot.Core;
using ChatBot.Core.Streaks;
using Microsoft.Extensions.Time.Testing;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

/// <summary>Channel leaderboards. "Today" is Tuesday 24 November 2026 unless a test says otherwise.</summary>
public abstract class LeaderboardTests(StoreEngine engine)
{
    private static readonly DateOnly Monday = Nov(23);

    private static Task<IReadOnlyList<LeaderboardRow>> BoardAsync(TestStore store, DateOnly? since, int limit = 10, ChannelKey? channel = null) =>
        store.Completions.GetLeaderboardAsync(channel ?? General, since, "UTC", Noon(Nov(24)), limit, Ct);

    [Fact]
    public async Task People_rank_by_current_streak_then_breaks_in_the_period_then_name_then_id()
    {
        var store = new TestStore(engine.NewDatabase());
        // Ada: streak 3, 3 breaks.
        foreach (var day in new[] { Nov(20), Nov(23), Nov(24) })
        {
            await store.TakeBreakAsync("U-ada", day, name: "Ada");
        }

        // Bob and Cy: streak 2; Bob has more breaks, so he ranks above Cy.
        foreach (var day in new[] { Nov(23), Nov(24), Nov(24), Nov(24) })
        {
            await store.TakeBreakAsync("U-bob", day, name: "Bob");
        }

        foreach (var day in new[] { Nov(23), Nov(24) })
        {
            await store.TakeBreakAsync("U-cy", day, name: "Cy");
        }

        // Streak 1 and one break each: by name, then two people called Dee by their ids.
        await store.TakeBreakAsync("U-d2", Nov(24), name: "Dee");
        await store.TakeBreakAsync("U-zed", Nov(24), name: "Abe");
        await store.TakeBreakAsync("U-d1", Nov(24), name: "Dee");
        // Eve: many breaks long ago, no current streak.
        for (var day = new DateOnly(2026, 10, 5); day <= new DateOnly(2026, 10, 9); day = day.AddDays(1))
        {
            await store.TakeBreakAsync("U-eve", day, name: "Eve");
            await store.TakeBreakAsync("U-eve", day, name: "Eve");
        }

        var board = await BoardAsync(store, since: null);

        board.Select(r => r.UserId).ShouldBe(["U-ada", "U-bob", "U-cy", "U-zed", "U-d1", "U-d2", "U-eve"]);
        board.Select(r => r.DisplayName).ShouldBe(["Ada", "Bob", "Cy", "Abe", "Dee", "Dee", "Eve"]);
        board[0].ShouldBe(new LeaderboardRow("U-ada", "Ada", 3, 3, 3));
        board[1].ShouldBe(new LeaderboardRow("U-bob", "Bob", 2, 2, 4));
        board[^1].ShouldBe(new LeaderboardRow("U-eve", "Eve", 0, 5, 10));

        // The same data gives the same order every time.
        (await BoardAsync(store, since: null)).ShouldBe(board);
    }

    [Fact]
    public async Task A_channel_without_breaks_in_the_period_gets_an_empty_board_not_an_error()
    {
        var store = new TestStore(engine.NewDatabase());

        foreach (var since in new DateOnly?[] { null, Nov(1), Monday })
        {
            (await BoardAsync(store, since)).ShouldBeEmpty();
        }

        await store.TakeBreakAsync("U1", Nov(2));
        (await BoardAsync(store, since: Monday)).ShouldBeEmpty();
        (await BoardAsync(store, since: null, channel: Other)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Ties_are_ordered_by_name_regardless_of_letter_case()
    {
        var store = new TestStore(engine.NewDatabase());
        await store.TakeBreakAsync("U1", Nov(24), name: "Zed");
        await store.TakeBreakAsync("U2", Nov(24), name: "ada");
        await store.TakeBreakAsync("U3", Nov(24), name: "Bob");

        (await BoardAsync(store, since: null)).Select(r => r.DisplayName).ShouldBe(["ada", "Bob", "Zed"]);
    }

    [Fact]
    public async Task A_persons_day_ends_at_midnight_in_their_zone_with_daylight_saving_time_applied()
    {
        // Monday 30 March 2026, 22:30 UTC: Berlin switched to summer time (UTC+2) on Sunday, so it is already
        // Tuesday 00:30 there and Monday is over; on winter time it would still be Monday 23:30.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 30, 22, 30, 0, TimeSpan.Zero));
        var store = new TestStore(engine.NewDatabase(), clock: clock);
        DateOnly TodayIn(string zone) => TimeZones.LocalDate(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(zone));
        var friday = new DateOnly(2026, 3, 27);
        await store.Users.SetTimeZoneAsync(Team, "U-ber", "Europe/Berlin", Ct);
        await store.SelfLogAsync("U-ber", friday, name: "Berta");
        await store.SelfLogAsync("U-utc", friday, name: "Uma");

        var board = await store.Completions.GetLeaderboardAsync(General, null, "UTC", clock.GetUtcNow(), 10, Ct);

        TodayIn("Europe/Berlin").ShouldBe(new DateOnly(2026, 3, 31));
        board.Select(r => (r.UserId, r.CurrentStreak)).ShouldBe([("U-utc", 1), ("U-ber", 0)]);
        (await store.StreakAsync("U-ber", TodayIn("Europe/Berlin"))).Current.ShouldBe(0);
    }

    [Fact]
    public async Task The_board_shows_each_persons_latest_display_name_not_their_id()
    {
        var store = new TestStore(engine.NewDatabase());
        await store.TakeBreakAsync("U1", Nov(23), name: "ada");
        await store.Users.SeenAsync(Team, new ChatUser("U1", "Ada L."), Ct);

        (await BoardAsync(store, since: null)).ShouldHaveSingleItem().DisplayName.ShouldBe("Ada L.");
    }

    [Fact]
    public async Task Week_month_and_all_time_count_the_breaks_of_their_period_and_only_people_active_in_it()
    {
        var store = new TestStore(engine.NewDatabase());
        await store.TakeBreakAsync("U-p1", new DateOnly(2026, 10, 30), name: "P1");
        await store.TakeBreakAsync("U-p1", new DateOnly(2026, 10, 30), name: "P1");
        await store.TakeBreakAsync("U-p1", Nov(10), name: "P1");
        await store.TakeBreakAsync("U-p1", Nov(23), name: "P1");
        await store.TakeBreakAsync("U-p2", new DateOnly(2026, 10, 15), name: "P2");
        await store.TakeBreakAsync("U-p3", Nov(5), name: "P3");
        await store.SelfLogAsync("U-p3", Nov(6), name: "P3");

        var week = await BoardAsync(store, since: Monday);
        var month = await BoardAsync(store, since: Nov(1));
        var all = await BoardAsync(store, since: null);

        week.ShouldHaveSingleItem().ShouldBe(new LeaderboardRow("U-p1", "P1", 1, 1, 1));
        month.Select(r => (r.UserId, r.BreaksInPeriod)).ShouldBe([("U-p1", 2), ("U-p3", 2)]);
        all.Select(r => (r.UserId, r.BreaksInPeriod)).ShouldBe([("U-p1", 4), ("U-p3", 2), ("U-p2", 1)]);
        (await BoardAsync(store, since: Nov(25))).ShouldBeEmpty();
    }

    [Fact]
    public async Task Only_people_who_took_part_in_that_channel_appear_with_their_team_wide_streak()
    {
        var store = new TestStore(engine.NewDatabase());
        var otherTeam = new ChannelKey(ChatPlatform.Slack, "T2", General.ChannelId);
        var discord = new ChannelKey(ChatPlatform.Discord, General.TeamId, General.ChannelId);
        await store.TakeBreakAsync("U-elsewhere", Nov(24), Other, "Elsewhere");
        await store.TakeBreakAsync("U-both", Nov(23), Other, "Both");
        await store.TakeBreakAsync("U-both", Nov(24), General, "Both");
        await store.Completions.RecordAsync(
            new NewCompletion(otherTeam.Team, "U-t2", "Other team", otherTeam, null, CompletionKind.SelfLogged, Noon(Nov(24)), Nov(24)), Ct);
        await store.Completions.RecordAsync(
            new NewCompletion(discord.Team, "U-dc", "Discord", discord, null, CompletionKind.SelfLogged, Noon(Nov(24)), Nov(24)), Ct);

        foreach (var since in new DateOnly?[] { null, Nov(1), Monday })
        {
            var board = await BoardAsync(store, since);
            board.ShouldHaveSingleItem().ShouldBe(new LeaderboardRow("U-both", "Both", 2, 2, 1), $"since {since}");
        }

        (await BoardAsync(store, since: null, channel: Other)).Select(r => r.UserId).ShouldBe(["U-both", "U-elsewhere"]);
        (await store.Completions.GetLeaderboardAsync(otherTeam, null, "UTC", Noon(Nov(24)), 10, Ct)).ShouldHaveSingleItem().UserId.ShouldBe("U-t2");
        (await store.Completions.GetLeaderboardAsync(discord, null, "UTC", Noon(Nov(24)), 10, Ct)).ShouldHaveSingleItem().UserId.ShouldBe("U-dc");
        (await BoardAsync(store, since: null, channel: General with { ChannelId = "C-empty" })).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_board_is_cut_at_the_limit_keeping_the_top()
    {
        var store = new TestStore(engine.NewDatabase());
        for (var i = 1; i <= 15; i++)
        {
            // Person i has done the last i workdays: the longer the streak, the higher.
            for (var day = Nov(24); day > Nov(24).AddDays(-30) && (await store.StreakAsync($"U{i:00}", Nov(24))).Current < i; day = day.AddDays(-1))
            {
                if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                {
                    await store.SelfLogAsync($"U{i:00}", day);
                }
            }
        }

        var board = await BoardAsync(store, since: null, limit: 10);

        board.Count.ShouldBe(10);
        board.Select(r => r.CurrentStreak).ShouldBe(Enumerable.Range(6, 10).Reverse());
        board[0].UserId.ShouldBe("U15");
        (await BoardAsync(store, since: null, limit: 3)).Select(r => r.UserId).ShouldBe(["U15", "U14", "U13"]);
    }

    [Fact]
    public async Task Each_persons_today_comes_from_their_own_time_zone()
    {
        // Tuesday 24 Nov, 10:30 UTC: already Wednesday 00:30 in Kiritimati (UTC+14), still Monday 23:30 in Pago Pago (UTC-11).
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 30, 0, TimeSpan.Zero));
        var store = new TestStore(engine.NewDatabase(), clock: clock);
        DateOnly TodayIn(string zone) => TimeZones.LocalDate(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(zone));
        TodayIn("Pacific/Kiritimati").ShouldBe(Nov(25));
        TodayIn("Pacific/Pago_Pago").ShouldBe(Nov(23));
        TodayIn("UTC").ShouldBe(Nov(24));

        // In UTC (the channel's zone) someone who did Monday still has a streak on Tuesday morning.
        await store.SelfLogAsync("U-utc", Nov(23), name: "Uma");
        // Kiritimati (chosen with /drill tz): Monday done, Tuesday (their yesterday) missed: no streak any more.
        await store.Users.SetTimeZoneAsync(Team, "U-kir", "Pacific/Kiritimati", Ct);
        await store.SelfLogAsync("U-kir", Nov(23), name: "Kiri");
        // Pago Pago (reported by the platform): Friday done, and it is still Monday there: the streak holds.
        await store.Users.SeenAsync(Team, new ChatUser("U-ppg", "Hana", "Pacific/Pago_Pago"), Ct);
        await store.SelfLogAsync("U-ppg", Nov(20), name: "Hana");

        var board = await store.Completions.GetLeaderboardAsync(General, null, "UTC", clock.GetUtcNow(), 10, Ct);

        board.Select(r => (r.UserId, r.CurrentStreak)).ShouldBe([("U-ppg", 1), ("U-utc", 1), ("U-kir", 0)]);
        // Each person's board figure agrees with their own streak seen from their own today.
        (await store.StreakAsync("U-kir", TodayIn("Pacific/Kiritimati"))).Current.ShouldBe(0);
        (await store.StreakAsync("U-ppg", TodayIn("Pacific/Pago_Pago"))).Current.ShouldBe(1);

        // Later that day the UTC streak is still open, and Kiritimati's Wednesday break restarts theirs (2 breaks: first).
        await store.SelfLogAsync("U-kir", Nov(25), name: "Kiri");
        board = await store.Completions.GetLeaderboardAsync(General, null, "UTC", clock.GetUtcNow(), 10, Ct);
        board.Select(r => (r.UserId, r.CurrentStreak)).ShouldBe([("U-kir", 1), ("U-ppg", 1), ("U-utc", 1)]);
    }

    [Fact]
    public async Task A_short_board_is_the_top_of_the_whole_board_across_zones_ties_broken_streaks_and_other_channels()
    {
        // Tuesday 24 Nov, 10:30 UTC: already Wednesday in Kiritimati, still Monday in Pago Pago.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 30, 0, TimeSpan.Zero));
        var store = new TestStore(engine.NewDatabase(), clock: clock);
        async Task LogAsync(string user, string name, DateOnly last, int workdays, ChannelKey? channel = null, string? zone = null)
        {
            if (zone is not null)
            {
                await store.Users.SetTimeZoneAsync(Team, user, zone, Ct);
            }

            for (var day = last; workdays > 0; day = day.AddDays(-1))
            {
                if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                {
                    await store.SelfLogAsync(user, day, channel, name);
                    workdays--;
                }
            }
        }

        // Current in UTC, with ties in streak and breaks (then by name, case-insensitively).
        await LogAsync("U-a", "ada", Nov(24), 6);
        await LogAsync("U-b", "Bea", Nov(23), 6);
        await LogAsync("U-c", "cy", Nov(23), 4);
        await LogAsync("U-d", "Dee", Nov(24), 4);
        await LogAsync("U-e", "Eli", Nov(23), 2);
        await store.SelfLogAsync("U-e", Nov(2), name: "Eli"); // one more break, longer ago
        await LogAsync("U-f", "fay", Nov(23), 2);
        // Long runs that broke: Kiritimati's Tuesday has passed without a break; a UTC run ended last week.
        await LogAsync("U-k", "Kiri", Nov(23), 9, zone: "Pacific/Kiritimati");
        await LogAsync("U-o", "Old", Nov(18), 12);
        // Current in Pago Pago (it is still Monday there: Friday's run holds).
        await LogAsync("U-p", "Pua", Nov(20), 5, zone: "Pacific/Pago_Pago");
        // The longest streak of the team, but in another channel only; a team streak taken elsewhere, and here once long ago.
        await LogAsync("U-x", "Xan", Nov(24), 15, Other);
        await LogAsync("U-y", "Yu", Nov(23), 3, Other);
        await store.SelfLogAsync("U-y", Nov(23).AddDays(-14), name: "Yu");
        Task<IReadOnlyList<LeaderboardRow>> Board(DateOnly? since, int limit) =>
            store.Completions.GetLeaderboardAsync(General, since, "UTC", clock.GetUtcNow(), limit, Ct);

        foreach (var since in new DateOnly?[] { null, Nov(1), Nov(23) })
        {
            var whole = await Board(since, 100);
            whole.ShouldNotContain(r => r.UserId == "U-x");
            for (var limit = 1; limit <= whole.Count + 1; limit++)
            {
                (await Board(since, limit)).ShouldBe(whole.Take(limit), $"top {limit} since {since}");
            }
        }

        (await Board(null, 100)).Select(r => (r.UserId, r.CurrentStreak, r.BreaksInPeriod)).ShouldBe(
            [("U-a", 6, 6), ("U-b", 6, 6), ("U-p", 5, 5), ("U-c", 4, 4), ("U-d", 4, 4), ("U-y", 3, 1), ("U-e", 2, 3), ("U-f", 2, 2), ("U-o", 0, 12), ("U-k", 0, 9)]);
        (await Board(Nov(23), 3)).Select(r => (r.UserId, r.BreaksInPeriod)).ShouldBe([("U-a", 2), ("U-b", 1), ("U-d", 2)]);
    }

    [Fact]
    public async Task People_without_a_zone_of_their_own_use_the_channel_zone()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 30, 0, TimeSpan.Zero));
        var store = new TestStore(engine.NewDatabase(), clock: clock);
        await store.SelfLogAsync("U1", Nov(20), name: "Ada");

        // Seen from a Pago Pago channel it is still Monday: Friday's streak holds. From a Kiritimati channel it is Wednesday.
        (await store.Completions.GetLeaderboardAsync(General, null, "Pacific/Pago_Pago", clock.GetUtcNow(), 10, Ct)).ShouldHaveSingleItem().CurrentStreak.ShouldBe(1);
        (await store.Completions.GetLeaderboardAsync(General, null, "Pacific/Kiritimati", clock.GetUtcNow(), 10, Ct)).ShouldHaveSingleItem().CurrentStreak.ShouldBe(0);
    }
}

public sealed class LeaderboardTestsOnSqlite(TempDirectoryFixture engine) : LeaderboardTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class LeaderboardTestsOnPostgres(PostgresCluster cluster) : LeaderboardTests(new PostgresEngine(cluster));
