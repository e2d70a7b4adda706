namespace ChatBot.Core.Messages;

/// <summary>
/// A platform-neutral message: text in <see cref="Markup"/> plus optional buttons. Adapters render it in
/// their own format (Block Kit, Discord components, console lines) within their platform's limits.
/// </summary>
public sealed record OutgoingMessage(string Text, IReadOnlyList<MessageButton> Buttons)
{
    public OutgoingMessage(string text)
        : this(text, [])
    {
    }

    /// <summary>
    /// A file posted with the text (the digest's chart): Slack uploads it with the text as its comment, Discord
    /// attaches it to the message, the console saves it. A platform that refuses the file gets the text alone.
    /// </summary>
    public MessageFile? File { get; init; }

    /// <summary>
    /// This very instance is sent again and again with the same content (help, the drill list: built once from the
    /// catalogue). Renderers may keep their rendering of it, keyed by reference; never set it on a message whose
    /// text depends on the user, the channel or the time.
    /// </summary>
    public bool IsConstant { get; init; }
}

/// <summary>A file to attach. <paramref name="AltText"/> describes an image for screen readers (≤ 1,000 characters).</summary>
/// <param name="FileName">A plain file name such as <c>digest-2026-11-23.png</c>, no directories.</param>
/// <param name="ContentType">The media type, e.g. <c>image/png</c>.</param>
public sealed record MessageFile(string FileName, ReadOnlyMemory<byte> Content, string ContentType, string AltText);

/// <summary>A button. <paramref name="ActionId"/> is stable and parsed back by <see cref="ButtonAction"/>.</summary>
public sealed record MessageButton(string ActionId, string Label, ButtonStyle Style = ButtonStyle.Secondary);

public enum ButtonStyle
{
    Primary,
    Secondary,
    Success,
}
