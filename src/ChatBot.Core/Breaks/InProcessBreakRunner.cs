using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Core.Breaks;

/// <summary>
/// Paces breaks inside this process: the prompt at once, then a cue every <see cref="BreaksOptions.CueInterval"/>.
/// A thread in progress stops when the host stops (the Hangfire runner of ChatBot.Scheduling survives restarts).
/// </summary>
public sealed partial class InProcessBreakRunner(
    IServiceScopeFactory scopes,
    IOptions<BreaksOptions> options,
    TimeProvider clock,
    ILogger<InProcessBreakRunner> logger) : IBreakRunner, IHostedService, IAsyncDisposable
{
    private const int MaxAttempts = 3;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _running = [];

    /// <summary>Posts the prompt before returning (so it shows before anything said after the command), then paces the cues.</summary>
    public async Task StartAsync(long breakId, CancellationToken cancellationToken)
    {
        var promptedAt = clock.GetUtcNow();
        var prompt = await PostWithRetriesAsync(breakId, 0, _stopping.Token);
        if (prompt is not { HasNextStep: true })
        {
            return;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            var thread = Task.Run(() => RunAsync(breakId, promptedAt, _stopping.Token), CancellationToken.None);
            _running.Add(thread);
            _ = thread.ContinueWith(
                finished =>
                {
                    lock (_gate)
                    {
                        _running.Remove(finished);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task[] running;
            lock (_gate)
            {
                running = [.. _running];
            }

            if (running.Length == 0)
            {
                return;
            }

            await Task.WhenAll(running).WaitAsync(cancellationToken);
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await WhenIdleAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <remarks>Idempotent: the container may dispose this once per role it is registered under.</remarks>
    public async ValueTask DisposeAsync() => await _stopping.CancelAsync();

    /// <summary>Posts cue n at <paramref name="promptedAt"/> + n intervals, so slow posts never make the thread drift.</summary>
    private async Task RunAsync(long breakId, DateTimeOffset promptedAt, CancellationToken stoppingToken)
    {
        try
        {
            for (var step = 1; ; step++)
            {
                var wait = promptedAt + (options.Value.CueInterval * step) - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock, stoppingToken);
                }

                var result = await PostWithRetriesAsync(breakId, step, stoppingToken);
                if (result is null || !result.HasNextStep)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped(logger, breakId);
        }
        catch (Exception exception)
        {
            LogFailed(logger, exception, breakId);
        }
    }

    private async Task<StepResult?> PostWithRetriesAsync(long breakId, int step, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<BreakPoster>()
                    .PostStepAsync(breakId, step, stoppingToken);
                if (result.Status != StepStatus.HeldElsewhere)
                {
                    return result.Status == StepStatus.NoSuchStep ? null : result;
                }

                var wait = result.RetryAfter!.Value - clock.GetUtcNow();
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, clock, stoppingToken);
            }
            catch (ChatPlatformException exception) when (exception.IsPermanent || attempt >= MaxAttempts)
            {
                LogGaveUp(logger, exception, breakId, step);
                ChatBotTelemetry.BreakEnded(breakId);
                return null;
            }
            catch (ChatPlatformException exception)
            {
                LogRetrying(logger, exception, breakId, step, attempt);
                await Task.Delay(TimeSpan.FromSeconds(2 * attempt), clock, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Break {BreakId}: step {Step} could not be posted; the rest of its thread is dropped")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, long breakId, int step);

    [LoggerMessage(Level = LogLevel.Error, Message = "Break {BreakId}: its thread failed and stops here")]
    private static partial void LogFailed(ILogger logger, Exception exception, long breakId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Break {BreakId}: step {Step} failed (attempt {Attempt}); retrying")]
    private static partial void LogRetrying(ILogger logger, Exception exception, long breakId, int step, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Break {BreakId}: the bot is stopping, so the rest of its thread is not posted")]
    private static partial void LogStopped(ILogger logger, long breakId);
}
