using System.Globalization;
using System.Text;

namespace ChatBot.Core.Commands;

/// <summary>
/// The one normalisation of command text as people type and paste it, applied before parsing on every
/// platform and in the console (<see cref="CommandParser.Parse"/>, the console's <c>/drill</c> check).
/// </summary>
public static class CommandText
{
    /// <summary>
    /// Every Unicode space (category Zs: no-break space, ideographic space, …), tab, line break (CR, LF, NEL,
    /// U+2028, U+2029) and other whitespace control becomes a plain space; format characters (category Cf:
    /// zero-width space and joiners, word joiner, BOM, bidi marks and controls) and other control characters are
    /// removed; lone surrogates become U+FFFD. Leading and trailing spaces are trimmed; nothing else changes.
    /// </summary>
    /// <returns>The normalised text; <c>""</c> for null.</returns>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    builder.Append(' ');
                    break;
                case UnicodeCategory.Control:
                    if (Rune.IsWhiteSpace(rune))
                    {
                        builder.Append(' ');
                    }

                    break;
                case UnicodeCategory.Format:
                    break;
                default:
                    builder.Append(rune.ToString());
                    break;
            }
        }

        return builder.ToString().Trim(' ');
    }

    /// <summary>
    /// <paramref name="text"/> cut to at most <paramref name="maxTextElements"/> text elements (what a reader sees
    /// as one character: an emoji with its modifiers, a letter with its combining marks), with "…" appended when
    /// it was cut. Never splits a surrogate pair or a grapheme cluster (<see cref="StringInfo"/>).
    /// </summary>
    public static string Shorten(string text, int maxTextElements)
    {
        var info = new StringInfo(text);
        return info.LengthInTextElements <= maxTextElements ? text : info.SubstringByTextElements(0, maxTextElements) + "…";
    }
}
