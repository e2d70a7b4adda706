using ChatBot.Core.Streaks;

namespace ChatBot.Core.Ports;

/// <summary>
/// A person's away days (<c>/drill away</c>), per person within a team (the key streaks use). Days are the
/// person's local dates. Every change refreshes the person's stored streak summary in the same transaction,
/// so a streak read right after reflects it.
/// </summary>
public interface IAwayStore
{
    /// <summary>
    /// Marks every day from <paramref name="first"/> to <paramref name="last"/> (inclusive) away; days already
    /// away stay so. Idempotent, safe to run concurrently from several instances.
    /// </summary>
    /// <returns>How many of those days were not away before.</returns>
    Task<int> AddAsync(TeamKey team, string userId, DateOnly first, DateOnly last, CancellationToken cancellationToken);

    /// <summary>Ends being away: removes the away days on or after <paramref name="from"/>; earlier ones stay away.</summary>
    /// <returns>How many days were removed.</returns>
    Task<int> RemoveFromAsync(TeamKey team, string userId, DateOnly from, CancellationToken cancellationToken);

    /// <summary>All the person's away days as periods of consecutive days, oldest first.</summary>
    Task<IReadOnlyList<AwayPeriod>> GetPeriodsAsync(TeamKey team, string userId, CancellationToken cancellationToken);
}
