using System.Diagnostics;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Core.Telemetry;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// The recurring job of one schedule slot. It works out which occurrence it stands for (the latest firing
/// of the slot at or before now, in the channel's zone), skips it when that is longer ago than
/// <c>Breaks:CatchUpWindow</c> (the host was down), and otherwise starts the scheduled break with the
/// occurrence's slot key, so a slot that fires twice (a retry, a re-run after a crash) starts one break.
/// </summary>
public sealed partial class BreakSlotJob(
    IScheduleStore schedules,
    BreakService breaks,
    IBreakStore breakStore,
    IBreakRunner runner,
    TimeProvider clock,
    IOptions<BreaksOptions> options,
    ILogger<BreakSlotJob> logger)
{
    /// <remarks>
    /// Few retries: past <c>Breaks:CatchUpWindow</c> a retry would only log the skip. Hangfire's back-off puts
    /// three attempts within the default 15 minutes.
    /// </remarks>
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(string platform, string teamId, string channelId, string time, CancellationToken cancellationToken)
    {
        if (!Enum.TryParse<ChatPlatform>(platform, ignoreCase: true, out var chatPlatform) || !SlotTime.TryParseCompact(time, out var at))
        {
            LogBadArguments(logger, platform, time);
            return;
        }

        var channel = new ChannelKey(chatPlatform, teamId, channelId);
        Activity.Current?.SetTag("chatbot.channel", channel.ToString());
        var outcome = await RunSlotAsync(channel, at, cancellationToken);
        LogOutcome(logger, channel, SlotTime.Format(at), outcome);
    }

    internal async Task<SlotOutcome> RunSlotAsync(ChannelKey channel, TimeOnly at, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(channel, cancellationToken);
        var slot = schedule.Slots.FirstOrDefault(s => s.Time == at);
        if (slot is null)
        {
            return SlotOutcome.SlotGone;
        }

        var zone = TimeZones.TryFind(schedule.TimeZoneId, out var channelZone) ? channelZone
            : TimeZones.TryFind(options.Value.DefaultTimeZone, out var defaultZone) ? defaultZone
            : TimeZoneInfo.Utc;
        var now = clock.GetUtcNow();
        if (SlotOccurrences.Last(slot, now, zone) is not { } occurrence)
        {
            return SlotOutcome.NotDue;
        }

        var late = now - occurrence;
        var slotKey = slot.SlotKey(SlotOccurrences.LocalDate(occurrence, zone));
        if (late > options.Value.CatchUpWindow)
        {
            LogSkipped(logger, channel, slotKey, late, options.Value.CatchUpWindow);
            return SlotOutcome.SkippedTooLate;
        }

        var (started, created) = await breaks.StartAsync(channel, drillId: null, BreakOrigin.Scheduled, startedBy: null, slotKey, cancellationToken);
        if (created)
        {
            ChatBotTelemetry.ScheduledPromptPosted(channel.Platform, clock.GetUtcNow() - occurrence);
            return SlotOutcome.Started;
        }

        // The slot's break exists: this is a second firing. If an earlier run died between storing the break
        // and handing it to the runner, its prompt was never posted; start it now (claims keep it to one post).
        if (started.Refusal is null
            && await breakStore.GetPostedMessageIdAsync(started.Id, 0, cancellationToken) is null
            && clock.GetUtcNow() - started.StartedAt > UnstartedAfter)
        {
            await runner.StartAsync(started.Id, cancellationToken);
            return SlotOutcome.Resumed;
        }

        return SlotOutcome.AlreadyStarted;
    }

    /// <summary>A stored scheduled break whose prompt is not out this long after it started was never handed on.</summary>
    internal static readonly TimeSpan UnstartedAfter = TimeSpan.FromMinutes(1);

    public enum SlotOutcome
    {
        Started,
        AlreadyStarted,
        Resumed,
        SkippedTooLate,
        SlotGone,
        NotDue,
    }

    [LoggerMessage(EventId = 3220, Level = LogLevel.Warning, Message = "Slot job with bad arguments ({Platform}, {Time}) ignored")]
    private static partial void LogBadArguments(ILogger logger, string platform, string time);

    [LoggerMessage(EventId = 3221, Level = LogLevel.Warning, Message = "Skipped the scheduled break {SlotKey} in {Channel}: it is {Late} late, past the catch-up window of {Window}")]
    private static partial void LogSkipped(ILogger logger, ChannelKey channel, string slotKey, TimeSpan late, TimeSpan window);

    [LoggerMessage(EventId = 3222, Level = LogLevel.Information, Message = "Slot {Time} in {Channel}: {Outcome}")]
    private static partial void LogOutcome(ILogger logger, ChannelKey channel, string time, SlotOutcome outcome);
}
