using ChatBot.Core.Drills;
using ChatBot.Core.Messages;
using ChatBot.Core.Streaks;

namespace ChatBot.Core.Commands;

/// <summary>
/// Turns the text after <c>/drill</c> into a <see cref="ParsedCommand"/>. Case-insensitive; any Unicode space
/// separates words and invisible format characters are ignored (<see cref="CommandText.Normalize"/>).
/// </summary>
public sealed class CommandParser(DrillCatalog catalog)
{
    /// <summary>The action words, in the order help lists them.</summary>
    public static readonly IReadOnlyList<string> Actions = ["help", "list", "now", "done", "streak", "leaderboard", "stats", "tz", "schedule"];

    private const int MaxEcho = 40;

    public ParsedCommand Parse(string? text)
    {
        var words = CommandText.Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 0 && words[0].Equals("/drill", StringComparison.OrdinalIgnoreCase))
        {
            words = words[1..];
        }

        if (words.Length == 0)
        {
            return new ParsedCommand.Help();
        }

        var head = words[0].ToLowerInvariant();
        var rest = words[1..];
        return head switch
        {
            "help" or "?" => NoArguments(head, rest, new ParsedCommand.Help()),
            "list" or "drills" => NoArguments(head, rest, new ParsedCommand.List()),
            "now" => NoArguments(head, rest, new ParsedCommand.Now()),
            "done" => NoArguments(head, rest, new ParsedCommand.Done()),
            "streak" => NoArguments(head, rest, new ParsedCommand.Streak()),
            "stats" or "digest" => ParseStats(rest),
            "leaderboard" or "board" or "top" => ParseLeaderboard(rest),
            "tz" or "timezone" => ParseTimeZone(rest),
            "schedule" => new ParsedCommand.Schedule(rest),
            _ when catalog.TryFind(head, out var drill) => NoArguments(head, rest, new ParsedCommand.StartDrill(drill.Id)),
            _ => Unknown(head),
        };
    }

    private static ParsedCommand NoArguments(string head, string[] rest, ParsedCommand command) =>
        rest.Length == 0
            ? command
            : new ParsedCommand.Invalid($"{Markup.Code("/drill " + head)} takes nothing after it, but got '{Echo(string.Join(' ', rest))}'.");

    private static ParsedCommand ParseLeaderboard(string[] rest)
    {
        if (rest.Length == 0)
        {
            return new ParsedCommand.Leaderboard(LeaderboardPeriod.Week);
        }

        if (rest.Length == 1)
        {
            switch (rest[0].ToLowerInvariant())
            {
                case "week" or "weekly":
                    return new ParsedCommand.Leaderboard(LeaderboardPeriod.Week);
                case "month" or "monthly":
                    return new ParsedCommand.Leaderboard(LeaderboardPeriod.Month);
                case "all" or "alltime" or "all-time" or "ever":
                    return new ParsedCommand.Leaderboard(LeaderboardPeriod.All);
            }
        }

        return new ParsedCommand.Invalid(
            $"Unknown period '{Echo(string.Join(' ', rest))}'. Use {Markup.Code("/drill leaderboard week")}, {Markup.Code("month")} or {Markup.Code("all")}.");
    }

    private static ParsedCommand ParseStats(string[] rest) =>
        (rest.Length == 0 ? "week" : rest.Length == 1 ? rest[0].ToLowerInvariant() : "") switch
        {
            "week" or "weekly" => new ParsedCommand.Stats(Digests.DigestPeriodKind.Week),
            "month" or "monthly" => new ParsedCommand.Stats(Digests.DigestPeriodKind.Month),
            _ => new ParsedCommand.Invalid(
                $"Unknown period '{Echo(string.Join(' ', rest))}'. Use {Markup.Code("/drill stats week")} or {Markup.Code("/drill stats month")}."),
        };

    private static ParsedCommand ParseTimeZone(string[] rest) => rest.Length switch
    {
        0 => new ParsedCommand.TimeZone(null),
        1 => new ParsedCommand.TimeZone(rest[0]),
        _ => new ParsedCommand.Invalid(
            $"A time zone is one word like {Markup.Code("Europe/Berlin")} or {Markup.Code("America/New_York")}, but got '{Echo(string.Join(' ', rest))}'."),
    };

    private ParsedCommand.Invalid Unknown(string word)
    {
        var drills = string.Join(", ", catalog.Drills.Select(d => d.Id));
        var drillMatch = Nearest(word, catalog.Names);
        var actionMatch = Nearest(word, Actions);
        if (drillMatch is not null && (actionMatch is null || drillMatch.Distance <= actionMatch.Distance))
        {
            return new ParsedCommand.Invalid(
                $"Unknown drill '{Echo(word)}'. Did you mean {Markup.Code(drillMatch.Word)}? Drills: {drills}.");
        }

        if (actionMatch is not null)
        {
            return new ParsedCommand.Invalid(
                $"Unknown command '{Echo(word)}'. Did you mean {Markup.Code("/drill " + actionMatch.Word)}? Commands: {string.Join(", ", Actions)}.");
        }

        return new ParsedCommand.Invalid(
            $"I don't know '{Echo(word)}'. Drills: {drills}. Commands: {string.Join(", ", Actions)}. Try {Markup.Code("/drill help")}.");
    }

    private static string Echo(string text)
    {
        // Shortened before it is made a literal span, so the span's end marker is never cut off.
        return Markup.Plain(text.Length <= MaxEcho ? text : text[..MaxEcho] + "…");
    }

    private sealed record Match(string Word, int Distance);

    /// <summary>The closest candidate within a typo's reach (about one edit per four letters), or a prefix match.</summary>
    private static Match? Nearest(string word, IEnumerable<string> candidates)
    {
        Match? best = null;
        foreach (var candidate in candidates)
        {
            var distance = candidate.StartsWith(word, StringComparison.OrdinalIgnoreCase) && word.Length >= 3
                ? 1
                : EditDistance.Between(word, candidate);
            var reach = Math.Max(1, Math.Min(word.Length, candidate.Length) / 4 + 1);
            if (distance <= reach && (best is null || distance < best.Distance))
            {
                best = new Match(candidate, distance);
            }
        }

        return best;
    }
}
