using Microsoft.Extensions.Hosting;

namespace ChatBot.Slack;

/// <summary>
/// Runs Socket Mode until the host stops, with the bot token's check (<see cref="SlackBotTokenCheck"/>, usually
/// begun by the host already) alongside: Socket Mode connects with the app token alone, so it doesn't wait for that
/// check (one round trip less to connected). A refused bot token (reported as fatal, which stops the host) ends
/// Socket Mode too.
/// </summary>
public sealed class SlackSocketModeHostedService(SlackBotTokenCheck botToken, SlackSocketModeClient client) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var socketMode = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var botTokenChecked = CheckBotTokenAsync(socketMode, stoppingToken);
        await client.RunAsync(socketMode.Token);
        await botTokenChecked;
    }

    private async Task CheckBotTokenAsync(CancellationTokenSource socketMode, CancellationToken stoppingToken)
    {
        var accepted = false;
        try
        {
            using (stoppingToken.Register(botToken.Cancel))
            {
                accepted = await botToken.Accepted;
            }
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
