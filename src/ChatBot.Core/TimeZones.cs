namespace ChatBot.Core;

/// <summary>
/// IANA time zone names, looked up case-insensitively and returned in their canonical spelling, so
/// "europe/berlin" is stored as "Europe/Berlin". Windows names are refused: schedules and streaks speak IANA.
/// The zones it returns have .NET's known daylight-saving faults repaired (<see cref="DaylightSavingRepair"/>);
/// every part of the bot, Hangfire's recurring jobs included, gets its zones here.
/// </summary>
public static class TimeZones
{
    public const string Valid = "an IANA time zone such as `Europe/Berlin`, `America/New_York`, `Asia/Kolkata` or `UTC`";

    private static readonly Lazy<Dictionary<string, string>> Canonical = new(BuildCanonical);

    public static bool TryFind(string? name, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            return false;
        }

        var trimmed = name.Trim();
        var ianaShaped = trimmed.Contains('/', StringComparison.Ordinal) || trimmed.Equals("UTC", StringComparison.OrdinalIgnoreCase);
        // A name spelt exactly as its zone (the usual case, and every name the bot stored) is found directly: the
        // canonical map reads all ~420 zones, about 50 ms at start, and is built only for another spelling.
        if (!ianaShaped || !TimeZoneInfo.TryFindSystemTimeZoneById(trimmed, out var found) || !found.HasIanaId || found.Id != trimmed)
        {
            if (!Canonical.Value.TryGetValue(trimmed, out var id))
            {
                if (!ianaShaped)
                {
                    return false;
                }

                id = trimmed;
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(id, out found) || !found.HasIanaId)
            {
                return false;
            }
        }

        zone = DaylightSavingRepair.Apply(found);
        return true;
    }

    /// <summary>The known zone name closest to a misspelt one, for "did you mean" replies.</summary>
    public static string? Suggest(string name)
    {
        var wanted = name.Trim().ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var (lower, id) in Canonical.Value.Select(p => (p.Key.ToLowerInvariant(), p.Value)))
        {
            var distance = EditDistance.Between(wanted, lower);
            // Ties go to the ordinally first name, so the answer never depends on the system's zone order.
            if (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(id, best) < 0))
            {
                bestDistance = distance;
                best = id;
            }
        }

        return bestDistance <= Math.Max(2, wanted.Length / 4) ? best : null;
    }

    private static Dictionary<string, string> BuildCanonical()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["UTC"] = "UTC" };
        // Unsorted: sorting by display name loads ICU names for all ~420 zones, about ten times the cost at start.
        foreach (var zone in TimeZoneInfo.GetSystemTimeZones(skipSorting: true))
        {
            if (zone.HasIanaId)
            {
                map.TryAdd(zone.Id, zone.Id);
            }
        }

        return map;
    }

    /// <summary>The calendar date at <paramref name="moment"/> in <paramref name="zone"/>.</summary>
    public static DateOnly LocalDate(DateTimeOffset moment, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(moment, zone).DateTime);
}
