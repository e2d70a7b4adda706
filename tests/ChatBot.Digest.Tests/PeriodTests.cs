using ChatBot.Core.Digests;

namespace ChatBot.Digest.Tests;

/// <summary>Period arithmetic on fixed dates: weeks across month and year ends, months of every length, DST and far zones.</summary>
public sealed class PeriodTests
{
    [Fact]
    public void Week_RunsMondayToSunday_AcrossAMonthEnd()
    {
        var week = DigestPeriod.Containing(DigestPeriodKind.Week, new DateOnly(2026, 12, 2));

        week.First.ShouldBe(new DateOnly(2026, 11, 30));
        week.Last.ShouldBe(new DateOnly(2026, 12, 6));
        week.Label.ShouldBe("Mon 30 Nov – Sun 6 Dec 2026");
        week.Key.ShouldBe("week@2026-11-30");
        week.Previous.First.ShouldBe(new DateOnly(2026, 11, 23));
        DigestPeriod.Containing(DigestPeriodKind.Week, new DateOnly(2026, 12, 6)).ShouldBe(week, "Sunday ends the week it belongs to");
        DigestPeriod.Containing(DigestPeriodKind.Week, new DateOnly(2027, 1, 1)).First.ShouldBe(new DateOnly(2026, 12, 28));
    }

    [Theory]
    [InlineData(2028, 2, 29, 31)] // leap February; January before it
    [InlineData(2027, 2, 28, 31)]
    [InlineData(2026, 4, 30, 31)]
    [InlineData(2027, 1, 31, 31)] // previous is December of the year before
    [InlineData(2026, 3, 31, 28)]
    public void Month_HasItsOwnLength_AndPreviousIsTheMonthBefore(int year, int month, int days, int previousDays)
    {
        var period = DigestPeriod.Containing(DigestPeriodKind.Month, new DateOnly(year, month, 15));

        period.First.ShouldBe(new DateOnly(year, month, 1));
        period.DayCount.ShouldBe(days);
        period.Previous.DayCount.ShouldBe(previousDays);
        period.Previous.Last.ShouldBe(period.First.AddDays(-1));
    }

    [Fact]
    public void DayBoundaries_FollowDaylightSaving_In_Berlin()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        // Clocks go back on Sunday 25 October 2026 at 03:00 CEST: that day has 25 hours.
        var week = DigestPeriod.Containing(DigestPeriodKind.Week, new DateOnly(2026, 10, 21));

        var bounds = week.DayBoundaries(berlin);

        bounds.Count.ShouldBe(8);
        bounds[0].ShouldBe(new DateTimeOffset(2026, 10, 18, 22, 0, 0, TimeSpan.Zero));
        bounds[6].ShouldBe(new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero));
        (bounds[7] - bounds[6]).ShouldBe(TimeSpan.FromHours(25));
        (bounds[6] - bounds[5]).ShouldBe(TimeSpan.FromHours(24));
    }

    [Fact]
    public void DayBoundaries_SpringForward_In_NewYork_Is23Hours()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var week = DigestPeriod.Containing(DigestPeriodKind.Week, new DateOnly(2026, 3, 8)); // Sunday 8 March 2026

        var bounds = week.DayBoundaries(newYork);

        (bounds[7] - bounds[6]).ShouldBe(TimeSpan.FromHours(23));
        bounds[6].ShouldBe(new DateTimeOffset(2026, 3, 8, 5, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void StartOfDay_WhereMidnightIsSkipped_IsTheFirstMinuteThatExists()
    {
        var santiago = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");
        var day = new DateOnly(2026, 9, 6); // Chile springs forward at 24:00 on Saturday 5 September 2026
        santiago.IsInvalidTime(day.ToDateTime(TimeOnly.MinValue)).ShouldBeTrue("the premise: midnight does not exist that day");

        DigestPeriod.StartOfDay(day, santiago).ShouldBe(new DateTimeOffset(2026, 9, 6, 4, 0, 0, TimeSpan.Zero)); // 01:00 at UTC−3
    }

    [Fact]
    public void DayBoundaries_FarAheadOfUtc_StartTheDayBefore_InUtc()
    {
        var kiritimati = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Kiritimati"); // UTC+14
        var week = DigestPeriod.Containing(DigestPeriodKind.Week, new DateOnly(2026, 11, 28));

        week.DayBoundaries(kiritimati)[0].ShouldBe(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Month_ThatCrossesSpringForward_InBerlin_IsAnHourShort_OnItsLastSunday()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var march = DigestPeriod.Containing(DigestPeriodKind.Month, new DateOnly(2026, 3, 10));

        var bounds = march.DayBoundaries(berlin);

        bounds.Count.ShouldBe(32);
        bounds[0].ShouldBe(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero));
        bounds[^1].ShouldBe(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero));
        (bounds[^1] - bounds[0]).ShouldBe(TimeSpan.FromHours((31 * 24) - 1));
        (bounds[29] - bounds[28]).ShouldBe(TimeSpan.FromHours(23), "Sunday 29 March 2026 loses an hour");
        march.Previous.DayBoundaries(berlin)[^1].ShouldBe(bounds[0], "February ends where March starts");
    }

    [Fact]
    public void DayBoundaries_HalfHourDaylightSaving_OnLordHowe_Is23AndAHalfHours()
    {
        var lordHowe = TimeZoneInfo.FindSystemTimeZoneById("Australia/Lord_Howe"); // +10:30, +11:00 in summer
        var week = DigestPeriod.Containing(DigestPeriodKind.Week, new DateOnly(2026, 10, 4)); // Sunday 4 October 2026

        var bounds = week.DayBoundaries(lordHowe);

        bounds[6].ShouldBe(new DateTimeOffset(2026, 10, 3, 13, 30, 0, TimeSpan.Zero));
        (bounds[7] - bounds[6]).ShouldBe(TimeSpan.FromHours(23.5));
    }

    [Fact]
    public void DayBoundaries_FarBehindUtc_StartLateInTheUtcDay()
    {
        var pagoPago = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Pago_Pago"); // UTC−11, no daylight saving
        var week = DigestPeriod.Containing(DigestPeriodKind.Week, new DateOnly(2026, 12, 31));

        var bounds = week.DayBoundaries(pagoPago);

        week.First.ShouldBe(new DateOnly(2026, 12, 28));
        bounds[0].ShouldBe(new DateTimeOffset(2026, 12, 28, 11, 0, 0, TimeSpan.Zero));
        bounds[^1].ShouldBe(new DateTimeOffset(2027, 1, 4, 11, 0, 0, TimeSpan.Zero));
    }
}
