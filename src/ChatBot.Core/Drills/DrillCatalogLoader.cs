using System.Text.Json;

namespace ChatBot.Core.Drills;

/// <summary>A catalogue that cannot be used. The message names the file and the entry at fault.</summary>
public sealed class DrillCatalogException(string message, Exception? innerException = null)
    : Exception(message, innerException);

/// <summary>Loads <c>config/drills.json</c> and validates every entry before the bot may start.</summary>
public static class DrillCatalogLoader
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
            using var document = JsonDocument.Parse(json, DocumentOptions);
            file = ReadFile(document.RootElement);
        }
        catch (JsonException exception)
        {
            throw new DrillCatalogException(
                $"Drill catalogue '{source}' is not valid JSON (line {exception.LineNumber + 1}): {exception.Message}", exception);
        }
        catch (InvalidOperationException exception)
        {
            // A string that is not valid UTF-16 (a lone surrogate escape such as \uD800), in a value or a name.
            throw new DrillCatalogException($"Drill catalogue '{source}' is not valid JSON: {exception.Message}", exception);
        }
        catch (FormatException exception)
        {
            throw new DrillCatalogException($"Drill catalogue '{source}': {exception.Message}", exception);
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

    // Comments and trailing commas are allowed; property names match in any case, unknown ones are ignored.
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    // Read from a JsonDocument rather than with JsonSerializer: the serializer's first use (even source-generated)
    // cost ~50 ms of every start, on the path to connected, and nothing else needs it before the first command.
    // A value of the wrong type throws FormatException naming its path (e.g. "drills[0].cues[1] must be a string.").
    private static CatalogFile? ReadFile(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Expect(root, JsonValueKind.Object, "the file", "an object");
        List<DrillEntry>? drills = null;
        List<string>? rotation = null;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name.ToLowerInvariant())
            {
                case "drills": drills = ReadList(property.Value, "drills", ReadEntry); break;
                case "rotation": rotation = ReadStrings(property.Value, "rotation"); break;
                default: break;
            }
        }

        return new CatalogFile(drills, rotation);
    }

    private static DrillEntry ReadEntry(JsonElement entry, string path)
    {
        Expect(entry, JsonValueKind.Object, path, "an object");
        string? id = null, title = null, summary = null, trains = null, equipment = null, dose = null, safety = null;
        List<string>? aliases = null, cues = null, sequence = null;
        foreach (var property in entry.EnumerateObject())
        {
            var name = property.Name.ToLowerInvariant();
            var at = $"{path}.{name}";
            switch (name)
            {
                case "id": id = ReadString(property.Value, at); break;
                case "aliases": aliases = ReadStrings(property.Value, at); break;
                case "title": title = ReadString(property.Value, at); break;
                case "summary": summary = ReadString(property.Value, at); break;
                case "trains": trains = ReadString(property.Value, at); break;
                case "equipment": equipment = ReadString(property.Value, at); break;
                case "dose": dose = ReadString(property.Value, at); break;
                case "cues": cues = ReadStrings(property.Value, at); break;
                case "sequence": sequence = ReadStrings(property.Value, at); break;
                case "safety": safety = ReadString(property.Value, at); break;
                default: break;
            }
        }

        return new DrillEntry(id, aliases, title, summary, trains, equipment, dose, cues, sequence, safety);
    }

    private static List<string>? ReadStrings(JsonElement value, string path) => ReadList(value, path, (item, at) =>
    {
        Expect(item, JsonValueKind.String, at, "a string");
        return item.GetString()!;
    });

    private static List<T>? ReadList<T>(JsonElement value, string path, Func<JsonElement, string, T> read)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Expect(value, JsonValueKind.Array, path, "a list");
        var list = new List<T>(value.GetArrayLength());
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            list.Add(read(item, $"{path}[{i++}]"));
        }

        return list;
    }

    private static string? ReadString(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Expect(value, JsonValueKind.String, path, "a string");
        return value.GetString();
    }

    private static void Expect(JsonElement value, JsonValueKind kind, string path, string what)
    {
        if (value.ValueKind != kind)
        {
            var actual = value.ValueKind switch
            {
                JsonValueKind.Object => "an object",
                JsonValueKind.Array => "a list",
                JsonValueKind.String => "a string",
                JsonValueKind.Number => "a number",
                JsonValueKind.True or JsonValueKind.False => "a boolean",
                _ => "null",
            };
            throw new FormatException($"{path} must be {what} (is {actual}).");
        }
    }

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
