using System.Globalization;
using System.Text.RegularExpressions;
using ChatBot.Core.Digests;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBot.Digest.Tests;

/// <summary>
/// The digest's top streaks come from the stored streak summaries (refreshed only when a person logs a break), so
/// they must be read as of the digest's time in each person's own zone: exactly what <c>/drill streak</c> tells them.
/// </summary>
public sealed partial class TopStreakTests
{
    // Monday 30 November 2026, 12:00 UTC: Monday is still open in UTC, already over in Kiritimati (Tue 1 Dec 02:00).
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Kiritimati = TimeSpan.FromHours(14);

    [Fact]
    public async Task TopStreaks_AreWhatDrillStreakSays_EvenWhenTheStoredSummaryIsStale()
    {
        using var bot = new DigestBot(Monday);
        // Ana: every workday of two weeks up to Friday; Monday is open, so her streak still stands.
        foreach (var day in Workdays(new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 27)))
        {
            await bot.SelfLogAsync("U1", At(day, 10, TimeSpan.Zero));
        }

        // Bo: Mon–Wed, then Thursday and Friday passed without a break. His summary still says a 3-day run.
        foreach (var day in Workdays(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 25)))
        {
            await bot.SelfLogAsync("U2", At(day, 10, TimeSpan.Zero));
        }

        // Chen: Wed–Fri and this Monday.
        foreach (var day in Workdays(new DateOnly(2026, 11, 25), new DateOnly(2026, 11, 30)))
        {
            await bot.SelfLogAsync("U3", At(day, 10, TimeSpan.Zero));
        }

        // Dara lives in Kiritimati: Wed–Fri there, and her Monday ended with no break. In UTC it would still stand at 3.
        (await bot.CommandAsync("tz Pacific/Kiritimati", "U4")).Message.Text.ShouldContain("Pacific/Kiritimati");
        foreach (var day in Workdays(new DateOnly(2026, 11, 25), new DateOnly(2026, 11, 27)))
        {
            await bot.SelfLogAsync("U4", At(day, 9, Kiritimati), day);
        }

        // Eli, also in Kiritimati: Thu, Fri and his Monday (Sunday evening UTC); his Tuesday is open.
        (await bot.CommandAsync("tz Pacific/Kiritimati", "U5")).Message.Text.ShouldContain("Pacific/Kiritimati");
        foreach (var day in Workdays(new DateOnly(2026, 11, 26), new DateOnly(2026, 11, 30)))
        {
            await bot.SelfLogAsync("U5", At(day, 9, Kiritimati), day);
        }

        var report = await bot.Services.GetRequiredService<DigestService>().BuildAsync(
            DigestBot.Channel, DigestPeriodKind.Week, new DateOnly(2026, 11, 30), DigestBot.Ct);
        var told = new List<DigestStreak>();
        foreach (var user in new[] { "U1", "U2", "U3", "U4", "U5" })
        {
            told.Add(new DigestStreak(DigestBot.Name(user), await DrillStreakAsync(bot, user)));
        }

        told.ShouldBe([new("Ana", 10), new("Bo", 0), new("Chen", 4), new("Dara", 0), new("Eli", 3)], "what /drill streak tells each person");
        report.TopStreaks.ShouldBe(told.Where(s => s.Days > 0).OrderByDescending(s => s.Days).ToList());
    }

    [Fact]
    public async Task TopStreaks_AreTheFiveLongest_InThisChannelOnly()
    {
        using var bot = new DigestBot(Monday);
        string[] people = ["U1", "U2", "U3", "U4", "U5", "U6"];
        for (var i = 0; i < people.Length; i++)
        {
            // U1 has a 1-day streak, U2 2 days, … U6 6 days, all ending this Monday.
            foreach (var day in Workdays(new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 30)).TakeLast(i + 1))
            {
                await bot.SelfLogAsync(people[i], At(day, 10, TimeSpan.Zero));
            }
        }

        var report = await bot.Services.GetRequiredService<DigestService>().BuildAsync(
            DigestBot.Channel, DigestPeriodKind.Week, new DateOnly(2026, 11, 30), DigestBot.Ct);

        report.TopStreaks.ShouldBe([new("Fay", 6), new("Eli", 5), new("Dara", 4), new("Chen", 3), new("Bo", 2)]);
        foreach (var streak in report.TopStreaks)
        {
            var user = people.Single(u => DigestBot.Name(u) == streak.DisplayName);
            (await DrillStreakAsync(bot, user)).ShouldBe(streak.Days);
        }
    }

    private static IEnumerable<DateOnly> Workdays(DateOnly from, DateOnly to)
    {
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                yield return day;
            }
        }
    }

    private static DateTimeOffset At(DateOnly day, int hour, TimeSpan offset) => new(day.ToDateTime(new TimeOnly(hour, 0)), offset);

    /// <summary>The current streak <c>/drill streak</c> shows <paramref name="user"/>.</summary>
    private static async Task<int> DrillStreakAsync(DigestBot bot, string user)
    {
        var text = (await bot.CommandAsync("streak", user)).Message.Text;
        var match = YourStreak().Match(text);
        match.Success.ShouldBeTrue(text);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\*\*Your streak: (\d+) days?\*\*")]
    private static partial Regex YourStreak();
}
