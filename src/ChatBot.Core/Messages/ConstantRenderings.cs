using System.Runtime.CompilerServices;

namespace ChatBot.Core.Messages;

/// <summary>
/// A platform renderer's cache for <see cref="OutgoingMessage.IsConstant"/> messages (help, the drill list): each
/// such message instance is rendered once and its rendering kept as long as the message lives (keyed by reference,
/// so a copy made with <c>with</c> is rendered anew). Every other message is rendered on each call. Thread-safe.
/// The cached <typeparamref name="TRendering"/> is shared by every reply: callers must only read it, or the type
/// must be immutable.
/// </summary>
/// <typeparam name="TRendering">The platform's rendering (e.g. Slack's blocks, Discord's content).</typeparam>
public sealed class ConstantRenderings<TRendering>
    where TRendering : class
{
    private readonly ConditionalWeakTable<OutgoingMessage, TRendering> cache = new();
    private readonly ConditionalWeakTable<OutgoingMessage, TRendering>.CreateValueCallback render;

    /// <param name="render">Renders one message; called once per constant message instance.</param>
    public ConstantRenderings(Func<OutgoingMessage, TRendering> render)
    {
        ArgumentNullException.ThrowIfNull(render);
        this.render = message => render(message);
    }

    /// <summary>The rendering of <paramref name="message"/>: the cached one when it is constant, else a new one.</summary>
    public TRendering Get(OutgoingMessage message) =>
        message.IsConstant ? cache.GetValue(message, render) : render(message);
}
