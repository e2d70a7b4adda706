using System.Globalization;

namespace ChatBot.Core.Schedules;

/// <summary>One time of day a channel takes a break, on some days of the week, in the channel's time zone.</summary>
public sealed record ScheduleSlot(ChannelKey Channel, TimeOnly Time, ScheduleDays Days)
{
    /// <summary>"09:30 weekdays".</summary>
    public override string ToString() => $"{SlotTime.Format(Time)} {ScheduleDaysFormat.Format(Days)}";

    /// <summary>The cron expression (minute hour * * day-of-week) this slot fires on, read in the channel's zone.</summary>
    public string Cron => string.Create(
        CultureInfo.InvariantCulture,
        $"{Time.Minute} {Time.Hour} * * {ScheduleDaysFormat.ToCronField(Days)}");

    /// <summary>
    /// The key of one occurrence, unique per channel: "0930@2026-11-25" (the local date of the slot), so a slot
    /// that fires twice for the same day starts one break.
    /// </summary>
    public string SlotKey(DateOnly localDate) =>
        SlotTime.Compact(Time) + "@" + localDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A channel's schedule: its zone (null: the configured default) and its slots, earliest first.</summary>
public sealed record ChannelSchedule(ChannelKey Channel, string? TimeZoneId, IReadOnlyList<ScheduleSlot> Slots);
