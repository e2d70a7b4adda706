using System.Globalization;
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
    public static readonly IReadOnlyList<string> Actions = ["help", "list", "now", "done", "streak", "leaderboard", "stats", "tz", "away", "remind", "schedule"];

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
            "away" => ParseAway(rest),
            "remind" or "reminder" => ParseRemind(rest),
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

    private static ParsedCommand ParseAway(string[] rest)
    {
        var valid = $"Use {Markup.Code("/drill away 5")} (the next 1 to {AwayCommands.MaxDays} days, starting today), "
            + $"{Markup.Code("/drill away until YYYY-MM-DD")} (up to and including that date), {Markup.Code("/drill away off")} (back now), "
            + $"or {Markup.Code("/drill away")} to see your away days.";
        switch (rest)
        {
            case []:
                return new ParsedCommand.Away();
            case [var show] when show.Equals("show", StringComparison.OrdinalIgnoreCase):
                return new ParsedCommand.Away();
            case [var daysWord, var count] when daysWord.Equals("days", StringComparison.OrdinalIgnoreCase):
                return ParseAway([count]); // Discord's /drill away days count:5
            case [var word] when word.Equals("off", StringComparison.OrdinalIgnoreCase) || word.Equals("back", StringComparison.OrdinalIgnoreCase):
                return new ParsedCommand.Away(Off: true);
            case [var number] when number.All(char.IsAsciiDigit):
                return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= AwayCommands.MaxDays
                    ? new ParsedCommand.Away(Days: days)
                    : new ParsedCommand.Invalid($"'{Echo(number)}' days is not a period I can set: it is 1 to {AwayCommands.MaxDays} days. {valid}");
            case [var until, var date] when until.Equals("until", StringComparison.OrdinalIgnoreCase):
                return ParseAwayDate(date, valid);
            case [var date] when date.Length > 0 && char.IsAsciiDigit(date[0]):
                return ParseAwayDate(date, valid);
            default:
                return new ParsedCommand.Invalid($"I can't read '{Echo(string.Join(' ', rest))}' as away days. {valid}");
        }
    }

    private static ParsedCommand ParseRemind(string[] rest)
    {
        var valid = $"Use {Markup.Code("/drill remind 15:00")} (a DM on your workdays at that time in your zone if you haven't logged a break), "
            + $"{Markup.Code("/drill remind off")}, or {Markup.Code("/drill remind")} to see your setting.";
        switch (rest)
        {
            case []:
                return new ParsedCommand.Remind();
            case [var word] when word.Equals("off", StringComparison.OrdinalIgnoreCase) || word.Equals("stop", StringComparison.OrdinalIgnoreCase):
                return new ParsedCommand.Remind(Off: true);
            case [var at, var time] when at.Equals("at", StringComparison.OrdinalIgnoreCase):
                return ParseRemind([time]);
            case [var time] when Schedules.SlotTime.TryParse(time, out var local):
                return new ParsedCommand.Remind(At: local);
            default:
                return new ParsedCommand.Invalid($"I can't read '{Echo(string.Join(' ', rest))}' as a reminder time: write it as HH:MM, 00:00 to 23:59. {valid}");
        }
    }

    private static ParsedCommand ParseAwayDate(string text, string valid)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new ParsedCommand.Away(Until: date);
        }

        // Shaped like a date but not in the calendar (2026-02-30, 2026-13-01): say so rather than "garbage".
        var parts = text.Split('-');
        if (parts is [{ Length: 4 } y, { Length: 2 } m, { Length: 2 } d]
            && int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year >= 1
            && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            var why = month is >= 1 and <= 12
                ? $"{new DateOnly(year, month, 1).ToString("MMMM yyyy", CultureInfo.InvariantCulture)} has {DateTime.DaysInMonth(year, month)} days"
                : "months run from 01 to 12";
            return new ParsedCommand.Invalid($"{Markup.Plain(text)} is not a date in the calendar: {why}. {valid}");
        }

        return new ParsedCommand.Invalid($"'{Echo(text)}' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-24. {valid}");
    }

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
        return Markup.Plain(CommandText.Shorten(text, MaxEcho));
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
