using ChatBot.Core;
using ChatBot.Core.Schedules;
using Cronos;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>
/// A slot's cron expression and zone are what Hangfire fires on (Hangfire evaluates them with Cronos). These
/// tests pin down the daylight-saving days in two zones, and that Core's own occurrence maths (used for slot
/// keys, catch-up and "next break" previews) agrees with the scheduler on every day of the year.
/// </summary>
public sealed class DaylightSavingTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T1", "C1");

    public static TheoryData<string, string, string, string> DstDays => new()
    {
        // zone, local date, slot time, the single UTC firing expected that day
        { "Europe/Berlin", "2026-03-29", "02:30", "2026-03-29T01:00:00Z" }, // spring forward: 02:30 does not exist, fires at 03:00 CEST
        { "Europe/Berlin", "2026-10-25", "02:30", "2026-10-25T00:30:00Z" }, // fall back: 02:30 happens twice, fires the first time (CEST)
        { "Europe/Berlin", "2026-03-29", "09:30", "2026-03-29T07:30:00Z" },
        { "Europe/Berlin", "2026-10-25", "09:30", "2026-10-25T08:30:00Z" },
        { "America/New_York", "2026-03-08", "02:30", "2026-03-08T07:00:00Z" }, // spring forward: fires at 03:00 EDT
        { "America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00Z" }, // fall back: 01:30 EDT, not again at 01:30 EST
        { "America/New_York", "2026-11-01", "09:30", "2026-11-01T14:30:00Z" },
    };

    [Theory]
    [MemberData(nameof(DstDays))]
    public void Scheduler_FiresExactlyOnceOnDstDays(string zoneId, string date, string time, string expectedUtc)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        SlotTime.TryParse(time, out var at).ShouldBeTrue();
        var slot = new ScheduleSlot(Channel, at, ScheduleDays.Daily);
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);

        var firings = FiringsOnLocalDate(slot, zone, day);

        firings.Count.ShouldBe(1);
        firings[0].ShouldBe(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture));
        SlotOccurrences.On(slot, day, zone).ShouldBe(firings[0]);
    }

    [Theory]
    [MemberData(nameof(DstDays))]
    public void DoubleFire_OnDstDays_MapsToOneSlotKey(string zoneId, string date, string time, string expectedUtc)
    {
        _ = date;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        SlotTime.TryParse(time, out var at).ShouldBeTrue();
        var slot = new ScheduleSlot(Channel, at, ScheduleDays.Daily);
        var firing = DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture);

        // Hangfire fires at the slot; a retry or a re-run after a crash fires again a little (or an hour) later.
        var keys = new[] { TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(61) }
            .Select(delay => SlotOccurrences.Last(slot, firing + delay, zone)!.Value)
            .Select(occurrence => slot.SlotKey(SlotOccurrences.LocalDate(occurrence, zone)))
            .Distinct()
            .ToList();

        keys.ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Lord_Howe")] // half-hour DST shift
    [InlineData("Asia/Kolkata")]
    public void CoreOccurrences_AgreeWithCronos_EveryDayOfTheYear(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        foreach (var (time, days) in new[]
                 {
                     (new TimeOnly(2, 30), ScheduleDays.Daily),
                     (new TimeOnly(1, 30), ScheduleDays.Daily),
                     (new TimeOnly(2, 0), ScheduleDays.Daily),
                     (new TimeOnly(9, 30), ScheduleDays.Weekdays),
                     (new TimeOnly(0, 0), ScheduleDays.Monday | ScheduleDays.Wednesday | ScheduleDays.Friday),
                 })
        {
            var slot = new ScheduleSlot(Channel, time, days);
            var cron = CronExpression.Parse(slot.Cron);
            var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var fromCronos = cron.GetOccurrences(from, from.AddYears(1), zone).ToList();
            var fromCore = Enumerable.Range(0, 370)
                .Select(i => SlotOccurrences.On(slot, new DateOnly(2025, 12, 31).AddDays(i), zone))
                .OfType<DateTimeOffset>()
                .Where(o => o >= from && o < from.AddYears(1))
                .ToList();

            fromCore.Select(o => o.UtcDateTime).ShouldBe(fromCronos.Select(o => o.UtcDateTime), $"{slot} in {zoneId}");
        }
    }

    [Fact]
    public void Weekdays_SkipTheWeekend_Daily_DoesNot()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var saturday = new DateOnly(2026, 11, 28);
        SlotOccurrences.On(new ScheduleSlot(Channel, new TimeOnly(9, 30), ScheduleDays.Weekdays), saturday, zone).ShouldBeNull();
        SlotOccurrences.On(new ScheduleSlot(Channel, new TimeOnly(9, 30), ScheduleDays.Weekdays), saturday.AddDays(1), zone).ShouldBeNull();
        SlotOccurrences.On(new ScheduleSlot(Channel, new TimeOnly(9, 30), ScheduleDays.Daily), saturday, zone)
            .ShouldBe(new DateTimeOffset(2026, 11, 28, 8, 30, 0, TimeSpan.Zero));

        // Friday evening: the next weekday slot is Monday's.
        var friday = new DateTimeOffset(2026, 11, 27, 17, 0, 0, TimeSpan.Zero);
        SlotOccurrences.Next(new ScheduleSlot(Channel, new TimeOnly(9, 30), ScheduleDays.Weekdays), friday, zone)
            .ShouldBe(new DateTimeOffset(2026, 11, 30, 8, 30, 0, TimeSpan.Zero));
        SlotOccurrences.Last(new ScheduleSlot(Channel, new TimeOnly(9, 30), ScheduleDays.Weekdays), friday.AddDays(3).AddHours(-10), zone)
            .ShouldBe(new DateTimeOffset(2026, 11, 27, 8, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public void SlotKey_IsTheLocalDateOfTheOccurrence()
    {
        // 23:30 in New York is already the next day in UTC; the key carries the channel's local date.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var slot = new ScheduleSlot(Channel, new TimeOnly(23, 30), ScheduleDays.Daily);
        var occurrence = SlotOccurrences.On(slot, new DateOnly(2026, 11, 25), zone)!.Value;
        occurrence.ShouldBe(new DateTimeOffset(2026, 11, 26, 4, 30, 0, TimeSpan.Zero));
        slot.SlotKey(SlotOccurrences.LocalDate(occurrence, zone)).ShouldBe("2330@2026-11-25");
    }

    private static List<DateTimeOffset> FiringsOnLocalDate(ScheduleSlot slot, TimeZoneInfo zone, DateOnly day)
    {
        var cron = CronExpression.Parse(slot.Cron);
        var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(-1);
        return cron.GetOccurrences(from, from.AddDays(3), zone)
            .Where(o => SlotOccurrences.LocalDate(o, zone) == day)
            .ToList();
    }
}
