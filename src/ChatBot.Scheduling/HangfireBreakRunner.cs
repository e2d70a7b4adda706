using ChatBot.Core.Breaks;
using Hangfire;

namespace ChatBot.Scheduling;

/// <summary>
/// Runs a break as a chain of Hangfire jobs: the prompt now, each cue a delayed job after the previous one,
/// all in the durable job store, so a restart picks the thread up where it stopped.
/// </summary>
public sealed class HangfireBreakRunner(IBackgroundJobClient jobs) : IBreakRunner
{
    public Task StartAsync(long breakId, CancellationToken cancellationToken)
    {
        jobs.Enqueue<BreakStepJob>(j => j.RunAsync(breakId, 0, CancellationToken.None));
        return Task.CompletedTask;
    }
}
