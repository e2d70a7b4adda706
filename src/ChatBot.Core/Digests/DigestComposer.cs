using System.Globalization;
using System.Text;
using ChatBot.Core.Messages;

namespace ChatBot.Core.Digests;

/// <summary>
/// Words for a digest: the facts beside the chart (in <see cref="Markup"/>) and the same facts as the chart's
/// alt text. Pure functions of a <see cref="DigestReport"/>.
/// </summary>
public static class DigestComposer
{
    /// <summary>Slack's <c>alt_txt</c> takes at most 1,000 characters (Discord's description 1,024).</summary>
    public const int MaxAltText = 1000;

    /// <summary>The digest's text. An empty period says so and points to <c>/drill now</c>.</summary>
    public static string Text(DigestReport report)
    {
        var period = report.Period;
        var text = new StringBuilder();
        // Bold never spans a literal (the tokenizer keeps user text out of markup), so the name sits between two bold runs.
        text.Append(CultureInfo.InvariantCulture, $"**Upper back breaks in #**{Markup.Plain(report.ChannelName)}**, {period.Label}**\n");
        if (report.Current.Breaks == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"No breaks yet this {period.Noun}: start one with {Markup.Code("/drill now")}.");
            return text.ToString();
        }

        foreach (var fact in Facts(report))
        {
            text.Append(fact).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>What the chart shows and the same facts as <see cref="Text"/>, plain, within <see cref="MaxAltText"/>.</summary>
    public static string AltText(DigestReport report)
    {
        var alt = new StringBuilder();
        alt.Append(Markup.ToPlainText(string.Create(CultureInfo.InvariantCulture,
            $"Bar chart of upper back breaks per day in #{Markup.Plain(report.ChannelName)}, {report.Period.Label}, stacked by what the drill trains, with a line for the number of people each day. ")));
        foreach (var fact in Facts(report))
        {
            alt.Append(Markup.ToPlainText(fact).Replace("**", "", StringComparison.Ordinal).Replace("`", "", StringComparison.Ordinal)).Append(". ");
        }

        var plain = alt.ToString().Replace("..", ".", StringComparison.Ordinal).TrimEnd();
        return plain.Length <= MaxAltText ? plain : plain[..(MaxAltText - 1)] + "…";
    }

    /// <summary>The function done least of the three, and how often (a warm-up counts for each), or null when they are even.</summary>
    public static (string Name, string DrillId, int Count)? LeastDone(DigestCounts counts)
    {
        var warmups = counts.Days.Sum(d => d.Of(DigestFunction.Warmup));
        var done = DigestFunctions.Trained
            .Select(t => (t.Name, t.DrillId, Count: counts.Days.Sum(d => d.Of(t.Function)) + warmups))
            .ToList();
        var least = done.MinBy(t => t.Count);
        return done.All(t => t.Count == least.Count) ? null : least;
    }

    private static IEnumerable<string> Facts(DigestReport report)
    {
        var current = report.Current;
        var previous = report.Previous;
        var noun = report.Period.Noun;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"**{Plural(current.Breaks, "break")}** by **{Plural(current.People, "person", "people")}** this {noun} ({Change(current.Breaks, previous.Breaks)} breaks, {Change(current.People, previous.People)} people on last {noun}'s {previous.Breaks} by {previous.People})");

        var closed = current.Days.Where(d => d.Date <= report.Today && report.Workdays(d.Date)).ToList();
        if (closed.Count > 0)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"Workdays with a break: {closed.Count(d => d.Total > 0)} of {closed.Count} so far (days off never count as misses)");
        }

        var best = current.Days.MaxBy(d => d.Total)!;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"Best day: {best.Date.ToString("dddd d MMM", CultureInfo.InvariantCulture)}, {Plural(best.Total, "break")} by {Plural(best.People, "person", "people")}");

        if (report.TopStreaks.Count > 0)
        {
            var streaks = report.TopStreaks.Select((s, i) => string.Create(
                CultureInfo.InvariantCulture, $"{i + 1}. {Markup.Plain(s.DisplayName)} {Plural(s.Days, "day")}"));
            yield return "Top streaks: " + string.Join(" · ", streaks);
        }

        if (LeastDone(current) is { } least)
        {
            var times = least.Count switch { 0 => "not once", 1 => "only once", 2 => "only twice", var n => $"only {n} times" };
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{char.ToUpperInvariant(least.Name[0])}{least.Name[1..]} {times} this {noun}: try {Markup.Code("/drill " + least.DrillId)}");
        }
        else
        {
            yield return "Extension, rotation and flexion evenly done: a balanced upper back";
        }
    }

    private static string Change(int now, int before) => (now - before) switch
    {
        0 => "same",
        > 0 => string.Create(CultureInfo.InvariantCulture, $"+{now - before}"),
        var d => string.Create(CultureInfo.InvariantCulture, $"−{-d}"),
    };

    private static string Plural(int count, string noun, string? plural = null) =>
        count == 1 ? $"1 {noun}" : string.Create(CultureInfo.InvariantCulture, $"{count} {plural ?? noun + "s"}");
}
