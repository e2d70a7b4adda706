using System.Runtime.CompilerServices;

namespace ChatBot.Core.Messages;

/// <summary>
/// A platform's cache for what it builds from constant content (help, the drill list: an
/// <see cref="OutgoingMessage.IsConstant"/> message, or a <see cref="Commands.CommandReply"/> carrying one): each
/// constant <typeparamref name="TKey"/> instance is rendered once and its rendering kept as long as the instance
/// lives (keyed by reference, so a copy made with <c>with</c> is rendered anew). Everything else is rendered on each
/// call. Thread-safe. The cached <typeparamref name="TRendering"/> is shared by every reply: callers must only read
/// it, or the type must be immutable.
/// </summary>
/// <typeparam name="TKey">What is rendered: a message, or a reply when the rendering depends on its visibility.</typeparam>
/// <typeparam name="TRendering">The platform's rendering (e.g. Slack's blocks, Discord's content, a JSON body);
/// null is a rendering like any other (e.g. "does not fit one callback").</typeparam>
public sealed class ConstantRenderings<TKey, TRendering>
    where TKey : class
    where TRendering : class?
{
    private readonly ConditionalWeakTable<TKey, TRendering> cache = new();
    private readonly Func<TKey, bool> isConstant;
    private readonly ConditionalWeakTable<TKey, TRendering>.CreateValueCallback render;

    /// <param name="isConstant">Whether an instance is constant (its rendering can be kept).</param>
    /// <param name="render">Renders one instance; called once per constant instance.</param>
    public ConstantRenderings(Func<TKey, bool> isConstant, Func<TKey, TRendering> render)
    {
        ArgumentNullException.ThrowIfNull(isConstant);
        ArgumentNullException.ThrowIfNull(render);
        this.isConstant = isConstant;
        this.render = key => render(key);
    }

    /// <summary>The rendering of <paramref name="key"/>: the cached one when it is constant, else a new one.</summary>
    public TRendering Get(TKey key) => isConstant(key) ? cache.GetValue(key, render) : render(key);
}
