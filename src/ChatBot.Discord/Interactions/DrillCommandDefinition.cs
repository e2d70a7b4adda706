using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatBot.Discord.Interactions;

/// <summary>
/// <c>/drill</c> as a Discord application command: one subcommand per action and per drill, and
/// <c>schedule</c> and <c>away</c> as subcommand groups. Also decides which commands answer only the caller.
/// </summary>
public static class DrillCommandDefinition
{
    public const string CommandName = "drill";

    /// <summary>The drill ids Core knows (and the alias <c>flexion</c>).</summary>
    public static IReadOnlyList<(string Name, string Description)> Drills { get; } =
    [
        ("extension", "Start a break: kneeling bench thoracic extension"),
        ("rotation", "Start a break: quadruped thoracic rotation"),
        ("catcamel", "Start a break: rock-back cat-camel (flexion and extension)"),
        ("flexion", "Start a break: rock-back cat-camel (same as catcamel)"),
        ("warmup", "Start a break: the warm-up routine (all three drills)"),
    ];

    /// <summary>The bulk-overwrite body: an array holding the one <c>/drill</c> command.</summary>
    public static JsonArray Build()
    {
        var options = new JsonArray
        {
            Sub("help", "How to use the bot, the drills and the commands"),
            Sub("list", "The drills, one line each"),
            Sub("now", "Start a break with the next drill in this channel's rotation"),
            Sub("done", "Log a break you took on your own today"),
            Sub("streak", "Your current and best streak, total, and recent workdays"),
            Sub(
                "leaderboard",
                "This channel's top streaks (names, never pings)",
                Text("period", "week, month or all time (default: this week)", required: false, choices: ["week", "month", "all"])),
            Sub(
                "stats",
                "Post the team's digest here: a chart of the breaks and the top streaks",
                Text("period", "week or month (default: this week)", required: false, choices: ["week", "month"])),
            Sub("tz", "Set your own time zone, e.g. Europe/Berlin", Text("zone", "An IANA zone such as Europe/Berlin or America/New_York", required: true)),
            Sub(
                "remind",
                "A DM on your workdays at a time if you haven't logged a break (no time: your setting)",
                Text("time", "HH:MM in your time zone, e.g. 15:00, or off", required: false)),
        };

        options.Add(new JsonObject
        {
            ["type"] = 2,
            ["name"] = "away",
            ["description"] = "Your away days (holiday, sick): they never break your streak",
            ["options"] = new JsonArray
            {
                Sub("show", "Your away periods, past and planned"),
                Sub(
                    "days",
                    "Away for the next few days, starting today",
                    new JsonObject
                    {
                        ["type"] = 4,
                        ["name"] = "count",
                        ["description"] = "How many days, today included (1 to 60)",
                        ["required"] = true,
                        ["min_value"] = 1,
                        ["max_value"] = 60,
                    }),
                Sub("until", "Away from today up to and including a date", Text("date", "The last away day, YYYY-MM-DD (at most 60 days ahead)", required: true)),
                Sub("off", "Back now: removes your away days from today on (past ones stay)"),
            },
        });

        foreach (var (name, description) in Drills)
        {
            options.Add(Sub(name, description));
        }

        options.Add(new JsonObject
        {
            ["type"] = 2,
            ["name"] = "schedule",
            ["description"] = "This channel's break schedule (Manage Server or Manage Channels)",
            ["options"] = new JsonArray
            {
                Sub("list", "Show this channel's break times"),
                Sub(
                    "add",
                    "Add a break time",
                    Text("time", "Clock time HH:MM (24-hour) in the schedule's time zone", required: true),
                    Text("days", "Days, e.g. mon-fri or mon,wed,fri (default: workdays)", required: false)),
                Sub("remove", "Remove a break time", Text("time", "The clock time HH:MM to remove", required: true)),
                Sub("tz", "Set the schedule's time zone", Text("zone", "An IANA zone such as Europe/Berlin", required: true)),
                Sub(
                    "digest",
                    "When the weekly digest is posted, or off",
                    Text("when", "A day and a time, e.g. fri 16:00, or off, or on (default: last workday 16:00)", required: true)),
            },
        });

        return
        [
            new JsonObject
            {
                ["type"] = 1,
                ["name"] = CommandName,
                ["description"] = "Upper back mobility breaks: drills, streaks and schedules",
                ["contexts"] = new JsonArray(0),
                ["integration_types"] = new JsonArray(0),
                ["options"] = options,
            },
        ];
    }

    /// <summary>
    /// Whether a command's deferred answer is ephemeral. Deferral fixes visibility, so this is decided from the
    /// command alone: the leaderboard and the digest (stats) are for the channel, everything else answers only the caller (a break's
    /// prompt and thread are posted to the channel separately).
    /// </summary>
    public static bool AnswersCallerOnly(string commandText)
    {
        var first = commandText.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        return !string.Equals(first, "leaderboard", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(first, "stats", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Whether <paramref name="commandText"/> (<c>now</c> or a drill's name) starts a break, which posts its prompt
    /// and cues in the channel: such a command is acknowledged before it runs.
    /// </summary>
    public static bool StartsBreak(string commandText)
    {
        var first = commandText.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        return string.Equals(first, "now", StringComparison.OrdinalIgnoreCase)
            || Drills.Any(d => string.Equals(d.Name, first, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Whether two command lists are the same definition, ignoring what Discord adds (ids, versions, defaults).
    /// </summary>
    public static bool SameDefinition(JsonElement current, JsonArray wanted)
    {
        var normalizedCurrent = Normalize(JsonNode.Parse(current.GetRawText()));
        var normalizedWanted = Normalize(wanted);
        return JsonNode.DeepEquals(normalizedCurrent, normalizedWanted);
    }

    private static readonly HashSet<string> ComparedKeys =
        new(StringComparer.Ordinal) { "type", "name", "description", "options", "required", "choices", "value", "contexts", "min_value", "max_value" };

    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                var normalizedArray = new JsonArray();
                foreach (var item in array)
                {
                    normalizedArray.Add(Normalize(item));
                }

                return normalizedArray;
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!ComparedKeys.Contains(key) || value is null)
                    {
                        continue;
                    }

                    if (key == "required" && value.GetValueKind() == JsonValueKind.False)
                    {
                        continue; // absent means false
                    }

                    if (value is JsonArray { Count: 0 } && key is "options" or "choices")
                    {
                        continue;
                    }

                    result[key] = Normalize(value);
                }

                return result;
            default:
                return node?.DeepClone();
        }
    }

    private static JsonObject Sub(string name, string description, params JsonObject[] options)
    {
        var sub = new JsonObject { ["type"] = 1, ["name"] = name, ["description"] = description };
        if (options.Length > 0)
        {
            sub["options"] = new JsonArray(options.Select(o => (JsonNode)o).ToArray());
        }

        return sub;
    }

    private static JsonObject Text(string name, string description, bool required, string[]? choices = null)
    {
        var option = new JsonObject { ["type"] = 3, ["name"] = name, ["description"] = description, ["required"] = required };
        if (choices is not null)
        {
            option["choices"] = new JsonArray(choices.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["value"] = c }).ToArray());
        }

        return option;
    }
}
