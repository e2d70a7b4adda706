using ChatBot.Core;
using ChatBot.Core.Schedules;

namespace ChatBot.Scheduling.Tests.Fakes;

/// <summary>A schedule store kept in a dictionary, for command and registrar tests (the SQLite one has its own tests).</summary>
internal sealed class InMemoryScheduleStore : IScheduleStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<ChannelKey, string?> zones = [];
    private readonly Dictionary<ChannelKey, SortedDictionary<TimeOnly, ScheduleSlot>> slots = [];
    private readonly Dictionary<ChannelKey, string> seeds = [];

    public Task<ChannelSchedule> GetAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(Snapshot(channel));
        }
    }

    public Task<IReadOnlyList<ChannelSchedule>> ListAllAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            IReadOnlyList<ChannelSchedule> all = slots.Where(p => p.Value.Count > 0).Select(p => Snapshot(p.Key)).ToList();
            return Task.FromResult(all);
        }
    }

    public Task<ScheduleSlot?> UpsertSlotAsync(ScheduleSlot slot, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var channelSlots = Slots(slot.Channel);
            channelSlots.TryGetValue(slot.Time, out var previous);
            channelSlots[slot.Time] = slot;
            return Task.FromResult(previous);
        }
    }

    public Task<bool> RemoveSlotAsync(ChannelKey channel, TimeOnly time, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(Slots(channel).Remove(time));
        }
    }

    public Task SetTimeZoneAsync(ChannelKey channel, string timeZoneId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            zones[channel] = timeZoneId;
            return Task.CompletedTask;
        }
    }

    public Task<bool> ApplySeedAsync(ChannelKey channel, string? timeZoneId, IReadOnlyList<ScheduleSlot> seedSlots, string fingerprint, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (seeds.TryGetValue(channel, out var applied) && applied == fingerprint)
            {
                return Task.FromResult(false);
            }

            seeds[channel] = fingerprint;
            var channelSlots = Slots(channel);
            channelSlots.Clear();
            foreach (var slot in seedSlots)
            {
                channelSlots[slot.Time] = slot;
            }

            if (timeZoneId is not null)
            {
                zones[channel] = timeZoneId;
            }

            return Task.FromResult(true);
        }
    }

    private SortedDictionary<TimeOnly, ScheduleSlot> Slots(ChannelKey channel)
    {
        if (!slots.TryGetValue(channel, out var channelSlots))
        {
            slots[channel] = channelSlots = [];
        }

        return channelSlots;
    }

    private ChannelSchedule Snapshot(ChannelKey channel) =>
        new(channel, zones.GetValueOrDefault(channel), Slots(channel).Values.ToList());
}

internal sealed class RecordingScheduleSync : IScheduleSync
{
    public List<ChannelKey> Synced { get; } = [];

    public Task SyncChannelAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        lock (Synced)
        {
            Synced.Add(channel);
        }

        return Task.CompletedTask;
    }
}
