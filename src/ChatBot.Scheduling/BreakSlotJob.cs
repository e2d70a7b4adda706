using System.Collections.Concurrent;
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
/// The recurring job of one distinct slot (a time zone, a clock time, some days; see <see cref="RecurringSlotJobs"/>):
/// it starts the scheduled break of every channel whose schedule has that slot, up to
/// <c>Scheduling:WorkerCount</c> channels at once in this process. For each channel it works out which
/// occurrence the run stands for (the latest firing of the slot at or before now, in the channel's zone), skips
/// it when that is longer ago than <c>Breaks:CatchUpWindow</c> (the host was down), and otherwise starts the
/// break with the occurrence's slot key, which the bot's database keeps unique per channel: a slot that fires
/// twice (a retry, a re-run after a crash, a second instance) starts one break per channel.
/// </summary>
public sealed partial class BreakSlotJob(
    IScheduleStore schedules,
    BreakService breaks,
    IBreakStore breakStore,
    IBreakRunner runner,
    TimeProvider clock,
    IOptions<BreaksOptions> options,
    IOptions<SchedulingOptions> scheduling,
    BreakStepJob steps,
    ILogger<BreakSlotJob> logger)
{
    /// <summary>Starts the slot's break in every channel scheduled at <paramref name="time"/> on <paramref name="days"/> in the zone.</summary>
    /// <param name="timeZoneId">The IANA id of the channels' effective zone (their own, else <c>Breaks:DefaultTimeZone</c>).</param>
    /// <param name="time">The local clock time, <c>HHmm</c>.</param>
    /// <param name="days">The slot's days, a <see cref="ScheduleDays"/> value.</param>
    /// <exception cref="AggregateException">Some channels failed (database or scheduler errors); Hangfire retries the
    /// job, and the channels already started find their break and post nothing again.</exception>
    /// <remarks>
    /// Few retries: past <c>Breaks:CatchUpWindow</c> a retry would only log the skip. Hangfire's back-off puts
    /// three attempts within the default 15 minutes.
    /// </remarks>
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAllAsync(string timeZoneId, string time, int days, CancellationToken cancellationToken)
    {
        if (!TimeZones.TryFind(timeZoneId, out var zone) || !SlotTime.TryParseCompact(time, out var at) || (ScheduleDays)days == ScheduleDays.None)
        {
            LogBadArguments(logger, timeZoneId, time);
            return;
        }

        var due = (await schedules.ListAllAsync(cancellationToken))
            .Where(schedule => ZoneOf(schedule).Id == zone.Id)
            .SelectMany(schedule => schedule.Slots.Where(slot => slot.Time == at && slot.Days == (ScheduleDays)days))
            .ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = scheduling.Value.WorkerCount, CancellationToken = cancellationToken };
        var failures = new ConcurrentQueue<Exception>();

        // First every channel's prompt (what people see at the slot time), then the threads (their first cue is a
        // cue interval away): scheduling a thread's jobs costs more job-storage writes than posting its prompt.
        var threads = new ConcurrentQueue<PromptPosted>();
        using (HangfireBreakRunner.PromptsOnly())
        {
            await Parallel.ForEachAsync(due, parallel, async (slot, token) =>
            {
                using var span = JobTracingFilter.StartSlotSpan(slot.Channel);
                try
                {
                    var outcome = await RunSlotAsync(slot, zone, threads, token);
                    LogOutcome(logger, slot.Channel, SlotTime.Format(at), outcome);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    span?.Failed(exception);
                    LogFailed(logger, exception, slot.Channel, SlotTime.Format(at));
                    failures.Enqueue(exception);
                }
            });
        }

        await Parallel.ForEachAsync(threads, parallel, async (thread, token) =>
        {
            using var span = JobTracingFilter.StartSlotSpan(thread.Channel, thread.Origin);
            try
            {
                await steps.ScheduleNextOnceAsync(thread.BreakId, 0, token);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !token.IsCancellationRequested)
            {
                span?.Failed(exception);
                LogFailed(logger, exception, thread.Channel, SlotTime.Format(at));
                failures.Enqueue(exception);
            }
        });
        if (!failures.IsEmpty)
        {
            throw new AggregateException($"The slot {SlotTime.Format(at)} in {zone.Id} failed {failures.Count} time(s) in {due.Count} channel(s); a retry does what is missing.", failures);
        }
    }

    /// <summary>The per-channel slot job of earlier versions, still in the job storage after an upgrade.</summary>
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

    /// <summary>One channel's slot on its own, the break's thread included (the per-channel job of earlier versions).</summary>
    internal async Task<SlotOutcome> RunSlotAsync(ChannelKey channel, TimeOnly at, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(channel, cancellationToken);
        var slot = schedule.Slots.FirstOrDefault(s => s.Time == at);
        return slot is null ? SlotOutcome.SlotGone : await RunSlotAsync(slot, ZoneOf(schedule), threads: null, cancellationToken);
    }

    /// <summary>The zone a channel's slots fire in: its own, else <c>Breaks:DefaultTimeZone</c>, else UTC.</summary>
    internal TimeZoneInfo ZoneOf(ChannelSchedule schedule) => options.Value.ZoneOf(schedule.TimeZoneId);

    /// <param name="threads">
    /// Null: the runner posts the prompt and goes on with the thread. Otherwise the runner posts only prompts
    /// (<see cref="HangfireBreakRunner.PromptsOnly"/>), and every break of this slot whose prompt is out is added
    /// here for the caller to go on with its thread, also one an earlier run started (a re-run after a crash).
    /// </param>
    private async Task<SlotOutcome> RunSlotAsync(ScheduleSlot slot, TimeZoneInfo zone, ConcurrentQueue<PromptPosted>? threads, CancellationToken cancellationToken)
    {
        var channel = slot.Channel;
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

        var start = await breaks.StartAsync(channel, drillId: null, BreakOrigin.Scheduled, startedBy: null, slotKey, cancellationToken);
        var started = start.Break;
        var outcome = SlotOutcome.AlreadyStarted;
        if (start.Started)
        {
            ChatBotTelemetry.ScheduledPromptPosted(channel.Platform, clock.GetUtcNow() - occurrence);
            outcome = SlotOutcome.Started;
        }
        else if (started.Refusal is null
            && start.Prompt == PromptState.Pending
            && clock.GetUtcNow() - started.StartedAt > UnstartedAfter)
        {
            // The slot's break exists: this is a second firing. An earlier run died between storing the break and
            // handing it to the runner, so its prompt was never posted; start it now (claims keep it to one post).
            await runner.StartAsync(started.Id, cancellationToken);
            outcome = SlotOutcome.Resumed;
        }

        if (threads is not null
            && (start.Prompt == PromptState.Posted || (outcome == SlotOutcome.Resumed && await breakStore.GetPostedMessageIdAsync(started.Id, 0, cancellationToken) is not null)))
        {
            threads.Enqueue(new PromptPosted(started.Id, channel, Activity.Current?.Id));
        }

        return outcome;
    }

    /// <summary>A break whose prompt is out and whose thread is to go on; <paramref name="Origin"/>: the span its jobs link to.</summary>
    private sealed record PromptPosted(long BreakId, ChannelKey Channel, string? Origin);

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

    [LoggerMessage(EventId = 3220, Level = LogLevel.Warning, Message = "Slot job with bad arguments ({Where}, {Time}) ignored")]
    private static partial void LogBadArguments(ILogger logger, string where, string time);

    [LoggerMessage(EventId = 3223, Level = LogLevel.Warning, Message = "Slot {Time} in {Channel} failed; the slot job will be retried")]
    private static partial void LogFailed(ILogger logger, Exception exception, ChannelKey channel, string time);

    [LoggerMessage(EventId = 3221, Level = LogLevel.Warning, Message = "Skipped the scheduled break {SlotKey} in {Channel}: it is {Late} late, past the catch-up window of {Window}")]
    private static partial void LogSkipped(ILogger logger, ChannelKey channel, string slotKey, TimeSpan late, TimeSpan window);

    [LoggerMessage(EventId = 3222, Level = LogLevel.Information, Message = "Slot {Time} in {Channel}: {Outcome}")]
    private static partial void LogOutcome(ILogger logger, ChannelKey channel, string time, SlotOutcome outcome);
}
