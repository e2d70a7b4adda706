using ChatBot.Core;
using ChatBot.Core.Schedules;
using Cronos;
using Shouldly;

namespace ChatBot.Scheduling.Tests.Tz;

/// <summary>
/// The README's promise, for every zone of the tz database in 2027 and 2028: a daily slot at a local time the
/// clocks skip fires once, when the clocks jump (the first valid time after the gap); a local time that happens
/// twice fires once, the first time; every other day it fires at its local time. The expected instants come from
/// the zone's compiled tz file (<see cref="TzifZone"/>), not from TimeZoneInfo; they are compared with what
/// the scheduler fires (Cronos, as Hangfire evaluates a slot's cron in its zone) and with Core's own
/// occurrence maths (slot keys, catch-up, "next break"). Slot times are the local times at and around each
/// transition's two wall-clock times, plus a fixed set of night hours, so zones that change at midnight, by
/// two hours (Antarctica/Troll), by half an hour (Australia/Lord_Howe) or "negatively" (Europe/Dublin) are all hit.
/// </summary>
public sealed class EveryZoneDaylightSavingTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T1", "C1");
    private static readonly DateTimeOffset From = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2029, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeOnly[] Fixed = [.. new[] { "00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "12:00", "23:00", "23:30", "23:59" }.Select(TimeOnly.Parse)];

    [Fact]
    public void Every_zone_fires_each_slot_once_at_the_promised_instant_in_2027_and_2028()
    {
        Assert.SkipUnless(File.Exists(Path.Combine(TzifZone.Directory, "tzdata.zi")), "needs the tz database files (Linux)");
        var problems = new List<string>();
        var zonesWithTransitions = 0;
        var checkedSlots = 0;
        foreach (var id in TzifZone.ZoneIds().Where(id => id.Contains('/', StringComparison.Ordinal)))
        {
            if (!TimeZones.TryFind(id, out var zone))
            {
                problems.Add($"{id}: not accepted as a zone");
                continue;
            }

            var tz = TzifZone.Load(id);
            var transitions = tz.Transitions(From, To).ToList();
            zonesWithTransitions += transitions.Count > 0 ? 1 : 0;
            foreach (var (at, before, after) in transitions)
            {
                var wallBefore = (at + before).DateTime;
                var wallAfter = (at + after).DateTime;
                var (low, high) = wallBefore < wallAfter ? (wallBefore, wallAfter) : (wallAfter, wallBefore);
                var minute = TimeSpan.FromMinutes(1);
                var times = new[] { low - minute, low, low + minute, low + ((high - low) / 2), high - minute, high, high + minute }
                    .Select(wall => TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(Math.Floor(wall.TimeOfDay.TotalMinutes))))
                    .Concat(Fixed)
                    .Distinct();
                var windowStart = at.AddDays(-2);
                var windowEnd = at.AddDays(2);
                var dates = Enumerable.Range(-3, 8).Select(d => DateOnly.FromDateTime(low).AddDays(d)).ToList();
                foreach (var time in times)
                {
                    checkedSlots++;
                    var slot = new ScheduleSlot(Channel, time, ScheduleDays.Daily);
                    bool InWindow(DateTimeOffset o) => o >= windowStart && o < windowEnd;
                    var expected = dates.Select(d => Promised(tz, d, time)).Where(InWindow).Order().ToList();
                    var cronos = SchedulerOccurrences(CronExpression.Parse(slot.Cron), windowStart, windowEnd, zone);
                    var core = dates.Select(d => SlotOccurrences.On(slot, d, zone)).OfType<DateTimeOffset>().Where(InWindow).Order().ToList();
                    if (!Same(expected, cronos) || !Same(expected, core))
                    {
                        problems.Add($"{id}, transition {at:u} ({before} -> {after}), slot {time:HH:mm}: expected [{Show(expected)}], scheduler [{Show(cronos)}], Core [{Show(core)}]");
                    }
                }
            }
        }

        zonesWithTransitions.ShouldBeGreaterThan(50); // the sweep really met daylight saving
        checkedSlots.ShouldBeGreaterThan(1000);
        problems.ShouldBeEmpty($"{problems.Count} problems:\n" + string.Join("\n", problems.Take(40)));
    }

    [Theory]
    [InlineData("Europe/Dublin", "2027-03-28T01:00:00Z", "+00:00", "+01:00")] // "negative" DST: winter time is the exception
    [InlineData("Antarctica/Troll", "2027-03-28T01:00:00Z", "+00:00", "+02:00")] // two hours at once
    [InlineData("America/Havana", "2027-03-14T05:00:00Z", "-05:00", "-04:00")] // at midnight
    [InlineData("Australia/Lord_Howe", "2027-04-03T15:00:00Z", "+11:00", "+10:30")] // half an hour
    public void The_reference_reads_the_unusual_zones_as_the_tz_database_defines_them(string zone, string instant, string before, string after)
    {
        Assert.SkipUnless(File.Exists(Path.Combine(TzifZone.Directory, "tzdata.zi")), "needs the tz database files (Linux)");
        var tz = TzifZone.Load(zone);
        var at = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

        tz.OffsetAt(at.AddSeconds(-1)).ShouldBe(TimeSpan.Parse(before.TrimStart('+'), System.Globalization.CultureInfo.InvariantCulture));
        tz.OffsetAt(at).ShouldBe(TimeSpan.Parse(after.TrimStart('+'), System.Globalization.CultureInfo.InvariantCulture));
        tz.Transitions(at.AddMinutes(-1), at.AddMinutes(1)).ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("Europe/Dublin", "2027-03-28T01:30:00", "2027-10-31T01:30:00")]
    [InlineData("Africa/Casablanca", "2027-03-14T02:30:00", "2027-02-07T02:30:00")]
    public void Negative_daylight_saving_zones_are_repaired_for_the_scheduler_without_changing_their_offsets(string id, string skipped, string repeated)
    {
        var system = TimeZoneInfo.FindSystemTimeZoneById(id);
        var zone = new SlotTimeZoneResolver().GetTimeZoneById(id);
        var culture = System.Globalization.CultureInfo.InvariantCulture;

        zone.Id.ShouldBe(id);
        zone.IsInvalidTime(DateTime.Parse(skipped, culture)).ShouldBeTrue("the hour the clocks skip");
        zone.IsAmbiguousTime(DateTime.Parse(repeated, culture)).ShouldBeTrue("the hour that happens twice");
        for (var at = From; at < To; at = at.AddHours(1))
        {
            zone.GetUtcOffset(at).ShouldBe(system.GetUtcOffset(at), $"{id} at {at:u}");
        }
    }

    /// <summary>
    /// The promise, from the zone's offsets alone: the earliest instant whose local time is the slot's; if the
    /// clocks skip it, the instant they jump (the first valid local time after the gap).
    /// </summary>
    private static DateTimeOffset Promised(TzifZone tz, DateOnly date, TimeOnly time)
    {
        var wall = new DateTimeOffset(date.ToDateTime(time), TimeSpan.Zero);
        var valid = tz.AllOffsets
            .Select(seconds => TimeSpan.FromSeconds(seconds))
            .Where(offset => tz.OffsetAt(wall - offset) == offset)
            .Select(offset => wall - offset)
            .ToList();
        if (valid.Count > 0)
        {
            return valid.Min();
        }

        var gap = tz.Transitions(wall.AddDays(-2), wall.AddDays(2))
            .Single(t => t.At + t.Before <= wall && wall < t.At + t.After);
        return gap.At;
    }

    /// <summary>
    /// Hangfire's way of finding a recurring job's firings: the next occurrence after the last one, again and
    /// again. A lookup that doesn't move forward is recorded as a firing at <see cref="DateTimeOffset.MinValue"/>
    /// (so the comparison fails and names the slot) instead of looping for ever.
    /// </summary>
    private static List<DateTimeOffset> SchedulerOccurrences(CronExpression cron, DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone)
    {
        var found = new List<DateTimeOffset>();
        var from = start.AddTicks(-1);
        while (cron.GetNextOccurrence(from, zone) is { } next && next < end)
        {
            if (next <= from || found.Count > 10)
            {
                found.Add(DateTimeOffset.MinValue);
                break;
            }

            found.Add(next);
            from = next;
        }

        return found;
    }

    private static bool Same(List<DateTimeOffset> expected, List<DateTimeOffset> actual) =>
        expected.Select(o => o.UtcDateTime).SequenceEqual(actual.Select(o => o.UtcDateTime));

    private static string Show(List<DateTimeOffset> instants) => string.Join(", ", instants.Select(o => o.UtcDateTime.ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
}
