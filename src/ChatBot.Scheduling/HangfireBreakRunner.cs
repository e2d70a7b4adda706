using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// Runs a break as a chain of Hangfire jobs: the prompt now, each cue a delayed job, all in the durable job
/// store, so a restart picks the thread up where it stopped. The prompt is posted inline (it shows before the
/// command's reply, and a scheduled break does not wait for another queue poll), after a durable safety net
/// is in place: a step-0 job due once the first cue should be out, which finds everything posted and does
/// nothing, unless this process died mid-post, in which case it posts the prompt and carries the thread on.
/// Inside <see cref="PromptsOnly"/> (a slot job starting the breaks of many channels) it posts the prompt and
/// nothing more: the slot job schedules the threads once every prompt is out, and is their safety net itself (a
/// slot job that dies is run again, and finds each channel's break and what is missing).
/// The Hangfire client and storage come lazily (see <c>AddChatBotScheduling</c>): the command handler depends on
/// this runner, and a command that starts no break must not wait for the job storage to open.
/// </summary>
public sealed partial class HangfireBreakRunner(
    Lazy<IBackgroundJobClient> jobs,
    Lazy<JobStorage> storage,
    TimeProvider clock,
    IServiceScopeFactory scopes,
    IOptions<BreaksOptions> options,
    IOptions<SchedulingOptions> scheduling,
    ILogger<HangfireBreakRunner> logger) : IBreakRunner
{
    private static readonly AsyncLocal<bool> OnlyPrompts = new();

    /// <summary>
    /// Until disposed, breaks started in this async flow get their prompt posted, with no safety-net job and no
    /// thread: the caller goes on with each posted prompt's thread (<see cref="BreakStepJob.ScheduleNextOnceAsync"/>).
    /// A prompt that can't be posted right away is handed to a job as always, which carries its thread on.
    /// </summary>
    internal static IDisposable PromptsOnly()
    {
        OnlyPrompts.Value = true;
        return new EndPromptsOnly();
    }

    public async Task StartAsync(long breakId, CancellationToken cancellationToken)
    {
        var promptOnly = OnlyPrompts.Value;
        if (!promptOnly)
        {
            jobs.Value.Schedule<BreakStepJob>(j => j.RunAsync(breakId, 0, CancellationToken.None), options.Value.CueInterval + scheduling.Value.PromptSafetyNet);
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (!promptOnly)
            {
                await scope.ServiceProvider.GetRequiredService<BreakStepJob>().RunAsync(breakId, 0, cancellationToken);
            }
            else if (await scope.ServiceProvider.GetRequiredService<BreakPoster>().PostStepAsync(breakId, 0, cancellationToken) is { Status: StepStatus.HeldElsewhere } held)
            {
                throw new StepHeldException(breakId, 0, held.RetryAfter);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The platform hiccupped or another worker holds the claim: let Hangfire retry it with back-off.
            LogHandedOver(logger, exception, breakId);
            jobs.Value.Enqueue<BreakStepJob>(j => j.RunAsync(breakId, 0, CancellationToken.None));
        }
    }

    /// <summary>
    /// Idle when no break started in the last <see cref="IdleLookBack"/> is still unfinished in the bot's database
    /// (its last step posted, or refused for good) and Hangfire has nothing enqueued or processing and no cue step
    /// scheduled, seen on several polls in a row. The database is what decides: a job a worker has just fetched
    /// shows up in none of Hangfire's counts for a moment, which on a busy machine can outlast a few polls. A
    /// prompt's safety-net job (step 0, due a minute after the first cue) is not a thread in progress, so it is
    /// not waited for.
    /// </summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        const int quietPollsNeeded = 3;
        var monitor = storage.Value.GetMonitoringApi();
        for (var quietPolls = 0; quietPolls < quietPollsNeeded;)
        {
            var busy = await AnyUnfinishedBreakAsync(cancellationToken)
                || monitor.ProcessingCount() > 0
                || monitor.Queues().Any(queue => queue.Length > 0)
                || monitor.ScheduledJobs(0, int.MaxValue).Any(job => IsCueStep(job.Value.Job));
            quietPolls = busy ? 0 : quietPolls + 1;
            await Task.Delay(TimeSpan.FromMilliseconds(250), clock, cancellationToken);
        }
    }

    /// <summary>How far back <see cref="WhenIdleAsync"/> looks for unfinished breaks (a thread lasts minutes).</summary>
    private static readonly TimeSpan IdleLookBack = TimeSpan.FromHours(1);

    private async Task<bool> AnyUnfinishedBreakAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IBreakStore>();
        return (await store.GetUnfinishedAsync(clock.GetUtcNow() - IdleLookBack, cancellationToken)).Count > 0;
    }

    private static bool IsCueStep(Hangfire.Common.Job? job) =>
        job is not null && job.Type == typeof(BreakStepJob) && job.Args.Count > 1 && job.Args[1] is int step && step > 0;

    private sealed class EndPromptsOnly : IDisposable
    {
        public void Dispose() => OnlyPrompts.Value = false;
    }

    [LoggerMessage(EventId = 3240, Level = LogLevel.Warning, Message = "Break {BreakId}: the prompt could not be posted right away; a job will retry it")]
    private static partial void LogHandedOver(ILogger logger, Exception exception, long breakId);
}
