namespace ChatBot.Core.Digests;

/// <summary>
/// What a completed break trained, for the chart's stacks. The drills' ids map to it in
/// <see cref="DigestFunctions"/>; <see cref="Warmup"/> trains all three; <see cref="OnOwn"/> is a break logged with
/// <c>/drill done</c> (no drill known).
/// </summary>
public enum DigestFunction
{
    Extension,
    Rotation,
    Flexion,
    Warmup,
    OnOwn,
}

/// <summary>The catalogue's drill ids by what they train (<c>config/drills.json</c>: "trains").</summary>
public static class DigestFunctions
{
    /// <summary>The three functions a team should balance, each with the drill that trains it alone.</summary>
    public static IReadOnlyList<(DigestFunction Function, string DrillId, string Name)> Trained { get; } =
    [
        (DigestFunction.Extension, "extension", "extension"),
        (DigestFunction.Rotation, "rotation", "rotation"),
        (DigestFunction.Flexion, "catcamel", "flexion"),
    ];

    /// <summary>"extension", "rotation", "catcamel" and "warmup" by name; anything else (or none) is <see cref="DigestFunction.OnOwn"/>.</summary>
    public static DigestFunction Of(string? drillId) => drillId switch
    {
        "extension" => DigestFunction.Extension,
        "rotation" => DigestFunction.Rotation,
        "catcamel" => DigestFunction.Flexion,
        "warmup" => DigestFunction.Warmup,
        _ => DigestFunction.OnOwn,
    };

    /// <summary>Legend labels, in stack order from the bottom.</summary>
    public static string Label(DigestFunction function) => function switch
    {
        DigestFunction.Extension => "Extension",
        DigestFunction.Rotation => "Rotation",
        DigestFunction.Flexion => "Flexion (cat-camel)",
        DigestFunction.Warmup => "Warm-up (all three)",
        _ => "Logged with /drill done",
    };
}

/// <summary>One local day of a channel's digest: breaks by function and how many people took at least one.</summary>
/// <param name="Breaks">Completions that day, indexed by <see cref="DigestFunction"/>.</param>
public sealed record DigestDay(DateOnly Date, IReadOnlyList<int> Breaks, int People)
{
    public int Total => Breaks.Sum();

    public int Of(DigestFunction function) => Breaks[(int)function];
}

/// <summary>What the store counts for a channel over a span of local days.</summary>
/// <param name="Days">One entry per day, in order.</param>
/// <param name="People">Distinct people over the whole span (not the sum of the days).</param>
public sealed record DigestCounts(IReadOnlyList<DigestDay> Days, int People)
{
    public int Breaks => Days.Sum(d => d.Total);
}

/// <summary>One of the channel's top current streaks (a display name, never a mention).</summary>
public sealed record DigestStreak(string DisplayName, int Days);

/// <summary>Everything a digest shows, computed once and rendered as text, alt text and chart.</summary>
/// <param name="ChannelName">The channel's name without '#', or its id when the platform does not say.</param>
/// <param name="Today">The channel's local date when the digest was made: later days are not misses.</param>
/// <param name="Workdays">Which dates count as workdays (the others are days off, shown but never misses).</param>
public sealed record DigestReport(
    string ChannelName,
    DigestPeriod Period,
    DateOnly Today,
    DigestCounts Current,
    DigestCounts Previous,
    IReadOnlyList<DigestStreak> TopStreaks,
    Func<DateOnly, bool> Workdays);

/// <summary>When a channel's weekly digest is posted: a day of the week and a clock time in the channel's zone.</summary>
public sealed record DigestSlot(DayOfWeek Day, TimeOnly Time)
{
    /// <summary>The default: the last of the team's workdays in a Monday-to-Sunday week, at 16:00.</summary>
    public static DigestSlot Default(Streaks.WorkdaySet workdays)
    {
        var day = Enumerable.Range(0, 7).Select(i => (DayOfWeek)((7 - i) % 7)).FirstOrDefault(workdays.Contains, DayOfWeek.Friday);
        return new DigestSlot(day, new TimeOnly(16, 0));
    }

    /// <summary>The cron expression (minute hour * * day-of-week) of the slot, read in the channel's zone.</summary>
    public string Cron => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Time.Minute} {Time.Hour} * * {(int)Day}");

    /// <summary>As a one-day schedule slot, to reuse the slots' daylight-saving rules (<see cref="Schedules.SlotOccurrences"/>).</summary>
    public Schedules.ScheduleSlot AsSlot(ChannelKey channel) => new(channel, Time, Schedules.ScheduleDaysFormat.Flag(Day));

    /// <summary>"fri 16:00".</summary>
    public override string ToString() => Schedules.ScheduleDaysFormat.Format(Schedules.ScheduleDaysFormat.Flag(Day)) + " " + Schedules.SlotTime.Format(Time);
}

/// <summary>A channel's digest setting: off, or at a slot (<c>null</c> Slot = the default slot).</summary>
public sealed record DigestSetting(bool Enabled, DigestSlot? Slot)
{
    public static DigestSetting Default { get; } = new(true, null);

    /// <summary>The slot the digest runs at, or null when it is off.</summary>
    public DigestSlot? Effective(Streaks.WorkdaySet workdays) => Enabled ? Slot ?? DigestSlot.Default(workdays) : null;
}
