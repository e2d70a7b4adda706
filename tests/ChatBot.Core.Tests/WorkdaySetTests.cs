using ChatBot.Core.Streaks;

namespace ChatBot.Core.Tests;

public class WorkdaySetTests
{
    [Theory]
    [InlineData("Mon-Fri", "weekdays")]
    [InlineData("weekdays", "weekdays")]
    [InlineData("weekends", "weekends")]
    [InlineData("fri-mon", "mon,fri,sat,sun")]
    [InlineData("daily", "daily")]
    [InlineData("mon,wed,fri", "mon,wed,fri")]
    [InlineData("Monday, Wednesday", "mon,wed")]
    [InlineData("sat-mon", "mon,sat,sun")]
    [InlineData("tues-thurs", "tue,wed,thu")]
    public void Parses_the_ways_people_write_days(string text, string expected) =>
        WorkdaySet.Parse(text).ToString().ShouldBe(expected);

    [Theory]
    [InlineData("funday")]
    [InlineData("mo")]
    [InlineData("mon-")]
    [InlineData("mon-tue-wed")]
    [InlineData(",,,")]
    public void Refuses_what_is_not_days_and_says_what_is_valid(string text)
    {
        WorkdaySet.TryParse(text, out _, out var error).ShouldBeFalse();
        error.ShouldContain("mon-fri");
    }

    [Fact]
    public void Consecutive_workdays_have_consecutive_ordinals_across_a_weekend()
    {
        var workdays = WorkdaySet.MondayToFriday;
        var friday = new DateOnly(2026, 11, 20);
        var monday = new DateOnly(2026, 11, 23);
        (workdays.Ordinal(monday) - workdays.Ordinal(friday)).ShouldBe(1);
        workdays.Ordinal(new DateOnly(2026, 11, 22)).ShouldBe(workdays.Ordinal(friday)); // Sunday
        workdays.OrdinalBefore(monday).ShouldBe(workdays.Ordinal(friday));
        workdays.OrdinalBefore(new DateOnly(2026, 11, 21)).ShouldBe(workdays.Ordinal(friday)); // Saturday
    }

    [Fact]
    public void Ordinals_count_every_workday_once_over_years()
    {
        foreach (var text in new[] { "mon-fri", "daily", "mon,wed,fri", "sun" })
        {
            var workdays = WorkdaySet.Parse(text);
            var day = new DateOnly(2024, 1, 1);
            var expected = workdays.Ordinal(day);
            for (var i = 0; i < 1000; i++)
            {
                day = day.AddDays(1);
                if (workdays.Contains(day))
                {
                    expected++;
                }

                workdays.Ordinal(day).ShouldBe(expected, $"{text} on {day}");
            }
        }
    }

    [Fact]
    public void Day_numbers_round_trip()
    {
        var day = new DateOnly(2026, 3, 29);
        WorkdaySet.FromDayNumber(WorkdaySet.DayNumber(day)).ShouldBe(day);
        WorkdaySet.DayNumber(new DateOnly(1970, 1, 1)).ShouldBe(0);
    }
}
