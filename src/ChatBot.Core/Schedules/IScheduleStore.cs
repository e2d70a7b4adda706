namespace ChatBot.Core.Schedules;

/// <summary>
/// Channel schedules in the bot's database. A channel's zone lives in one place (the channel's row, the same
/// one <see cref="Ports.IChannelStore.GetTimeZoneAsync"/> reads); slots are unique per (channel, time).
/// </summary>
public interface IScheduleStore
{
    /// <summary>The channel's zone and slots (empty when it has none).</summary>
    Task<ChannelSchedule> GetAsync(ChannelKey channel, CancellationToken cancellationToken);

    /// <summary>Every channel that has at least one slot.</summary>
    Task<IReadOnlyList<ChannelSchedule>> ListAllAsync(CancellationToken cancellationToken);

    /// <summary>Adds the slot, or changes the days of the slot at that time. Returns what was there before.</summary>
    Task<ScheduleSlot?> UpsertSlotAsync(ScheduleSlot slot, CancellationToken cancellationToken);

    /// <summary>Removes the slot at that time; false if there was none.</summary>
    Task<bool> RemoveSlotAsync(ChannelKey channel, TimeOnly time, CancellationToken cancellationToken);

    /// <summary>Sets the channel's schedule time zone (an IANA id), creating the channel's row if needed.</summary>
    Task SetTimeZoneAsync(ChannelKey channel, string timeZoneId, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a schedule from configuration, unless this exact entry (by <paramref name="fingerprint"/>) was
    /// applied before: then changes made in chat since are kept. Applying replaces the channel's slots and
    /// sets its zone (when given). Returns whether it applied.
    /// </summary>
    Task<bool> ApplySeedAsync(
        ChannelKey channel,
        string? timeZoneId,
        IReadOnlyList<ScheduleSlot> slots,
        string fingerprint,
        CancellationToken cancellationToken);
}

/// <summary>
/// Mirrors stored schedules into the scheduler. The schedule commands call it after every change; the
/// scheduling project implements it with Hangfire recurring jobs.
/// </summary>
public interface IScheduleSync
{
    Task SyncChannelAsync(ChannelKey channel, CancellationToken cancellationToken);
}
