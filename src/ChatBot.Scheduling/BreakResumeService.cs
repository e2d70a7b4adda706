using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Drills;
using ChatBot.Core.Ports;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// At start, carries on every break whose thread a dead process left unfinished, without waiting for Hangfire
/// to notice: a job the dead process had fetched comes back only after <see cref="SchedulingOptions.InvisibilityTimeout"/>
/// (minutes). For each unfinished break (see <see cref="IBreakStore.GetUnfinishedAsync"/>) the next step is
/// enqueued now, or scheduled on the thread's usual pace after its last post, unless that step's chain job
/// is already scheduled and will come on its own. Steps are idempotent (post claims), so the late return of
/// the dead process's job finds the step posted and does nothing; the dead process's claims are free at once
/// (its instance is known dead, see <see cref="BotInstance"/>).
/// </summary>
internal sealed partial class BreakResumeService(
    IBreakStore breaks,
    DrillCatalog catalog,
    IBackgroundJobClient jobs,
    JobStorage storage,
    IOptions<BreaksOptions> options,
    TimeProvider clock,
    ILogger<BreakResumeService> logger) : IHostedService
{
    /// <summary>Breaks started longer ago than this are not looked at (their thread is long stale).</summary>
    internal static readonly TimeSpan ResumeWindow = UnfinishedBreak.ResumeWindow;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var resumed = 0;
        foreach (var open in await breaks.GetUnfinishedAsync(now - ResumeWindow, cancellationToken))
        {
            var breakId = open.Break.Id;
            if (!catalog.TryFind(open.Break.DrillId, out var drill) || open.NextStep >= BreakContent.StepCount(drill))
            {
                // Every step is out (the end was not recorded before the crash), or the drill is gone.
                await breaks.RecordFinishedAsync(breakId, now, cancellationToken);
                continue;
            }

            if (open.NextStep > 0 && ChainJobScheduled(breakId, open.NextStep))
            {
                continue;
            }

            var delay = ResumeDelay(open, now, options.Value.CueInterval);
            var step = open.NextStep;
            if (delay <= TimeSpan.Zero)
            {
                jobs.Enqueue<BreakStepJob>(j => j.RunAsync(breakId, step, CancellationToken.None));
            }
            else
            {
                jobs.Schedule<BreakStepJob>(j => j.RunAsync(breakId, step, CancellationToken.None), delay);
            }

            resumed++;
            LogResumed(logger, breakId, step, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }

        if (resumed > 0)
        {
            LogSummary(logger, resumed);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// When the next step is due: the prompt (or a step whose predecessor's time is unknown) at once; a cue on the
    /// pace <see cref="BreakStepJob.NextDelay"/> gives it after the last post, so a step that was in flight when
    /// the process died goes out at once and one that was waiting keeps its beat.
    /// </summary>
    internal static TimeSpan ResumeDelay(UnfinishedBreak open, DateTimeOffset now, TimeSpan interval)
    {
        if (open.NextStep == 0 || open.LastPostedAt is not { } last)
        {
            return TimeSpan.Zero;
        }

        var due = last + BreakStepJob.NextDelay(open.Break.StartedAt, open.NextStep, last, interval);
        return due - now;
    }

    /// <summary>The step's chain job (see <see cref="BreakStepJob"/>) is in Hangfire's scheduled set: it runs on its own, on the thread's beat.</summary>
    private bool ChainJobScheduled(long breakId, int step)
    {
        using var connection = storage.GetConnection();
        var chain = connection.GetAllEntriesFromHash("break-chain:" + breakId.ToString(CultureInfo.InvariantCulture));
        return chain is not null
            && chain.TryGetValue("step-" + step.ToString(CultureInfo.InvariantCulture), out var jobId)
            && connection.GetJobData(jobId)?.State == ScheduledState.StateName;
    }

    [LoggerMessage(EventId = 3250, Level = LogLevel.Information, Message = "Break {BreakId}: carrying on after a restart with step {Step} in {Delay}")]
    private static partial void LogResumed(ILogger logger, long breakId, int step, TimeSpan delay);

    [LoggerMessage(EventId = 3251, Level = LogLevel.Information, Message = "{Count} unfinished break(s) carried on after the restart")]
    private static partial void LogSummary(ILogger logger, int count);
}
