using ChatBot.Core;
using Hangfire;

namespace ChatBot.Scheduling;

/// <summary>
/// How Hangfire turns a recurring job's stored zone id back into a zone: through <see cref="TimeZones"/>, so the
/// scheduler gets the same zones as the rest of the bot, with .NET's daylight-saving faults repaired
/// (<see cref="DaylightSavingRepair"/>); Hangfire's default would look the id up in the system again.
/// </summary>
internal sealed class SlotTimeZoneResolver : ITimeZoneResolver
{
    private static readonly DefaultTimeZoneResolver Fallback = new();

    /// <summary>The zone for an IANA id; ids <see cref="TimeZones"/> refuses are resolved as Hangfire would.</summary>
    public TimeZoneInfo GetTimeZoneById(string timeZoneId) =>
        TimeZones.TryFind(timeZoneId, out var zone) ? zone : Fallback.GetTimeZoneById(timeZoneId);
}
