using System.Globalization;

namespace ChatBot.Core.Digests;

/// <summary>The span a digest covers: a calendar week (Monday to Sunday) or a calendar month.</summary>
public enum DigestPeriodKind
{
    Week,
    Month,
}

/// <summary>
/// One digest period as local calendar dates in the channel's zone, <see cref="First"/> to <see cref="Last"/>
/// inclusive. Weeks run Monday to Sunday (ISO 8601); months from the 1st to their last day.
/// </summary>
public sealed record DigestPeriod(DigestPeriodKind Kind, DateOnly First, DateOnly Last)
{
    /// <summary>The week or month that contains <paramref name="date"/>.</summary>
    public static DigestPeriod Containing(DigestPeriodKind kind, DateOnly date)
    {
        if (kind == DigestPeriodKind.Week)
        {
            var monday = date.AddDays(-(((int)date.DayOfWeek + 6) % 7));
            return new DigestPeriod(kind, monday, monday.AddDays(6));
        }

        var first = new DateOnly(date.Year, date.Month, 1);
        return new DigestPeriod(kind, first, first.AddMonths(1).AddDays(-1));
    }

    /// <summary>The period just before this one (last week, last month).</summary>
    public DigestPeriod Previous => Containing(Kind, First.AddDays(-1));

    /// <summary>How many calendar days the period has (7, or 28 to 31).</summary>
    public int DayCount => Last.DayNumber - First.DayNumber + 1;

    public IEnumerable<DateOnly> Dates => Enumerable.Range(0, DayCount).Select(First.AddDays);

    /// <summary>"this week" / "this month", for sentences.</summary>
    public string Noun => Kind == DigestPeriodKind.Week ? "week" : "month";

    /// <summary>Stable per channel and period, for post claims: "week@2026-11-23", "month@2026-11".</summary>
    public string Key => Kind == DigestPeriodKind.Week
        ? "week@" + First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : "month@" + First.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>"Mon 23 Nov – Sun 29 Nov 2026" or "November 2026".</summary>
    public string Label => Kind == DigestPeriodKind.Week
        ? $"{First.ToString("ddd d MMM", CultureInfo.InvariantCulture)} – {Last.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture)}"
        : First.ToString("MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>
    /// The instants (UTC) at which each local day of the period starts in <paramref name="zone"/>, plus the start
    /// of the day after: <see cref="DayCount"/> + 1 boundaries, so day <c>i</c> is <c>[b[i], b[i+1])</c>. Days are
    /// 23 or 25 hours long across daylight-saving changes.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> DayBoundaries(TimeZoneInfo zone) =>
        Enumerable.Range(0, DayCount + 1).Select(i => StartOfDay(First.AddDays(i), zone)).ToList();

    /// <summary>
    /// The first instant of <paramref name="date"/> in <paramref name="zone"/>: local midnight, or where a zone
    /// skips midnight (a spring-forward at 00:00), the first local time that exists that day.
    /// </summary>
    public static DateTimeOffset StartOfDay(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
