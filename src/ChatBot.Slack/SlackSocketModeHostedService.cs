using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBot.Slack;

/// <summary>
/// Runs Socket Mode until the host stops, checking the bot token with <c>auth.test</c> meanwhile: Socket Mode
/// connects with the app token alone, so it doesn't wait for that check (one round trip less to connected). A
/// refused bot token (reported as fatal, which stops the host) ends Socket Mode too.
/// </summary>
public sealed partial class SlackSocketModeHostedService(
    SlackApiClient api,
    SlackSocketModeClient client,
    ILogger<SlackSocketModeHostedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var socketMode = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var botToken = CheckBotTokenAsync(socketMode);
        await client.RunAsync(socketMode.Token);
        await botToken;
    }

    private async Task CheckBotTokenAsync(CancellationTokenSource socketMode)
    {
        var accepted = false;
        try
        {
            accepted = await SlackStartup.AuthenticateAsync(api, logger, socketMode.Token);
        }
        finally
        {
            if (!accepted)
            {
                await socketMode.CancelAsync();
            }
        }
    }
}

internal static partial class SlackStartup
{
    /// <summary>
    /// <c>auth.test</c> until it answers. False when the token is refused for good (already reported as
    /// fatal by <see cref="SlackApiClient"/>) or the host is stopping.
    /// </summary>
    public static async Task<bool> AuthenticateAsync(SlackApiClient api, ILogger logger, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(2);
        while (!stoppingToken.IsCancellationRequested)
        {
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
                LogAuthRetry(logger, ex.Error, delay.TotalSeconds);
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
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
