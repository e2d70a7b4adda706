using ChatBot.Core.Ports;
using Microsoft.Extensions.Logging;

namespace ChatBot.Slack;

/// <summary>
/// The bot token's check, once per process: <c>auth.test</c>, tried again (2 s, doubling to 60 s) until Slack
/// answers. The host begins it while it checks the database (<see cref="IStartupPreparation"/>); the Slack hosted
/// service (Socket Mode or HTTP mode) awaits <see cref="Accepted"/>.
/// </summary>
public sealed partial class SlackBotTokenCheck(SlackApiClient api, TimeProvider time, ILogger<SlackBotTokenCheck> logger) : IStartupPreparation, IDisposable
{
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
        var delay = TimeSpan.FromSeconds(2);
        while (!stoppingToken.IsCancellationRequested)
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
            var wait = Task.Delay(delay, time, stoppingToken);
            LogAuthRetry(logger, error, delay.TotalSeconds);
            try
            {
                await wait;
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay = TimeSpan.FromSeconds(Math.Min(60, delay.TotalSeconds * 2));
        }

        return false;
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "Slack auth.test failed ({Error}); trying again in {Seconds} s")]
    private static partial void LogAuthRetry(ILogger logger, string error, double seconds);
}
