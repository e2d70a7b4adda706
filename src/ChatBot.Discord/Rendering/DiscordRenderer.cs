using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ChatBot.Core.Messages;

namespace ChatBot.Discord.Rendering;

/// <summary>
/// Renders Core's neutral messages as Discord message payloads: markdown content (≤ 2000 characters per
/// message), <c>&lt;t:unix:t&gt;</c> times each reader sees in their own zone, buttons in at most 5 rows of 5,
/// and <c>allowed_mentions: {"parse":[]}</c> on every payload so nothing the bot says ever pings anyone.
/// </summary>
public static class DiscordRenderer
{
    public const int MaxContentLength = 2000;
    public const int MaxRows = 5;
    public const int MaxButtonsPerRow = 5;
    public const int MaxCustomIdLength = 100;
    public const int MaxLabelLength = 80;

    /// <summary>Core markup → Discord markdown, with Discord's markdown characters in plain text escaped.</summary>
    public static string RenderText(string markup)
    {
        var builder = new StringBuilder(markup.Length + 16);
        foreach (var token in Markup.Tokenize(markup))
        {
            switch (token.Kind)
            {
                case MarkupKind.Bold:
                    builder.Append("**").Append(Escape(token.Text)).Append("**");
                    break;
                case MarkupKind.Code:
                    builder.Append('`').Append(token.Text.Replace("`", "'", StringComparison.Ordinal)).Append('`');
                    break;
                case MarkupKind.Literal:
                    builder.Append(EscapeLiteral(token.Text));
                    break;
                case MarkupKind.Time:
                    builder.Append("<t:")
                        .Append(token.Time!.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
                        .Append(":t>");
                    break;
                default:
                    builder.Append(Escape(token.Text));
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Escapes the characters Discord reads as markdown (<c>\ * _ ~ ` |</c>).</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '~' or '`' or '|')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// User text (<see cref="MarkupKind.Literal"/>) as Discord markdown that shows exactly what was typed: every
    /// markdown and link character (<c>\ * _ ~ ` | &gt; &lt; # - [ ] ( ) :</c>) backslash-escaped, and a zero-width
    /// space after each <c>@</c> so <c>@everyone</c>, <c>@here</c> and <c>&lt;@id&gt;</c> never form a mention
    /// (besides <c>allowed_mentions</c>, which already stops pings).
    /// </summary>
    public static string EscapeLiteral(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '~' or '`' or '|' or '>' or '<' or '#' or '-' or '[' or ']' or '(' or ')' or ':')
            {
                builder.Append('\\');
            }

            builder.Append(c);
            if (c == '@')
            {
                builder.Append('\u200B');
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Rendered content of <see cref="OutgoingMessage.IsConstant"/> messages (help, the drill list): the markup is
    /// rendered once; each call still builds new payloads, so a change to one reply never reaches the next.
    /// </summary>
    private static readonly ConstantRenderings<OutgoingMessage, RenderedContent> Contents = new(message => message.IsConstant, message =>
    {
        var content = RenderText(message.Text);
        return new RenderedContent(content, Split(content, MaxContentLength).AsReadOnly());
    });

    /// <summary>
    /// The message as one or more payloads: content split at line breaks into ≤ 2000-character parts, the
    /// buttons on the last part. A constant message's content is rendered once (<see cref="ConstantRenderings{TKey, TRendering}"/>);
    /// the payloads are new on every call.
    /// </summary>
    public static IReadOnlyList<JsonObject> RenderMessages(OutgoingMessage message)
    {
        var parts = Contents.Get(message).Parts;
        var payloads = new List<JsonObject>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            payloads.Add(Payload(parts[i], i == parts.Count - 1 ? message.Buttons : []));
        }

        return payloads;
    }

    /// <summary>
    /// The message as exactly one payload (edits and updates), trimmed to the content limit; a new payload on every
    /// call (a constant message's content is rendered once).
    /// </summary>
    public static JsonObject RenderSingle(OutgoingMessage message)
    {
        var content = Contents.Get(message).Content;
        if (content.Length > MaxContentLength)
        {
            content = SafeCut(content, MaxContentLength - 1) + "…";
        }

        return Payload(content, message.Buttons);
    }

    /// <summary>Buttons as action rows: at most 5 rows of 5; ids over 100 characters are left out.</summary>
    public static JsonArray RenderComponents(IReadOnlyList<MessageButton> buttons)
    {
        var rows = new JsonArray();
        JsonArray? current = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var button in buttons)
        {
            if (button.ActionId.Length is 0 or > MaxCustomIdLength || !seen.Add(button.ActionId))
            {
                continue;
            }

            if (current is null || current.Count == MaxButtonsPerRow)
            {
                if (rows.Count == MaxRows)
                {
                    break;
                }

                current = [];
                rows.Add(new JsonObject { ["type"] = 1, ["components"] = current });
            }

            var label = button.Label.Length == 0 ? "…" : button.Label;
            current.Add(new JsonObject
            {
                ["type"] = 2,
                ["style"] = button.Style switch
                {
                    ButtonStyle.Primary => 1,
                    ButtonStyle.Success => 3,
                    _ => 2,
                },
                ["label"] = label.Length <= MaxLabelLength ? label : SafeCut(label, MaxLabelLength - 1) + "…",
                ["custom_id"] = button.ActionId,
            });
        }

        return rows;
    }

    /// <summary>A message's content as Discord markdown, whole and split into ≤ 2000-character parts.</summary>
    private sealed record RenderedContent(string Content, IReadOnlyList<string> Parts);

    public static JsonObject NoMentions() => new() { ["parse"] = new JsonArray() };

    private static JsonObject Payload(string content, IReadOnlyList<MessageButton> buttons) => new()
    {
        ["content"] = content.Length == 0 ? "\u200b" : content,
        ["components"] = RenderComponents(buttons),
        ["allowed_mentions"] = NoMentions(),
    };

    /// <summary>Splits at the last line break (else space) before the limit; never inside a surrogate pair.</summary>
    internal static List<string> Split(string text, int limit)
    {
        var parts = new List<string>();
        var rest = text;
        while (rest.Length > limit)
        {
            var cut = rest.LastIndexOf('\n', limit - 1);
            if (cut <= 0)
            {
                cut = rest.LastIndexOf(' ', limit - 1);
            }

            if (cut <= 0)
            {
                cut = SafeCut(rest, limit).Length;
            }

            parts.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart('\n', ' ');
        }

        parts.Add(rest);
        return parts;
    }

    private static string SafeCut(string text, int length)
    {
        if (length >= text.Length)
        {
            return text;
        }

        return char.IsHighSurrogate(text[length - 1]) ? text[..(length - 1)] : text[..length];
    }
}
