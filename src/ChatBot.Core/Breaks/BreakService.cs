using ChatBot.Core.Drills;
using ChatBot.Core.Ports;

namespace ChatBot.Core.Breaks;

/// <summary>What became of a break's prompt by the time <see cref="BreakService.StartAsync"/> returned.</summary>
public enum PromptState
{
    /// <summary>The prompt is in the channel.</summary>
    Posted,

    /// <summary>The platform refused it for good (see <see cref="BreakRecord.Refusal"/>): the break is over.</summary>
    Refused,

    /// <summary>Not out yet (the platform failed transiently, or another worker is posting it): a job keeps trying.</summary>
    Pending,
}

/// <summary>The outcome of <see cref="BreakService.StartAsync"/>.</summary>
/// <param name="Break">The stored break, as it stands after the prompt attempt (with its refusal, if any).</param>
/// <param name="Started">False when a scheduled slot's break existed already (nothing new was started).</param>
public sealed record BreakStart(BreakRecord Break, bool Started, PromptState Prompt)
{
    public void Deconstruct(out BreakRecord brk, out bool started)
    {
        brk = Break;
        started = Started;
    }
}

/// <summary>Starts breaks: picks the drill (or the channel's next in rotation), stores the break, hands it to the runner.</summary>
public sealed class BreakService(IBreakStore breaks, DrillCatalog catalog, IBreakRunner runner, TimeProvider clock)
{
    /// <param name="drillId">The drill to run, or null for the channel's next drill in the rotation.</param>
    /// <param name="slotKey">For scheduled breaks: the slot occurrence, so one slot starts one break however often it fires.</param>
    /// <returns>
    /// The break, whether this call started it, and what became of its prompt: the runner posts the prompt before
    /// returning, so <see cref="PromptState.Posted"/> is confirmed by the message id recorded in the store.
    /// </returns>
    public async Task<BreakStart> StartAsync(
        ChannelKey channel,
        string? drillId,
        BreakOrigin origin,
        string? startedBy,
        string? slotKey,
        CancellationToken cancellationToken)
    {
        var drill = drillId is null
            ? catalog.NextInRotation(await breaks.GetLastDrillAsync(channel, cancellationToken))
            : catalog.Get(drillId);
        var (brk, created) = await breaks.CreateAsync(
            new NewBreak(channel, drill.Id, origin, clock.GetUtcNow(), startedBy, slotKey), cancellationToken);
        if (created)
        {
            await runner.StartAsync(brk.Id, cancellationToken);
        }

        var now = await breaks.GetAsync(brk.Id, cancellationToken) ?? brk;
        var prompt = now.Refusal is not null ? PromptState.Refused
            : await breaks.GetPostedMessageIdAsync(brk.Id, 0, cancellationToken) is not null ? PromptState.Posted
            : PromptState.Pending;
        return new BreakStart(now, created, prompt);
    }
}
