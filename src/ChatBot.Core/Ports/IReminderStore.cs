namespace ChatBot.Core.Ports;

/// <summary>
/// A person's daily reminder (<c>/drill remind HH:MM</c>): the local time, the zone it was computed in, and the
/// next occurrence (<paramref name="NextDay"/> in that zone, at <paramref name="NextDueAt"/> UTC).
/// </summary>
public sealed record ReminderSetting(
    TeamKey Team,
    string UserId,
    string DisplayName,
    TimeOnly LocalTime,
    string TimeZoneId,
    DateOnly NextDay,
    DateTimeOffset NextDueAt);

/// <summary>A reminder whose occurrence is due, with what the pass needs to decide (read in the same query).</summary>
/// <param name="Away">The occurrence's day is one of the person's away days.</param>
/// <param name="Logged">The person has logged a break on that day (in that zone).</param>
/// <param name="LastDrillId">The drill of the person's latest sent reminder (their own rotation), or null.</param>
public sealed record DueReminder(ReminderSetting Setting, bool Away, bool Logged, string? LastDrillId);

/// <summary>A reminder that went out (or is going out) on <paramref name="Day"/>, with the drill it suggested.</summary>
public sealed record SentReminder(long Id, TeamKey Team, string UserId, string DisplayName, DateOnly Day, string DrillId);

/// <summary>Daily reminders and the ones sent: at most one per person and local day.</summary>
public interface IReminderStore
{
    /// <summary>Sets (or replaces) the person's reminder.</summary>
    Task SetAsync(ReminderSetting setting, CancellationToken cancellationToken);

    /// <summary>Stops it. Returns false when there was none.</summary>
    Task<bool> RemoveAsync(TeamKey team, string userId, CancellationToken cancellationToken);

    Task<ReminderSetting?> GetAsync(TeamKey team, string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> reminders due at or before <paramref name="now"/> (UTC), earliest first, with
    /// their away day and logged break flags: one query on the due-time index.
    /// </summary>
    Task<IReadOnlyList<DueReminder>> GetDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Claims due occurrences by moving each reminder on to its next one, in one transaction. A reminder whose
    /// next occurrence another instance already moved is not claimed. For each claimed one with a
    /// <see cref="ReminderAdvance.SendDrillId"/>, a sent-reminder row (unique per person and day) is created with that
    /// drill; returns those rows (a day that had one already is left out: at most one per day).
    /// </summary>
    Task<IReadOnlyList<SentReminder>> AdvanceAsync(
        IReadOnlyList<ReminderAdvance> advances,
        CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> sent-reminder rows due in the last <paramref name="window"/> (from
    /// <paramref name="now"/> − window to now, UTC), earliest first, whose DM (ledger key
    /// <paramref name="keyPrefix"/> + id) is neither sent nor refused and whose claim is free (never taken, released,
    /// lease over, or its holder dead); left out: a person who since logged a break or an away day for that day, or
    /// turned the reminder off. One query on the sends' due-time index.
    /// </summary>
    Task<IReadOnlyList<SentReminder>> GetUnsentAsync(DateTimeOffset now, TimeSpan window, string keyPrefix, int limit, CancellationToken cancellationToken);

    /// <summary>A sent reminder by id, or null.</summary>
    Task<SentReminder?> GetSentAsync(long id, CancellationToken cancellationToken);
}

/// <summary>
/// One claim of <see cref="IReminderStore.AdvanceAsync"/>: the due occurrence seen, the next one, and the drill to
/// send (null: skip this occurrence, e.g. a day off, an away day, a break already logged, too late).
/// </summary>
public sealed record ReminderAdvance(ReminderSetting Due, DateOnly NextDay, DateTimeOffset NextDueAt, string? SendDrillId);
