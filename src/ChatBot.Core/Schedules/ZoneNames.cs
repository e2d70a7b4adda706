namespace ChatBot.Core.Schedules;

/// <summary>
/// IANA time zone names, looked up case-insensitively and returned in their canonical spelling, so
/// "europe/berlin" is stored as "Europe/Berlin". Windows names are refused: schedules and streaks speak IANA.
/// </summary>
public static class ZoneNames
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
        if (!Canonical.Value.TryGetValue(trimmed, out var id))
        {
            if (!trimmed.Contains('/', StringComparison.Ordinal) && !trimmed.Equals("UTC", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            id = trimmed;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) || !found.HasIanaId)
        {
            return false;
        }

        zone = found;
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
            var distance = Distance(wanted, lower);
            if (distance < bestDistance)
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
        foreach (var zone in TimeZoneInfo.GetSystemTimeZones())
        {
            if (zone.HasIanaId)
            {
                map.TryAdd(zone.Id, zone.Id);
            }
        }

        return map;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
