namespace ChatBot.Core.Schedules;

/// <summary>
/// When a slot fires, as instants, with the same daylight-saving rules as the cron scheduler (Cronos, inside
/// Hangfire): a local time that does not exist on a spring-forward day fires once at the end of the gap
/// (02:30 becomes 03:00); a local time that happens twice on a fall-back day fires once, the first time.
/// </summary>
public static class SlotOccurrences
{
    /// <summary>The instant the slot fires on <paramref name="localDate"/>, or null if the slot skips that day.</summary>
    public static DateTimeOffset? On(ScheduleSlot slot, DateOnly localDate, TimeZoneInfo zone) =>
        slot.Days.Includes(localDate.DayOfWeek) ? Resolve(localDate.ToDateTime(slot.Time), zone) : null;

    /// <summary>The first firing strictly after <paramref name="after"/> (within the next eight days).</summary>
    public static DateTimeOffset? Next(ScheduleSlot slot, DateTimeOffset after, TimeZoneInfo zone)
    {
        var start = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, zone).DateTime).AddDays(-1);
        for (var i = 0; i <= 9; i++)
        {
            if (On(slot, start.AddDays(i), zone) is { } at && at > after)
            {
                return at;
            }
        }

        return null;
    }

    /// <summary>The latest firing at or before <paramref name="atOrBefore"/> (within the last eight days).</summary>
    public static DateTimeOffset? Last(ScheduleSlot slot, DateTimeOffset atOrBefore, TimeZoneInfo zone)
    {
        var start = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(atOrBefore, zone).DateTime).AddDays(1);
        for (var i = 0; i <= 9; i++)
        {
            if (On(slot, start.AddDays(-i), zone) is { } at && at <= atOrBefore)
            {
                return at;
            }
        }

        return null;
    }

    /// <summary>Local date of an instant in a zone.</summary>
    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>
    /// The instant <paramref name="time"/> on <paramref name="localDate"/> happens in <paramref name="zone"/>, by the
    /// slot rules above (a skipped time at the end of the gap, a repeated one the first time). Personal reminders use it too.
    /// </summary>
    public static DateTimeOffset At(DateOnly localDate, TimeOnly time, TimeZoneInfo zone) => Resolve(localDate.ToDateTime(time), zone);

    private static DateTimeOffset Resolve(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Skipped by a spring-forward: fire when the clocks jump, at the first valid minute.
            var shifted = local;
            for (var guard = 0; zone.IsInvalidTime(shifted) && guard < 24 * 60; guard++)
            {
                shifted = shifted.AddMinutes(1);
            }

            shifted = new DateTime(shifted.Year, shifted.Month, shifted.Day, shifted.Hour, shifted.Minute, 0, DateTimeKind.Unspecified);
            return new DateTimeOffset(shifted, zone.GetUtcOffset(shifted));
        }

        if (zone.IsAmbiguousTime(local))
        {
            // Happens twice on a fall-back: fire the first time (the larger, daylight offset).
            var offset = zone.GetAmbiguousTimeOffsets(local).Max();
            return new DateTimeOffset(local, offset);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
