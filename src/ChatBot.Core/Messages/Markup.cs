using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ChatBot.Core.Messages;

/// <summary>
/// The small, neutral markup Core writes message text in, and its one tokenizer that every adapter
/// renders from. Supported: <c>**bold**</c>, <c>`code`</c>, and <c>{time:UNIXSECONDS}</c> (a moment each
/// reader should see in their own local time). Text that came from users (names) goes through
/// <see cref="Plain"/> first so it can never be read as markup or as a mention.
/// </summary>
public static partial class Markup
{
    public static string Bold(string text) => $"**{Plain(text)}**";

    /// <summary>Our own command syntax, shown verbatim (never pass user text here: use <see cref="Plain"/>).</summary>
    public static string Code(string text) => $"`{text.Replace("`", "", StringComparison.Ordinal)}`";

    public static string Time(DateTimeOffset moment) =>
        "{time:" + moment.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "}";

    /// <summary>Makes user-supplied text inert: removes markup characters and mention triggers.</summary>
    public static string Plain(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '*' or '`' or '{' or '}' or '<' or '>' or '|':
                    break;
                case '@':
                    builder.Append('\uFF20'); // full-width at sign: reads as "@", never pings
                    break;
                case '\r' or '\n' or '\t':
                    builder.Append(' ');
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Splits markup into runs an adapter can render one by one.</summary>
    public static IEnumerable<MarkupToken> Tokenize(string text)
    {
        var position = 0;
        foreach (Match match in TokenPattern().Matches(text))
        {
            if (match.Index > position)
            {
                yield return new MarkupToken(MarkupKind.Text, text[position..match.Index]);
            }

            if (match.Groups["bold"].Success)
            {
                yield return new MarkupToken(MarkupKind.Bold, match.Groups["bold"].Value);
            }
            else if (match.Groups["code"].Success)
            {
                yield return new MarkupToken(MarkupKind.Code, match.Groups["code"].Value);
            }
            else
            {
                var seconds = long.Parse(match.Groups["time"].Value, CultureInfo.InvariantCulture);
                yield return new MarkupToken(MarkupKind.Time, match.Value, DateTimeOffset.FromUnixTimeSeconds(seconds));
            }

            position = match.Index + match.Length;
        }

        if (position < text.Length)
        {
            yield return new MarkupToken(MarkupKind.Text, text[position..]);
        }
    }

    /// <summary>Renders markup as plain text (logs, fallbacks), with times as UTC clock times.</summary>
    public static string ToPlainText(string text, TimeZoneInfo? zone = null)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var token in Tokenize(text))
        {
            builder.Append(token.Kind switch
            {
                MarkupKind.Time => FormatTime(token.Time!.Value, zone ?? TimeZoneInfo.Utc),
                _ => token.Text,
            });
        }

        return builder.ToString();
    }

    /// <summary>"14:30 UTC" style: the fallback wherever a platform cannot localise a time itself.</summary>
    public static string FormatTime(DateTimeOffset moment, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(moment, zone);
        var label = zone == TimeZoneInfo.Utc || zone.Id is "Etc/UTC" or "UTC" ? "UTC" : zone.Id;
        return local.ToString("ddd HH:mm", CultureInfo.InvariantCulture) + " " + label;
    }

    [GeneratedRegex(@"\*\*(?<bold>[^*]+)\*\*|`(?<code>[^`]+)`|\{time:(?<time>-?\d{1,12})\}")]
    private static partial Regex TokenPattern();
}

public enum MarkupKind
{
    Text,
    Bold,
    Code,
    Time,
}

public sealed record MarkupToken(MarkupKind Kind, string Text, DateTimeOffset? Time = null);
