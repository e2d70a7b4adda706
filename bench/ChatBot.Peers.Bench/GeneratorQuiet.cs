using System.Runtime;

namespace ChatBot.Peers.Bench;

/// <summary>
/// Keeps this process's garbage collector out of a measured phase. The fakes and the load generator run here and
/// allocate for every command (JSON parsed and kept per reply); their collections used to pause every connection
/// of the fake for 30–65 ms in a 0.2–0.5 s loaded phase, and those stalls, not the bot, set the slowest replies.
/// A collection just before the phase, then a no-GC region over it, keep the generator from being the limit;
/// <see cref="PauseMilliseconds"/> reports what pausing was left (0 when the region held). The region's memory is
/// committed up front and its pages are zeroed by the kernel at first touch (240 MB cost up to 0.25 s of CPU), so
/// it is sized to the phase, and the project keeps freed memory committed (<c>RetainVMGarbageCollection</c>) for the
/// next one.
/// </summary>
internal sealed class GeneratorQuiet : IDisposable
{
    /// <summary>Bytes allowed per command without a collection: about twice what a command allocates here (measured:
    /// 9–18 KB on Slack, 12–18 KB on Discord).</summary>
    private const long BytesPerCommand = 32 * 1024;

    /// <summary>The runtime's limit for a no-GC region on this kind of machine is well above this.</summary>
    private const long MaxRegionBytes = 240L * 1024 * 1024;

    /// <summary>The large object heap's share (the bench allocates nothing that large per command); without it the
    /// runtime would reserve the whole size again for that heap.</summary>
    private const long LargeObjectBytes = 8L * 1024 * 1024;

    private readonly TimeSpan _pausedBefore;

    private GeneratorQuiet()
    {
        _pausedBefore = GC.GetTotalPauseDuration();
    }

    /// <summary>GC pause time of this process since <see cref="Begin"/>, in ms.</summary>
    public double PauseMilliseconds => (GC.GetTotalPauseDuration() - _pausedBefore).TotalMilliseconds;

    /// <summary>
    /// Collects, then starts a no-GC region for <paramref name="commands"/> if the runtime grants one (else collects
    /// as usual; the pause is reported).
    /// </summary>
    public static GeneratorQuiet Begin(int commands)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            var small = Math.Clamp(commands * BytesPerCommand, 16L * 1024 * 1024, MaxRegionBytes);
            GC.TryStartNoGCRegion(small + LargeObjectBytes, LargeObjectBytes);
        }
        catch (ArgumentOutOfRangeException)
        {
            // The runtime's limit is lower here: measure with ordinary collections; the pause is reported.
        }

        return new GeneratorQuiet();
    }

    /// <summary>Ends the region if it still holds; a second call does nothing.</summary>
    public void Dispose()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            GC.EndNoGCRegion();
        }
    }
}
