namespace ChatBot.Core;

/// <summary>
/// Exponential backoff with "equal jitter": half the capped delay plus a random share of the other half, so
/// clients that failed together (a platform outage) do not all come back at the same moment.
/// </summary>
public static class Backoff
{
    /// <param name="failures">How many attempts failed in a row; the first failure waits about <paramref name="initial"/>.</param>
    public static TimeSpan Exponential(int failures, TimeSpan initial, TimeSpan max, Random? random = null)
    {
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30)));
#pragma warning disable CA5394 // jitter, not security
        var share = (random ?? Random.Shared).NextDouble();
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds((ceiling / 2) + (share * ceiling / 2));
    }
}
