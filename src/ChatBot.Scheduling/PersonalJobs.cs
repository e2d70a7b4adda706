using System.Diagnostics;
using ChatBot.Core.Personal;
using ChatBot.Core.Ports;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBot.Scheduling;

/// <summary>
/// A snooze's reminder: a Hangfire delayed job, in the durable job store, so a restart in the 10 minutes still sends
/// it (once: <see cref="SnoozeService.SendDueAsync"/> claims the DM in the bot's database). A transient failure or a
/// claim held elsewhere fails the job, and Hangfire retries it.
/// </summary>
public sealed partial class SnoozeJob(SnoozeService snoozes, ILogger<SnoozeJob> logger)
{
    [AutomaticRetry(Attempts = 5, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(long breakId, string userId, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag("chatbot.break.id", breakId);
        var outcome = await snoozes.SendDueAsync(breakId, userId, cancellationToken);
        LogOutcome(logger, breakId, outcome);
    }

    [LoggerMessage(EventId = 3420, Level = LogLevel.Information, Message = "Snooze reminder of break {BreakId}: {Outcome}")]
    private static partial void LogOutcome(ILogger logger, long breakId, SnoozeOutcome outcome);
}

/// <summary>Schedules snooze reminders as Hangfire delayed jobs (<c>BackgroundJob.Schedule</c>).</summary>
internal sealed class HangfireSnoozeScheduler(Lazy<IBackgroundJobClient> jobs) : ISnoozeScheduler
{
    public void Schedule(long breakId, string userId, TimeSpan delay) =>
        jobs.Value.Schedule<SnoozeJob>(j => j.RunAsync(breakId, userId, CancellationToken.None), delay);
}

/// <summary>The daily reminders' pass, run every minute by a recurring job; several instances may run it at once.</summary>
public sealed partial class ReminderPassJob(ReminderService reminders, ILogger<ReminderPassJob> logger)
{
    /// <summary>The recurring job's id.</summary>
    public const string RecurringId = "daily-reminders";

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var result = await reminders.RunPassAsync(cancellationToken);
        if (result.Due > 0 || result.Resent > 0 || result.NotSent > 0)
        {
            LogPass(logger, result.Due, result.Sent, result.Skipped, result.NotSent, result.Resent);
        }
    }

    [LoggerMessage(EventId = 3421, Level = LogLevel.Information, Message = "Daily reminders: {Due} due, {Sent} sent, {Skipped} skipped (day off, away, break logged, too late), {NotSent} not sent, {Resent} failed earlier and resent")]
    private static partial void LogPass(ILogger logger, int due, int sent, int skipped, int notSent, int resent);
}

/// <summary>Registers the every-minute reminder pass with Hangfire as the host starts.</summary>
internal sealed class ReminderPassRegistration(IRecurringJobManager recurringJobs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurringJobs.AddOrUpdate<ReminderPassJob>(ReminderPassJob.RecurringId, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
