using System.Globalization;

namespace ChatBot.Core.Schedules;

/// <summary>The days of the week a schedule slot fires on (local days in the channel's time zone).</summary>
[Flags]
public enum ScheduleDays
{
    None = 0,
    Sunday = 1 << DayOfWeek.Sunday,
    Monday = 1 << DayOfWeek.Monday,
    Tuesday = 1 << DayOfWeek.Tuesday,
    Wednesday = 1 << DayOfWeek.Wednesday,
    Thursday = 1 << DayOfWeek.Thursday,
    Friday = 1 << DayOfWeek.Friday,
    Saturday = 1 << DayOfWeek.Saturday,
    Weekdays = Monday | Tuesday | Wednesday | Thursday | Friday,
    Weekends = Saturday | Sunday,
    Daily = Weekdays | Weekends,
}

/// <summary>
/// Parses and prints the days of a slot: <c>weekdays</c> (the default), <c>daily</c>, <c>weekends</c>, a range
/// <c>mon-fri</c> (wrapping ranges like <c>fri-mon</c> too) or a list <c>mon,wed,fri</c> (ranges may be listed:
/// <c>mon-wed,fri</c>). Day names are three letters or full English names, any case.
/// </summary>
public static class ScheduleDaysFormat
{
    public const string Valid = "`weekdays` (the default), `daily`, `weekends`, a range like `mon-fri` or a list like `mon,wed,fri`";

    private static readonly string[] ShortNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private static readonly Dictionary<string, DayOfWeek> Names = BuildNames();

    public static bool TryParse(string? text, out ScheduleDays days)
    {
        days = ScheduleDays.None;
        if (string.IsNullOrWhiteSpace(text))
        {
            days = ScheduleDays.Weekdays;
            return true;
        }

        var normalized = text.Trim().ToLowerInvariant();
        switch (normalized)
        {
            case "weekdays" or "workdays" or "weekday":
                days = ScheduleDays.Weekdays;
                return true;
            case "daily" or "everyday" or "every-day" or "all":
                days = ScheduleDays.Daily;
                return true;
            case "weekends" or "weekend":
                days = ScheduleDays.Weekends;
                return true;
        }

        foreach (var rawItem in normalized.Split(',', StringSplitOptions.TrimEntries))
        {
            if (rawItem.Length == 0)
            {
                continue;
            }

            var dash = rawItem.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                if (!Names.TryGetValue(rawItem, out var single))
                {
                    days = ScheduleDays.None;
                    return false;
                }

                days |= Flag(single);
                continue;
            }

            if (!Names.TryGetValue(rawItem[..dash].Trim(), out var from)
                || !Names.TryGetValue(rawItem[(dash + 1)..].Trim(), out var to))
            {
                days = ScheduleDays.None;
                return false;
            }

            for (var day = from; ; day = (DayOfWeek)(((int)day + 1) % 7))
            {
                days |= Flag(day);
                if (day == to)
                {
                    break;
                }
            }
        }

        return days != ScheduleDays.None;
    }

    /// <summary>The shortest words that parse back to <paramref name="days"/>: "weekdays", "daily", "mon,wed,fri".</summary>
    public static string Format(ScheduleDays days) => days switch
    {
        ScheduleDays.Weekdays => "weekdays",
        ScheduleDays.Daily => "daily",
        ScheduleDays.Weekends => "weekends",
        _ => string.Join(',', OrderedFromMonday(days).Select(d => ShortNames[(int)d])),
    };

    /// <summary>For sentences: "every day", "on weekdays", "on weekends", "on mon,wed,fri".</summary>
    public static string Describe(ScheduleDays days) => days == ScheduleDays.Daily ? "every day" : "on " + Format(days);

    /// <summary>The cron day-of-week field (0 = Sunday): "*", "1-5" or "1,3,5".</summary>
    public static string ToCronField(ScheduleDays days)
    {
        if (days == ScheduleDays.None)
        {
            throw new ArgumentOutOfRangeException(nameof(days), "A slot needs at least one day.");
        }

        return days switch
        {
            ScheduleDays.Daily => "*",
            ScheduleDays.Weekdays => "1-5",
            _ => string.Join(',', Enumerable.Range(0, 7)
                .Where(d => days.HasFlag(Flag((DayOfWeek)d)))
                .Select(d => d.ToString(CultureInfo.InvariantCulture))),
        };
    }

    public static bool Includes(this ScheduleDays days, DayOfWeek day) => (days & Flag(day)) != 0;

    public static ScheduleDays Flag(DayOfWeek day) => (ScheduleDays)(1 << (int)day);

    private static IEnumerable<DayOfWeek> OrderedFromMonday(ScheduleDays days) =>
        Enumerable.Range(1, 7).Select(i => (DayOfWeek)(i % 7)).Where(d => days.Includes(d));

    private static Dictionary<string, DayOfWeek> BuildNames()
    {
        var names = new Dictionary<string, DayOfWeek>(StringComparer.Ordinal);
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            names[ShortNames[(int)day]] = day;
            names[day.ToString().ToLowerInvariant()] = day;
        }

        names["tues"] = DayOfWeek.Tuesday;
        names["thur"] = DayOfWeek.Thursday;
        names["thurs"] = DayOfWeek.Thursday;
        return names;
    }
}
