using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ChatBot.Core.Messages;

namespace ChatBot.Slack;

/// <summary>
/// Renders Core's neutral <see cref="OutgoingMessage"/> as Block Kit within Slack's message limits: sections of at
/// most 3000 characters (long texts split over several, never inside an escape or a date token), at most 50
/// blocks, at most 25 buttons with labels of at most 75 characters and ids/values within their limits.
/// </summary>
public static class SlackBlockKitRenderer
{
    public const int MaxSectionText = 3000;
    public const int MaxBlocks = 50;
    public const int MaxButtons = 25;
    public const int MaxButtonLabel = 75;
    public const int MaxActionId = 255;
    public const int MaxButtonValue = 2000;

    /// <summary>Fallback <c>text</c> is a notification line, not the message: keep it well under Slack's 40,000.</summary>
    public const int MaxFallbackText = 3000;

    private const string Ellipsis = "…";

    /// <summary>Renderings of <see cref="OutgoingMessage.IsConstant"/> messages, kept as long as the message lives.</summary>
    private static readonly ConstantRenderings<OutgoingMessage, SlackMessage> Constants = new(message => message.IsConstant, RenderNow);

    /// <summary>
    /// The Block Kit rendering of <paramref name="message"/>. A constant message (help, the drill list) is rendered
    /// once and the same <see cref="SlackMessage"/> returned after: callers only read it (<see cref="SlackMessage.WriteTo"/> copies the blocks).
    /// </summary>
    public static SlackMessage Render(OutgoingMessage message) => Constants.Get(message);

    private static SlackMessage RenderNow(OutgoingMessage message)
    {
        var blocks = new JsonArray();
        var buttons = message.Buttons
            .Where(b => b.ActionId.Length is > 0 and <= MaxActionId)
            .Take(MaxButtons)
            .ToList();
        var maxSections = MaxBlocks - (buttons.Count > 0 ? 1 : 0);

        var sections = SplitSections(ToMrkdwn(message.Text));
        if (sections.Count > maxSections)
        {
            sections = sections.Take(maxSections).ToList();
            var last = sections[^1];
            sections[^1] = TrimAtSafePoint(last, MaxSectionText - Ellipsis.Length) + Ellipsis;
        }

        foreach (var section in sections)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = section },
            });
        }

        if (buttons.Count > 0)
        {
            var elements = new JsonArray();
            foreach (var button in buttons)
            {
                var element = new JsonObject
                {
                    ["type"] = "button",
                    ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Truncate(button.Label, MaxButtonLabel), ["emoji"] = true },
                    ["action_id"] = button.ActionId,
                    ["value"] = Truncate(button.ActionId, MaxButtonValue),
                };
                if (button.Style is ButtonStyle.Primary or ButtonStyle.Success)
                {
                    element["style"] = "primary";
                }

                elements.Add(element);
            }

            blocks.Add(new JsonObject { ["type"] = "actions", ["elements"] = elements });
        }

        return new SlackMessage(FallbackText(message.Text), blocks);
    }

    /// <summary>Core markup to Slack mrkdwn: <c>&amp; &lt; &gt;</c> escaped, bold, code, localised dates, and user text made inert.</summary>
    public static string ToMrkdwn(string text)
    {
        var builder = new StringBuilder(text.Length + 16);
        foreach (var token in Markup.Tokenize(text))
        {
            switch (token.Kind)
            {
                case MarkupKind.Bold:
                    builder.Append('*').Append(Escape(token.Text)).Append('*');
                    break;
                case MarkupKind.Code:
                    builder.Append('`').Append(Escape(token.Text)).Append('`');
                    break;
                case MarkupKind.Literal:
                    builder.Append(EscapeLiteral(token.Text));
                    break;
                case MarkupKind.Time:
                    var moment = token.Time!.Value;
                    builder.Append("<!date^")
                        .Append(moment.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
                        .Append("^{time}|")
                        .Append(Escape(Markup.FormatTime(moment, TimeZoneInfo.Utc)))
                        .Append('>');
                    break;
                default:
                    builder.Append(Escape(token.Text));
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>The plain fallback: no markup, times in UTC, Slack's control characters escaped.</summary>
    public static string FallbackText(string text)
    {
        var plain = Escape(Markup.ToPlainText(text));
        if (plain.Length == 0)
        {
            return " ";
        }

        return plain.Length <= MaxFallbackText ? plain : TrimAtSafePoint(plain, MaxFallbackText - Ellipsis.Length) + Ellipsis;
    }

    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>
    /// User text (<see cref="MarkupKind.Literal"/>) as mrkdwn that shows exactly what was typed: <c>&amp; &lt; &gt;</c>
    /// escaped (so no <c>&lt;!channel&gt;</c>, <c>&lt;@U…&gt;</c> or link can form), and since mrkdwn has no escape
    /// character, its formatting characters <c>* _ ~ `</c> become their full-width look-alikes (＊ ＿ ～ ｀).
    /// </summary>
    public static string EscapeLiteral(string text) =>
        Escape(text)
            .Replace('*', '\uFF0A')
            .Replace('_', '\uFF3F')
            .Replace('~', '\uFF5E')
            .Replace('`', '\uFF40');

    /// <summary>Splits rendered mrkdwn into chunks of at most <see cref="MaxSectionText"/>, preferring line breaks.</summary>
    internal static List<string> SplitSections(string mrkdwn)
    {
        var sections = new List<string>();
        var remaining = mrkdwn.AsSpan();
        while (remaining.Length > 0)
        {
            if (remaining.Length <= MaxSectionText)
            {
                sections.Add(remaining.ToString());
                break;
            }

            var window = remaining[..MaxSectionText];
            var cut = window.LastIndexOf('\n');
            if (cut <= 0)
            {
                cut = SafeCut(window);
            }

            var chunk = remaining[..cut].ToString().TrimEnd('\n');
            if (chunk.Length > 0)
            {
                sections.Add(chunk);
            }

            remaining = remaining[cut..].TrimStart('\n');
        }

        return sections.Count == 0 ? [] : sections;
    }

    private static string TrimAtSafePoint(string text, int max) =>
        text.Length <= max ? text : text[..SafeCut(text.AsSpan(0, max))];

    /// <summary>
    /// A cut position within <paramref name="window"/> that splits neither an entity (<c>&amp;amp;</c>) nor a
    /// <c>&lt;!date…&gt;</c> token, preferring a space.
    /// </summary>
    private static int SafeCut(ReadOnlySpan<char> window)
    {
        var cut = window.Length;
        var open = window.LastIndexOf('<');
        if (open >= 0 && window[open..].IndexOf('>') < 0)
        {
            cut = open;
        }

        var amp = window[..cut].LastIndexOf('&');
        if (amp >= 0 && window[amp..cut].IndexOf(';') < 0)
        {
            cut = amp;
        }

        var space = window[..cut].LastIndexOf(' ');
        if (space > cut - 200 && space > 0)
        {
            cut = space;
        }

        return cut > 0 ? cut : window.Length;
    }

    private static string Truncate(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), Ellipsis);
}
