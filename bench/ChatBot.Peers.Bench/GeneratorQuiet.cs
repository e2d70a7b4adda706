using System.Runtime;

namespace ChatBot.Peers.Bench;

/// <summary>
/// Keeps this process's garbage collector out of a measured phase. The fakes and the load generator run here and
/// allocate for every command (JSON parsed and kept per reply); their collections used to pause every connection
/// of the fake for 30–65 ms in a 0.2–0.5 s loaded phase, and those stalls, not the bot, set the slowest replies.
/// A collection just before the phase, then a no-GC region over it, keep the generator from being the limit;
/// <see cref="PauseMilliseconds"/> reports what pausing was left (0 when the region held).
/// </summary>
internal sealed class GeneratorQuiet : IDisposable
{
    /// <summary>Allocation allowed without a collection: well over what 20,000 commands allocate here.</summary>
    private const long RegionBytes = 240L * 1024 * 1024;

    private readonly TimeSpan _pausedBefore;

    private GeneratorQuiet()
    {
        _pausedBefore = GC.GetTotalPauseDuration();
    }

    /// <summary>GC pause time of this process since <see cref="Begin"/>, in ms.</summary>
    public double PauseMilliseconds => (GC.GetTotalPauseDuration() - _pausedBefore).TotalMilliseconds;

    /// <summary>Collects, then starts a no-GC region if the runtime grants one (else collects as usual).</summary>
    public static GeneratorQuiet Begin()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            GC.TryStartNoGCRegion(RegionBytes);
        }
        catch (ArgumentOutOfRangeException)
        {
            // The runtime's limit is lower here: measure with ordinary collections; the pause is reported.
        }

        return new GeneratorQuiet();
    }

    public void Dispose()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            GC.EndNoGCRegion();
        }
    }
}
