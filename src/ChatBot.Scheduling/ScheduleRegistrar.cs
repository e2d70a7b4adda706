using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Digests;
using ChatBot.Core.Schedules;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// Mirrors the stored schedules into Hangfire: one recurring job per distinct slot (zone, time and days: it starts
/// the break of every channel scheduled then, see <see cref="BreakSlotJob"/>), and one
/// for the weekly digest of every channel that has slots (unless its digest is off), added,
/// updated and removed so Hangfire holds exactly what the bot's database holds. Runs at start for everything
/// and after every <c>/drill schedule</c> change for that channel. Syncs are serialised so two quick changes
/// cannot leave the older one in place.
/// </summary>
public sealed partial class ScheduleRegistrar(
    IServiceScopeFactory scopes,
    IRecurringJobManager recurringJobs,
    JobStorage storage,
    IOptions<BreaksOptions> breaks,
    ILogger<ScheduleRegistrar> logger) : IScheduleSync, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>
    /// After a change to one channel: brings every slot job in line (a slot job serves all channels scheduled at
    /// its time, so the channel's old one may now be unused and a new one needed) and the channel's digest job.
    /// </summary>
    public async Task SyncChannelAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            IReadOnlyList<ChannelSchedule> schedules;
            Dictionary<ChannelKey, DigestSetting> digests;
            await using (var scope = scopes.CreateAsyncScope())
            {
                schedules = await scope.ServiceProvider.GetRequiredService<IScheduleStore>().ListAllAsync(cancellationToken);
                var schedule = schedules.FirstOrDefault(s => s.Channel == channel) ?? new ChannelSchedule(channel, null, []);
                digests = await DigestSettingsAsync(scope.ServiceProvider, [schedule], cancellationToken);
            }

            var digestId = RecurringDigestJobs.Id(channel);
            Apply(schedules, digests, ExistingJobIds().Where(id => RecurringSlotJobs.IsSlotJob(id) || id == digestId));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Brings every slot and digest job in line with the database; removes jobs of slots that are gone.</summary>
    public async Task SyncAllAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            IReadOnlyList<ChannelSchedule> schedules;
            Dictionary<ChannelKey, DigestSetting> digests;
            await using (var scope = scopes.CreateAsyncScope())
            {
                schedules = await scope.ServiceProvider.GetRequiredService<IScheduleStore>().ListAllAsync(cancellationToken);
                digests = await DigestSettingsAsync(scope.ServiceProvider, schedules, cancellationToken);
            }

            Apply(schedules, digests, ExistingJobIds());
            LogSynced(logger, schedules.Sum(s => s.Slots.Count), schedules.Count);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private static async Task<Dictionary<ChannelKey, DigestSetting>> DigestSettingsAsync(
        IServiceProvider services, IReadOnlyList<ChannelSchedule> schedules, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<IDigestStore>();
        var settings = new Dictionary<ChannelKey, DigestSetting>();
        foreach (var schedule in schedules.Where(s => s.Slots.Count > 0))
        {
            settings[schedule.Channel] = await store.GetSettingAsync(schedule.Channel, cancellationToken);
        }

        return settings;
    }

    /// <summary>
    /// Adds or updates the digest jobs of <paramref name="digests"/>' channels and one slot job per distinct zone,
    /// time and days among all <paramref name="schedules"/>; removes the <paramref name="existing"/> ones not wanted.
    /// </summary>
    private void Apply(IReadOnlyList<ChannelSchedule> schedules, Dictionary<ChannelKey, DigestSetting> digests, IEnumerable<string> existing)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var schedule in schedules)
        {
            var zone = ZoneOf(schedule);
            if (digests.TryGetValue(schedule.Channel, out var digest) && digest.Effective(breaks.Value.WorkdaySet) is { } at)
            {
                var id = RecurringDigestJobs.Id(schedule.Channel);
                wanted.Add(id);
                var channel = schedule.Channel;
                recurringJobs.AddOrUpdate<DigestJob>(
                    id,
                    job => job.RunAsync(channel.Platform.ToString(), channel.TeamId, channel.ChannelId, CancellationToken.None),
                    at.Cron,
                    new RecurringJobOptions { TimeZone = zone, MisfireHandling = MisfireHandlingMode.Relaxed });
                LogSlotJob(logger, id, at.Cron, zone.Id);
            }

            foreach (var slot in schedule.Slots)
            {
                var id = RecurringSlotJobs.Id(zone, slot.Time, slot.Days);
                if (!wanted.Add(id))
                {
                    continue;
                }

                var zoneId = zone.Id;
                var time = SlotTime.Compact(slot.Time);
                var days = (int)slot.Days;
                recurringJobs.AddOrUpdate<BreakSlotJob>(
                    id,
                    job => job.RunAllAsync(zoneId, time, days, CancellationToken.None),
                    slot.Cron,
                    new RecurringJobOptions { TimeZone = zone, MisfireHandling = MisfireHandlingMode.Relaxed });
                LogSlotJob(logger, id, slot.Cron, zone.Id);
            }
        }

        foreach (var stale in existing.Where(id => !wanted.Contains(id)))
        {
            recurringJobs.RemoveIfExists(stale);
            LogRemoved(logger, stale);
        }
    }

    private TimeZoneInfo ZoneOf(ChannelSchedule schedule)
    {
        if (TimeZones.TryFind(schedule.TimeZoneId, out var zone))
        {
            return zone;
        }

        if (schedule.TimeZoneId is not null)
        {
            LogBadZone(logger, schedule.Channel, schedule.TimeZoneId);
        }

        return breaks.Value.DefaultZone;
    }

    private List<string> ExistingJobIds()
    {
        using var connection = storage.GetConnection();
        return connection.GetAllItemsFromSet("recurring-jobs")
            .Where(id => RecurringSlotJobs.IsSlotJob(id) || id.StartsWith(RecurringDigestJobs.Prefix, StringComparison.Ordinal))
            .ToList();
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Synced {Slots} schedule slot(s) in {Channels} channel(s) to recurring jobs")]
    private static partial void LogSynced(ILogger logger, int slots, int channels);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Debug, Message = "Recurring job {JobId}: {Cron} in {Zone}")]
    private static partial void LogSlotJob(ILogger logger, string jobId, string cron, string zone);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Removed recurring job {JobId}: its slot (or digest) is gone")]
    private static partial void LogRemoved(ILogger logger, string jobId);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning, Message = "Channel {Channel} has an unknown time zone '{Zone}'; its slots use the default zone")]
    private static partial void LogBadZone(ILogger logger, ChannelKey channel, string zone);
}
