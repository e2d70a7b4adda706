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
}

/// <summary>A button. <paramref name="ActionId"/> is stable and parsed back by <see cref="ButtonAction"/>.</summary>
public sealed record MessageButton(string ActionId, string Label, ButtonStyle Style = ButtonStyle.Secondary);

public enum ButtonStyle
{
    Primary,
    Secondary,
    Success,
}
