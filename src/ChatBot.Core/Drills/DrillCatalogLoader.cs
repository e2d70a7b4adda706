using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatBot.Core.Drills;

/// <summary>A catalogue that cannot be used. The message names the file and the entry at fault.</summary>
public sealed class DrillCatalogException(string message, Exception? innerException = null)
    : Exception(message, innerException);

/// <summary>Loads <c>config/drills.json</c> and validates every entry before the bot may start.</summary>
public static partial class DrillCatalogLoader
{
    public static DrillCatalog LoadFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (IOException exception)
        {
            throw new DrillCatalogException($"Cannot read the drill catalogue '{path}': {exception.Message}", exception);
        }

        return Parse(json, path);
    }

    public static DrillCatalog Parse(string json, string source)
    {
        CatalogFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, CatalogJson.Default.CatalogFile);
        }
        catch (JsonException exception)
        {
            throw new DrillCatalogException(
                $"Drill catalogue '{source}' is not valid JSON (line {exception.LineNumber + 1}): {exception.Message}", exception);
        }

        if (file?.Drills is not { Count: > 0 })
        {
            throw new DrillCatalogException($"Drill catalogue '{source}' has no \"drills\".");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var entries = new Dictionary<string, DrillEntry>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < file.Drills.Count; i++)
        {
            var entry = file.Drills[i];
            var where = $"Drill catalogue '{source}', drill #{i + 1}" + (string.IsNullOrWhiteSpace(entry.Id) ? "" : $" '{entry.Id}'");
            Require(entry.Id, "id", where);
            if (!IsName(entry.Id!))
            {
                throw new DrillCatalogException($"{where}: id must be one lowercase word (a-z, 0-9, '-').");
            }

            foreach (var name in new[] { entry.Id! }.Concat(entry.Aliases ?? []))
            {
                if (!IsName(name) || !names.Add(name))
                {
                    throw new DrillCatalogException($"{where}: the name '{name}' is not one lowercase word or is used twice.");
                }
            }

            Require(entry.Title, "title", where);
            Require(entry.Summary, "summary", where);
            Require(entry.Trains, "trains", where);
            Require(entry.Equipment, "equipment", where);
            Require(entry.Dose, "dose", where);
            Require(entry.Safety, "safety", where);
            var hasCues = entry.Cues is { Count: > 0 };
            var hasSequence = entry.Sequence is { Count: > 0 };
            if (hasCues == hasSequence)
            {
                throw new DrillCatalogException($"{where}: needs either \"cues\" (a drill) or \"sequence\" (a routine), not both or neither.");
            }

            if (entry.Cues?.Any(string.IsNullOrWhiteSpace) == true)
            {
                throw new DrillCatalogException($"{where}: a cue is empty.");
            }

            entries[entry.Id!] = entry;
        }

        var drills = new List<Drill>();
        foreach (var entry in file.Drills)
        {
            drills.Add(new Drill(
                entry.Id!,
                entry.Aliases ?? [],
                entry.Title!,
                entry.Summary!,
                entry.Trains!,
                entry.Equipment!,
                entry.Dose!,
                entry.Cues ?? RoutineCues(entry, entries, source),
                entry.Safety!));
        }

        var rotation = file.Rotation ?? [];
        if (rotation.Count < 2 || rotation.Any(id => !entries.TryGetValue(id, out var e) || e.Sequence is not null))
        {
            throw new DrillCatalogException(
                $"Drill catalogue '{source}': \"rotation\" must list at least two drills (not routines) by id.");
        }

        return new DrillCatalog(drills, rotation);
    }

    private static List<string> RoutineCues(DrillEntry routine, Dictionary<string, DrillEntry> entries, string source)
    {
        var cues = new List<string>();
        foreach (var partId in routine.Sequence!)
        {
            if (!entries.TryGetValue(partId, out var part) || part.Cues is null)
            {
                throw new DrillCatalogException(
                    $"Drill catalogue '{source}', drill '{routine.Id}': sequence names '{partId}', which is not a drill with cues.");
            }

            cues.Add($"**{part.Title}** ({part.Dose!.TrimEnd('.').ToLowerInvariant()})");
            cues.AddRange(part.Cues);
        }

        return cues;
    }

    private static void Require(string? value, string field, string where)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new DrillCatalogException($"{where}: \"{field}\" is missing.");
        }
    }

    private static bool IsName(string name) =>
        name.Length is > 0 and <= 32 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    // Source-generated: reflection-based metadata for these records cost ~40 ms of every start.
    [JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
    [JsonSerializable(typeof(CatalogFile))]
    private sealed partial class CatalogJson : JsonSerializerContext;

    private sealed record CatalogFile(List<DrillEntry>? Drills, List<string>? Rotation);

    private sealed record DrillEntry(
        string? Id,
        List<string>? Aliases,
        string? Title,
        string? Summary,
        string? Trains,
        string? Equipment,
        string? Dose,
        List<string>? Cues,
        List<string>? Sequence,
        string? Safety);
}
