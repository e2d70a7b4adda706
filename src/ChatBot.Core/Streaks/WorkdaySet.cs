using ChatBot.Core.Schedules;

namespace ChatBot.Core.Streaks;

/// <summary>
/// The days of the week that count for streaks (default Monday–Friday). Parses "Mon-Fri", "mon,wed,fri",
/// "daily" and "weekdays". Workdays are numbered consecutively (<see cref="Ordinal"/>) so a streak is a run
/// of consecutive ordinals (the stores compute the same numbers in their queries).
/// </summary>
public sealed class WorkdaySet : IEquatable<WorkdaySet>
{
    private static readonly DateOnly Epoch = new(1970, 1, 1); // a Thursday

    private readonly int[] _countUpTo = new int[7]; // workdays among Monday..index

    private WorkdaySet(int mask)
    {
        Mask = mask;
        var count = 0;
        for (var i = 0; i < 7; i++)
        {
            count += (mask >> i) & 1;
            _countUpTo[i] = count;
        }

        PerWeek = count;
    }

    public static WorkdaySet MondayToFriday { get; } = new(0b0011111);

    /// <summary>Bit 0 = Monday … bit 6 = Sunday.</summary>
    public int Mask { get; }

    /// <summary>The number of workdays per week (0–7).</summary>
    public int PerWeek { get; }

    /// <summary>The number of workdays among Monday … <paramref name="day"/> of one week (Monday-first, 0–7).</summary>
    public int CountThrough(DayOfWeek day) => _countUpTo[MondayIndex(day)];

    /// <summary>Reads days the way <c>/drill schedule add</c> does (<see cref="ScheduleDaysFormat"/>): one grammar for days everywhere.</summary>
    public static bool TryParse(string? text, out WorkdaySet workdays, out string error)
    {
        workdays = MondayToFriday;
        error = "";
        if (!ScheduleDaysFormat.TryParse(text, out var days))
        {
            error = $"'{text}' is not a set of days. Use {ScheduleDaysFormat.Valid}.";
            return false;
        }

        var mask = 0;
        for (var i = 0; i < 7; i++)
        {
            if (days.Includes((DayOfWeek)((i + 1) % 7)))
            {
                mask |= 1 << i;
            }
        }

        workdays = new WorkdaySet(mask);
        return true;
    }

    public static WorkdaySet Parse(string text) =>
        TryParse(text, out var workdays, out var error) ? workdays : throw new FormatException(error);

    public bool Contains(DayOfWeek day) => ((Mask >> MondayIndex(day)) & 1) == 1;

    public bool Contains(DateOnly date) => Contains(date.DayOfWeek);

    /// <summary>The number of workdays from a fixed Monday up to and including <paramref name="date"/>.</summary>
    public long Ordinal(DateOnly date)
    {
        var shifted = (long)date.DayNumber - Epoch.DayNumber + 3; // 0 = Monday 1969-12-29
        return (shifted / 7 * PerWeek) + _countUpTo[(int)(shifted % 7)];
    }

    /// <summary>The workday ordinal of the last workday strictly before <paramref name="date"/>.</summary>
    public long OrdinalBefore(DateOnly date) => Ordinal(date) - (Contains(date) ? 1 : 0);

    /// <summary>Days since 1970-01-01, the integer a completion's local day is stored as.</summary>
    public static long DayNumber(DateOnly date) => (long)date.DayNumber - Epoch.DayNumber;

    public static DateOnly FromDayNumber(long dayNumber) => DateOnly.FromDayNumber((int)(dayNumber + Epoch.DayNumber));

    public bool Equals(WorkdaySet? other) => other is not null && other.Mask == Mask;

    public override bool Equals(object? obj) => Equals(obj as WorkdaySet);

    public override int GetHashCode() => Mask;

    /// <summary>The days as <c>/drill schedule</c> writes them: "weekdays", "daily", "mon,wed,fri".</summary>
    public override string ToString()
    {
        var days = ScheduleDays.None;
        for (var i = 0; i < 7; i++)
        {
            if (((Mask >> i) & 1) == 1)
            {
                days |= ScheduleDaysFormat.Flag((DayOfWeek)((i + 1) % 7));
            }
        }

        return ScheduleDaysFormat.Format(days);
    }

    private static int MondayIndex(DayOfWeek day) => ((int)day + 6) % 7;
}
