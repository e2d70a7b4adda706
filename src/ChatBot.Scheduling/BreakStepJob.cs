using System.Diagnostics;
using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// Posts one step of a break (0 = the prompt, 1..n = cues in its thread) and schedules the next step about
/// <c>Breaks:CueInterval</c> later, on the break's beat (see <see cref="NextDelay"/>). Safe to run any number of times: <see cref="BreakPoster"/> claims each
/// post in the bot's database first, so a re-run finds the step posted and only makes sure the chain goes on.
/// </summary>
public sealed partial class BreakStepJob(
    BreakPoster poster,
    IBreakStore breaks,
    IBackgroundJobClient jobs,
    JobStorage storage,
    IOptions<BreaksOptions> options,
    TimeProvider clock,
    ILogger<BreakStepJob> logger)
{
    /// <summary>Posts step <paramref name="step"/> of the break (once, however often it runs) and schedules the next.</summary>
    /// <exception cref="StepHeldException">
    /// Another instance is posting the step right now, or (a cue) the prompt is not posted yet; Hangfire retries the job.
    /// </exception>
    public async Task RunAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag("chatbot.break.id", breakId).SetTag("chatbot.break.step", step);
        var result = await poster.PostStepAsync(breakId, step, cancellationToken);
        switch (result.Status)
        {
            case StepStatus.NoSuchStep:
                LogNoSuchStep(logger, breakId, step);
                return;
            case StepStatus.Refused:
                // Retrying cannot help (no access to the channel, no adapter). BreakPoster logged the refusal once
                // and put it on the break; every later run of its steps (a re-run, the safety net) ends here quietly.
                LogRefused(logger, breakId, step);
                return;
            case StepStatus.HeldElsewhere:
                // Another instance holds a live claim and may be posting right now (runs in this process take turns
                // in BreakPoster), or this is a cue whose prompt is not out yet. Fail, so Hangfire retries after a
                // back-off; by then their post is recorded (we then do nothing) or their claim has lapsed.
                throw new StepHeldException(breakId, step, result.RetryAfter);
            case StepStatus.AlreadyPosted when result.HasNextStep
                && await breaks.GetPostedMessageIdAsync(breakId, step + 1, cancellationToken) is not null:
                // A re-run of a step whose chain visibly went on: nothing to do.
                return;
        }

        if (result.HasNextStep)
        {
            await ScheduleNextAsync(breakId, step, cancellationToken);
        }
    }

    /// <summary>
    /// Schedules the step after <paramref name="step"/> (which is posted) on the break's beat, unless it is posted
    /// or a run scheduled it before: for a slot job that posts many prompts first and goes on with their threads after.
    /// </summary>
    internal async Task ScheduleNextOnceAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        if (await breaks.GetPostedMessageIdAsync(breakId, step + 1, cancellationToken) is null)
        {
            await ScheduleNextAsync(breakId, step, cancellationToken);
        }
    }

    private async Task ScheduleNextAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        var next = step + 1;
        var brk = await breaks.GetAsync(breakId, cancellationToken);
        var delay = NextDelay(brk?.StartedAt ?? clock.GetUtcNow(), next, clock.GetUtcNow(), options.Value.CueInterval);
        ScheduleNextOnce(breakId, next, delay);
    }

    /// <summary>
    /// Schedules the next step unless a run of this step did so before (a re-run after a crash, the prompt's
    /// safety net): the chain's job ids are kept in a Hangfire hash, written under a per-break lock (Hangfire's distributed lock:
    /// shared by the instances on PostgreSQL, held in the process on the SQLite job file), so re-runs do not multiply the jobs of a thread. The posts themselves are
    /// kept single by the claims regardless.
    /// </summary>
    private void ScheduleNextOnce(long breakId, int next, TimeSpan delay)
    {
        var key = "break-chain:" + breakId.ToString(CultureInfo.InvariantCulture);
        var field = "step-" + next.ToString(CultureInfo.InvariantCulture);
        using var connection = storage.GetConnection();
        using var chainLock = connection.AcquireDistributedLock(key + ":lock", TimeSpan.FromSeconds(30));
        if (connection.GetAllEntriesFromHash(key) is { } chain && chain.ContainsKey(field))
        {
            LogAlreadyScheduled(logger, breakId, next);
            return;
        }

        var jobId = jobs.Schedule<BreakStepJob>(j => j.RunAsync(breakId, next, CancellationToken.None), delay);
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(key, [new KeyValuePair<string, string>(field, jobId)]);
        if (transaction is JobStorageTransaction expiring)
        {
            expiring.ExpireHash(key, TimeSpan.FromDays(2));
        }

        transaction.Commit();
        LogScheduledNext(logger, breakId, next, delay);
    }

    /// <summary>
    /// When the next cue is due: on the break's own beat (start + step × interval), so polling and platform
    /// latency do not add up along the thread; never sooner than three quarters of an interval after the
    /// previous post (a thread resumed after downtime keeps a readable pace), never later than a whole one.
    /// </summary>
    internal static TimeSpan NextDelay(DateTimeOffset startedAt, int nextStep, DateTimeOffset now, TimeSpan interval)
    {
        var onBeat = startedAt + (interval * nextStep) - now;
        var shortest = interval * 0.75;
        return onBeat < shortest ? shortest : onBeat > interval ? interval : onBeat;
    }

    [LoggerMessage(EventId = 3230, Level = LogLevel.Debug, Message = "Break {BreakId}: step {Step} scheduled in {Delay}")]
    private static partial void LogScheduledNext(ILogger logger, long breakId, int step, TimeSpan delay);

    [LoggerMessage(EventId = 3233, Level = LogLevel.Debug, Message = "Break {BreakId}: step {Step} was scheduled by an earlier run; not again")]
    private static partial void LogAlreadyScheduled(ILogger logger, long breakId, int step);

    [LoggerMessage(EventId = 3231, Level = LogLevel.Debug, Message = "Break {BreakId}: step {Step} not posted, the platform refused the break")]
    private static partial void LogRefused(ILogger logger, long breakId, int step);

    [LoggerMessage(EventId = 3232, Level = LogLevel.Warning, Message = "Break {BreakId} has no step {Step} (deleted break or changed drill); nothing posted")]
    private static partial void LogNoSuchStep(ILogger logger, long breakId, int step);
}

/// <summary>A step's post is claimed by a live holder; Hangfire retries the job later.</summary>
public sealed class StepHeldException(long breakId, int step, DateTimeOffset? heldUntil)
    : Exception($"Break {breakId} step {step} is being posted elsewhere (claim held until {heldUntil:O}); retrying later.");
