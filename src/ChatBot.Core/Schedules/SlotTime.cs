using System.Globalization;

namespace ChatBot.Core.Schedules;

/// <summary>Clock times of schedule slots: 24-hour <c>HH:MM</c> on the minute, in the channel's zone.</summary>
public static class SlotTime
{
    public const string Valid = "a 24-hour time `HH:MM` from `00:00` to `23:59`, e.g. `09:30` or `14:05`";

    public static bool TryParse(string? text, out TimeOnly time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split(':');
        if (parts.Length != 2
            || parts[0].Length is < 1 or > 2
            || parts[1].Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minute)
            || hour > 23
            || minute > 59)
        {
            return false;
        }

        time = new TimeOnly(hour, minute);
        return true;
    }

    public static string Format(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"0930": the compact form used in job ids and slot keys.</summary>
    public static string Compact(TimeOnly time) => time.ToString("HHmm", CultureInfo.InvariantCulture);

    public static bool TryParseCompact(string? text, out TimeOnly time)
    {
        time = default;
        return text is { Length: 4 }
            && TimeOnly.TryParseExact(text, "HHmm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }
}
