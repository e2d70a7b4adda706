using ChatBot.Core.Digests;

namespace ChatBot.Digest.Tests;

/// <summary>Fixed reports for the chart and text tests (fixed dates, never today).</summary>
internal static class Samples
{
    public static readonly DateOnly Monday = new(2026, 11, 23);

    public static DigestReport Week(int extraRotationOnWednesday = 0)
    {
        var period = DigestPeriod.Containing(DigestPeriodKind.Week, Monday);
        int[][] breaks =
        [
            [6, 2, 4, 1, 1], [5, 1, 3, 0, 2], [7, 2 + extraRotationOnWednesday, 5, 2, 0], [4, 0, 3, 1, 1], [6, 1, 2, 0, 3],
            [0, 0, 1, 0, 0], [0, 0, 0, 0, 0],
        ];
        int[] people = [9, 8, 11, 7, 9, 1, 0];
        var days = period.Dates.Select((d, i) => new DigestDay(d, breaks[i], people[i])).ToList();
        var previous = DigestPeriod.Containing(DigestPeriodKind.Week, Monday.AddDays(-7)).Dates
            .Select(d => new DigestDay(d, [3, 1, 2, 0, 1], 5)).ToList();
        return new DigestReport(
            "upper-back",
            period,
            Monday.AddDays(6),
            new DigestCounts(days, 12),
            new DigestCounts(previous, 8),
            [new("Ana", 14), new("Bo", 9), new("Chen", 7), new("Dara", 5), new("Eli", 3)],
            d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
    }

    public static DigestReport Month()
    {
        var period = DigestPeriod.Containing(DigestPeriodKind.Month, Monday);
        var days = period.Dates.Select((d, i) => d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday
            ? new DigestDay(d, [0, 0, 0, 0, 0], 0)
            : new DigestDay(d, [i % 5 + 2, i % 3, i % 4 + 1, i % 2, 1], i % 6 + 4)).ToList();
        var previous = period.Previous.Dates.Select(d => new DigestDay(d, [1, 1, 1, 0, 0], 3)).ToList();
        return new DigestReport("upper-back", period, period.Last, new DigestCounts(days, 14), new DigestCounts(previous, 10), [new("Ana", 14)],
            d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
    }
}
