using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ChatBot.Core.Messages;

/// <summary>
/// The small, neutral markup Core writes message text in, and its one tokenizer that every adapter
/// renders from. Supported: <c>**bold**</c>, <c>`code`</c>, <c>{time:UNIXSECONDS}</c> (a moment each
/// reader should see in their own local time), and literal spans of user text (<see cref="Plain"/>): every
/// renderer shows a literal verbatim, escaped for its platform, so it can never be read as markup or a mention.
/// </summary>
public static partial class Markup
{
    /// <summary>Opens a literal span (a private-use character, removed from user text so it can't forge one).</summary>
    internal const char LiteralStart = '\uE000';

    /// <summary>Closes a literal span.</summary>
    internal const char LiteralEnd = '\uE001';

    /// <summary>Our own words in bold (never pass user text here: use <see cref="Plain"/>).</summary>
    public static string Bold(string text) => $"**{text.Replace("*", "", StringComparison.Ordinal)}**";

    /// <summary>Our own command syntax, shown verbatim (never pass user text here: use <see cref="Plain"/>).</summary>
    public static string Code(string text) => $"`{text.Replace("`", "", StringComparison.Ordinal)}`";

    public static string Time(DateTimeOffset moment) =>
        "{time:" + moment.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "}";

    /// <summary>
    /// Marks user-supplied text (display names, echoed input) as a literal span, neutralised first so it can't
    /// change how the rest of the message displays: control characters are removed (line breaks and tabs become
    /// spaces), format characters are removed (zero-width spaces, bidi overrides and isolates, BOM, tags; the
    /// zero-width (non-)joiners inside emoji and Persian names stay), lone surrogates become U+FFFD, and text
    /// with right-to-left letters is wrapped in a first-strong isolate (U+2068 … U+2069) so it can't reorder
    /// what follows. Each renderer then escapes the span for its platform (<see cref="MarkupKind.Literal"/>).
    /// </summary>
    public static string Plain(string text)
    {
        var builder = new StringBuilder(text.Length + 4);
        var rightToLeft = false;
        foreach (var rune in text.EnumerateRunes())
        {
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                    if (rune.Value is '\t' or '\n' or '\r' or '\v' or '\f' or 0x85)
                    {
                        builder.Append(' ');
                    }

                    break;
                case UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    builder.Append(' ');
                    break;
                case UnicodeCategory.Format when rune.Value is not (0x200C or 0x200D):
                    break;
                case UnicodeCategory.PrivateUse when rune.Value is LiteralStart or LiteralEnd:
                    break;
                default:
                    rightToLeft |= IsRightToLeft(rune.Value);
                    builder.Append(rune.ToString());
                    break;
            }
        }

        return rightToLeft
            ? $"{LiteralStart}\u2068{builder}\u2069{LiteralEnd}"
            : $"{LiteralStart}{builder}{LiteralEnd}";
    }

    /// <summary>Hebrew, Arabic, Syriac, Thaana, N'Ko … and their presentation forms: the strong right-to-left blocks.</summary>
    private static bool IsRightToLeft(int codePoint) =>
        codePoint is (>= 0x0590 and <= 0x08FF) or (>= 0xFB1D and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF)
            or (>= 0x10800 and <= 0x10FFF) or (>= 0x1E800 and <= 0x1EFFF);

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
            else if (match.Groups["literal"].Success)
            {
                yield return new MarkupToken(MarkupKind.Literal, match.Groups["literal"].Value);
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

    /// <summary>Renders markup as plain text (logs, fallbacks, the console), with times as UTC clock times.</summary>
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

    [GeneratedRegex("\uE000(?<literal>[^\uE000\uE001]*)\uE001|\\*\\*(?<bold>[^*\uE000\uE001]+)\\*\\*|`(?<code>[^`\uE000\uE001]+)`|\\{time:(?<time>-?\\d{1,12})\\}")]
    private static partial Regex TokenPattern();
}

public enum MarkupKind
{
    /// <summary>Our own words.</summary>
    Text,
    Bold,
    Code,
    Time,

    /// <summary>Text a user controls (<see cref="Markup.Plain"/>): shown verbatim, escaped for each platform.</summary>
    Literal,
}

public sealed record MarkupToken(MarkupKind Kind, string Text, DateTimeOffset? Time = null);
