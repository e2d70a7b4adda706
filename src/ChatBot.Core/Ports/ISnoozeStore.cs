namespace ChatBot.Core.Ports;

/// <summary>A person's "Remind me in 10 min" on one break: one row per (break, person).</summary>
/// <param name="DueAt">When the reminder DM is due (UTC).</param>
/// <param name="Done">Whether the person has logged this break by now (then the reminder is not sent).</param>
public sealed record Snooze(long BreakId, TeamKey Team, string UserId, string DisplayName, DateTimeOffset DueAt, bool Done);

/// <summary>Snoozes of break prompts (the Remind me in 10 min button).</summary>
public interface ISnoozeStore
{
    /// <summary>
    /// Stores the snooze unless the person snoozed this break before. Returns the stored snooze and whether this call
    /// created it (false: a second tap; the first one's due time stands).
    /// </summary>
    Task<(Snooze Snooze, bool Created)> AddAsync(long breakId, TeamKey team, string userId, string displayName, DateTimeOffset dueAt, CancellationToken cancellationToken);

    /// <summary>The snooze with <see cref="Snooze.Done"/> read from the completions now, or null.</summary>
    Task<Snooze?> GetAsync(long breakId, string userId, CancellationToken cancellationToken);

    /// <summary>Gives up a snooze whose reminder could not be scheduled, so a new tap can try again.</summary>
    Task RemoveAsync(long breakId, string userId, CancellationToken cancellationToken);
}

/// <summary>
/// Durable delayed work for snoozes: the reminder is a job in the scheduler's store (Hangfire's
/// <c>BackgroundJob.Schedule</c>), not a timer in memory, so it survives a restart.
/// </summary>
public interface ISnoozeScheduler
{
    /// <summary>Runs <see cref="Personal.SnoozeService.SendDueAsync"/> for the snooze after <paramref name="delay"/>.</summary>
    void Schedule(long breakId, string userId, TimeSpan delay);
}
