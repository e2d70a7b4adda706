using System.Collections.Concurrent;

namespace ChatBot.Core;

/// <summary>
/// The one workaround for zones .NET gets wrong. Zones with "negative" daylight saving (Europe/Dublin, whose
/// standard time is summer time IST and winter GMT the exception; Africa/Casablanca and Africa/El_Aaiun, GMT+1
/// except during Ramadan) have adjustment rules with a negative daylight delta, and with them .NET turns a local
/// time into an instant wrongly around the spring change: the hour the clocks skip counts as valid and resolves
/// an hour early, and Cronos (Hangfire's cron library) never gets past it (its next occurrence doesn't advance).
/// Such a zone is rebuilt, under the same id, with the same offsets at the same instants but expressed as
/// positive daylight saving (the smaller offset as standard time), which .NET and Cronos handle correctly.
/// UTC to local conversions are what the rebuild is made from (they are right); the rules cover
/// <see cref="FirstYear"/> to <see cref="LastYear"/>. Checked for every zone of the tz database by
/// EveryZoneDaylightSavingTests.
/// </summary>
public static class DaylightSavingRepair
{
    /// <summary>First calendar year (UTC) the rebuilt rules cover.</summary>
    public const int FirstYear = 2020; // Morocco's present rules date from late 2018; history is never scheduled

    /// <summary>Last calendar year (UTC) the rebuilt rules cover.</summary>
    public const int LastYear = 2099;

    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Repaired = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="zone"/> itself, or for a zone with negative daylight saving an equivalent zone (same
    /// <see cref="TimeZoneInfo.Id"/> and offsets) that .NET resolves local times in correctly. If the zone uses
    /// more than two offsets in the covered years, it is returned unchanged.
    /// </summary>
    public static TimeZoneInfo Apply(TimeZoneInfo zone) =>
        zone.GetAdjustmentRules().Any(rule => rule.DaylightDelta < TimeSpan.Zero)
            ? Repaired.GetOrAdd(zone.Id, _ => Rebuild(zone) ?? zone)
            : zone;

    private static TimeZoneInfo? Rebuild(TimeZoneInfo zone)
    {
        var transitions = Transitions(zone);
        var offsets = transitions.SelectMany(t => new[] { t.Before, t.After }).Distinct().ToList();
        if (offsets.Count != 2)
        {
            return null;
        }

        var standard = offsets.Min();
        var daylight = offsets.Max();

        // The daylight periods, each from its start in standard local time to its end in daylight local time
        // (as .NET reads a rule's transitions).
        var periods = new List<(DateTime Start, DateTime End)>();
        var first = new DateTimeOffset(FirstYear, 1, 1, 0, 0, 0, TimeSpan.Zero);
        DateTime? start = zone.GetUtcOffset(first) == daylight ? first.DateTime : null;
        foreach (var (at, _, after) in transitions)
        {
            if (after == daylight)
            {
                start = (at + standard).DateTime;
            }
            else if (start is { } from)
            {
                periods.Add((from, (at + daylight).DateTime));
                start = null;
            }
        }

        var yearEnd = TimeSpan.FromDays(1) - TimeSpan.FromMilliseconds(1);
        if (start is { } open)
        {
            periods.Add((open, new DateTime(LastYear, 12, 31).Add(yearEnd)));
        }

        // One rule per period, even one that runs over New Year (.NET reads a rule whose start comes after its
        // end in the calendar as daylight time over the turn of the year, as in the southern hemisphere).
        var rules = periods.Select(period => TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            period.Start.Date,
            period.End.Date,
            daylight - standard,
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1).Add(period.Start.TimeOfDay), period.Start.Month, period.Start.Day),
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1).Add(period.End.TimeOfDay), period.End.Month, period.End.Day)));

        // A custom zone reports HasIanaId only through ICU, which the bot runs without: check HasIanaId on the system
        // zone (as TimeZones.TryFind does), never on the repaired one.
        return TimeZoneInfo.CreateCustomTimeZone(zone.Id, standard, zone.DisplayName, zone.StandardName, zone.DaylightName, [.. rules]);
    }

    /// <summary>Every change of UTC offset in the covered years, found from UTC instants to the minute.</summary>
    private static List<(DateTimeOffset At, TimeSpan Before, TimeSpan After)> Transitions(TimeZoneInfo zone)
    {
        var found = new List<(DateTimeOffset, TimeSpan, TimeSpan)>();
        var day = new DateTimeOffset(FirstYear, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var end = new DateTimeOffset(LastYear + 1, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var offset = zone.GetUtcOffset(day);
        for (; day < end; day = day.AddHours(12))
        {
            var next = zone.GetUtcOffset(day.AddHours(12));
            if (next == offset)
            {
                continue;
            }

            // The change lies in (day, day + 12 h]: narrow it down to the minute.
            var (low, high) = (day, day.AddHours(12));
            while (high - low > TimeSpan.FromMinutes(1))
            {
                var middle = low + TimeSpan.FromMinutes(Math.Floor((high - low).TotalMinutes / 2));
                (low, high) = zone.GetUtcOffset(middle) == offset ? (middle, high) : (low, middle);
            }

            found.Add((high, offset, next));
            offset = next;
        }

        return found;
    }
}
