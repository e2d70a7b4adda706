using ChatBot.Core.Streaks;
using Microsoft.Extensions.Options;

namespace ChatBot.Core;

/// <summary>The <c>Breaks</c> configuration section.</summary>
public sealed class BreaksOptions
{
    public const string Section = "Breaks";

    /// <summary>The pause between cue messages in a break's thread.</summary>
    public TimeSpan CueInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>IANA zone used when neither the user nor the channel has one.</summary>
    public string DefaultTimeZone { get; set; } = "UTC";

    /// <summary>The days that count for streaks: "Mon-Fri", "mon,wed,fri", "daily".</summary>
    public string Workdays { get; set; } = "Mon-Fri";

    /// <summary>How late a missed schedule slot may still be posted after downtime.</summary>
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromMinutes(15);

    public WorkdaySet WorkdaySet => WorkdaySet.Parse(Workdays);

    public TimeZoneInfo DefaultZone => TimeZones.TryFind(DefaultTimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>
    /// The zone a channel's schedule, breaks and digest follow: its own (<paramref name="channelZone"/>, an IANA
    /// id) when that is a known zone, else <see cref="DefaultZone"/>.
    /// </summary>
    public TimeZoneInfo ZoneOf(string? channelZone) => TimeZones.TryFind(channelZone, out var zone) ? zone : DefaultZone;
}

/// <summary>Stops the host at start when a <c>Breaks:*</c> value is unusable, naming the key.</summary>
public sealed class BreaksOptionsValidator : IValidateOptions<BreaksOptions>
{
    public ValidateOptionsResult Validate(string? name, BreaksOptions options)
    {
        var failures = new List<string>();
        if (options.CueInterval < TimeSpan.Zero || options.CueInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Breaks:CueInterval must be between 00:00:00 and 00:10:00 (got {options.CueInterval}).");
        }

        if (!TimeZones.TryFind(options.DefaultTimeZone, out _))
        {
            failures.Add($"Breaks:DefaultTimeZone '{options.DefaultTimeZone}' is not an IANA time zone such as Europe/Berlin or UTC.");
        }

        if (!WorkdaySet.TryParse(options.Workdays, out _, out var error))
        {
            failures.Add($"Breaks:Workdays: {error}");
        }

        if (options.CatchUpWindow < TimeSpan.Zero || options.CatchUpWindow > TimeSpan.FromHours(12))
        {
            failures.Add($"Breaks:CatchUpWindow must be between 00:00:00 and 12:00:00 (got {options.CatchUpWindow}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
