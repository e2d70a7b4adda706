using ChatBot.Core.Drills;
using ChatBot.Core.Ports;

namespace ChatBot.Core.Breaks;

/// <summary>Starts breaks: picks the drill (or the channel's next in rotation), stores the break, hands it to the runner.</summary>
public sealed class BreakService(IBreakStore breaks, DrillCatalog catalog, IBreakRunner runner, TimeProvider clock)
{
    /// <param name="drillId">The drill to run, or null for the channel's next drill in the rotation.</param>
    /// <param name="slotKey">For scheduled breaks: the slot occurrence, so one slot starts one break however often it fires.</param>
    /// <returns>The break, and whether this call started it (false: the slot's break existed already).</returns>
    public async Task<(BreakRecord Break, bool Started)> StartAsync(
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

        return (brk, created);
    }
}
