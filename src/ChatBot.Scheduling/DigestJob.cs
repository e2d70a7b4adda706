using ChatBot.Core;
using ChatBot.Core.Digests;
using ChatBot.Core.Schedules;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// The recurring job of a channel's weekly digest. It finds the occurrence it stands for (the latest firing of
/// the channel's digest slot at or before now, in the channel's zone), skips it when that is longer ago than
/// <c>Breaks:CatchUpWindow</c>, and otherwise posts the digest of the week that contains it. The post is claimed
/// per channel and week in the bot's database, so a job that runs twice posts once.
/// </summary>
public sealed partial class DigestJob(
    IScheduleStore schedules,
    IDigestStore digests,
    DigestService digestService,
    TimeProvider clock,
    IOptions<BreaksOptions> options,
    ILogger<DigestJob> logger)
{
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(string platform, string teamId, string channelId, CancellationToken cancellationToken)
    {
        if (!Enum.TryParse<ChatPlatform>(platform, ignoreCase: true, out var chatPlatform))
        {
            LogBadArguments(logger, platform);
            return;
        }

        var channel = new ChannelKey(chatPlatform, teamId, channelId);
        var outcome = await RunDigestAsync(channel, cancellationToken);
        LogOutcome(logger, channel, outcome);
    }

    internal async Task<DigestOutcome> RunDigestAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(channel, cancellationToken);
        if (schedule.Slots.Count == 0)
        {
            return DigestOutcome.NoSchedule;
        }

        var setting = await digests.GetSettingAsync(channel, cancellationToken);
        if (setting.Effective(options.Value.WorkdaySet) is not { } slot)
        {
            return DigestOutcome.Off;
        }

        var zone = options.Value.ZoneOf(schedule.TimeZoneId);
        var now = clock.GetUtcNow();
        if (SlotOccurrences.Last(slot.AsSlot(channel), now, zone) is not { } occurrence)
        {
            return DigestOutcome.NotDue;
        }

        var period = DigestPeriod.Containing(DigestPeriodKind.Week, SlotOccurrences.LocalDate(occurrence, zone));
        if (now - occurrence > options.Value.CatchUpWindow)
        {
            LogSkipped(logger, channel, period.Key, now - occurrence, options.Value.CatchUpWindow);
            return DigestOutcome.SkippedTooLate;
        }

        return await digestService.PostScheduledAsync(channel, period, cancellationToken) ? DigestOutcome.Posted : DigestOutcome.AlreadyPosted;
    }

    public enum DigestOutcome
    {
        Posted,
        AlreadyPosted,
        SkippedTooLate,
        NotDue,
        Off,
        NoSchedule,
    }

    [LoggerMessage(EventId = 3260, Level = LogLevel.Warning, Message = "Digest job with a bad platform ({Platform}) ignored")]
    private static partial void LogBadArguments(ILogger logger, string platform);

    [LoggerMessage(EventId = 3261, Level = LogLevel.Warning, Message = "Skipped the weekly digest {PeriodKey} of {Channel}: it is {Late} late, past the catch-up window of {Window}")]
    private static partial void LogSkipped(ILogger logger, ChannelKey channel, string periodKey, TimeSpan late, TimeSpan window);

    [LoggerMessage(EventId = 3262, Level = LogLevel.Information, Message = "Weekly digest of {Channel}: {Outcome}")]
    private static partial void LogOutcome(ILogger logger, ChannelKey channel, DigestOutcome outcome);
}
