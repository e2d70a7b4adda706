using ChatBot.Core;
using ChatBot.Core.Ports;
using Microsoft.Extensions.Logging;

namespace ChatBot.Slack;

/// <summary>
/// The bot token's check, once per process: <c>auth.test</c>, tried again until Slack answers, after
/// <see cref="Backoff.Exponential"/> waits from <see cref="FirstRetry"/> (1–2 s) up to <see cref="LongestRetry"/>.
/// The host begins it while it checks the database (<see cref="IStartupPreparation"/>); the Slack hosted service
/// (Socket Mode or HTTP mode) awaits <see cref="Accepted"/>.
/// </summary>
public sealed partial class SlackBotTokenCheck(SlackApiClient api, TimeProvider time, ILogger<SlackBotTokenCheck> logger) : IStartupPreparation, IDisposable
{
    /// <summary>The first wait before trying again: about 2 s (1–2 s with jitter).</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between tries: about 60 s (30–60 s with jitter).</summary>
    public static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(60);

    // Never disposed: it has no timer or wait handle to release, so Cancel stays safe whenever it comes.
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task<bool>? _accepted;

    /// <summary>
    /// True once <c>auth.test</c> answered; false when the token was refused for good (reported as fatal by
    /// <see cref="SlackApiClient"/>, which stops the host) or <see cref="Cancel"/> came first. Begins the check if
    /// it has not begun.
    /// </summary>
    public Task<bool> Accepted
    {
        get
        {
            lock (_gate)
            {
                return _accepted ??= Task.Run(() => AuthenticateAsync(_stopping.Token));
            }
        }
    }

    /// <inheritdoc/>
    public void Begin() => _ = Accepted;

    /// <summary>Stops trying (the host is stopping); <see cref="Accepted"/> then completes with false. Safe to call more than once.</summary>
    public void Cancel() => _stopping.Cancel();

    /// <summary>Cancels the check (the container disposes it under both its registrations).</summary>
    public void Dispose() => Cancel();

    private async Task<bool> AuthenticateAsync(CancellationToken stoppingToken)
    {
        for (var failures = 1; !stoppingToken.IsCancellationRequested; failures++)
        {
            string error;
            try
            {
                await api.AuthTestAsync(stoppingToken);
                return true;
            }
            catch (SlackApiException ex) when (ex.IsFatal)
            {
                return false;
            }
            catch (SlackApiException ex)
            {
                error = ex.Error;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return false;
            }

            // The wait's timer exists before the line says so (a test advancing a fake clock on the line needs it).
            var delay = Backoff.Exponential(failures, FirstRetry, LongestRetry);
            var wait = Task.Delay(delay, time, stoppingToken);
            LogAuthRetry(logger, error, Math.Round(delay.TotalSeconds, 1));
            try
            {
                await wait;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "Slack auth.test failed ({Error}); trying again in {Seconds} s")]
    private static partial void LogAuthRetry(ILogger logger, string error, double seconds);
}
