using ChatBot.Core.Ports;
using ChatBot.Discord.Gateway;
using ChatBot.Discord.Interactions;
using ChatBot.Discord.Rest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord;

/// <summary>
/// The Discord connection's lifetime: run this instance's gateway shards (<see cref="DiscordShardManager"/>) until
/// the host stops (or a fatal close stops the host). Whichever instance starts shard 0 also, alongside its connect,
/// finds the application id, logs the invite link and registers <c>/drill</c>: once however many instances run.
/// </summary>
public sealed partial class DiscordGatewayHostedService(
    DiscordRestClient rest,
    DiscordShardManager shards,
    DiscordCommandRegistrar registrar,
    IFatalErrorReporter fatal,
    IOptions<DiscordOptions> options,
    ILogger<DiscordGatewayHostedService> logger) : BackgroundService
{
    /// <summary>bot + applications.commands with View Channel, Send Messages, Embed Links, Attach Files (the digest chart), Read Message History, Create Public Threads, Send Messages in Threads.</summary>
    public const long InvitePermissions = 309237763072;

    public static string InviteUrl(string applicationId) =>
        $"https://discord.com/oauth2/authorize?client_id={applicationId}&scope=bot%20applications.commands&permissions={InvitePermissions}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => shards.RunAsync(SetUpApplicationAsync, stoppingToken);

    /// <summary>GET applications/@me (unless <c>Discord:ApplicationId</c> is set), the invite link, then <c>/drill</c>'s registration.</summary>
    private async Task SetUpApplicationAsync(CancellationToken stoppingToken)
    {
        string applicationId;
        try
        {
            applicationId = string.IsNullOrWhiteSpace(options.Value.ApplicationId)
                ? (await rest.GetCurrentApplicationAsync(stoppingToken)).Id
                : options.Value.ApplicationId;
        }
        catch (DiscordApiException ex)
        {
            // 401: reported as fatal by the REST client, which stops the host.
            if (ex.Status != System.Net.HttpStatusCode.Unauthorized)
            {
                fatal.ReportFatal("Discord", "could not read the application (GET applications/@me): " + ex.Message, ex);
            }

            return;
        }

        LogInvite(logger, InviteUrl(applicationId));
        await RegisterCommandsAsync(applicationId, stoppingToken);
    }

    private async Task RegisterCommandsAsync(string applicationId, CancellationToken cancellationToken)
    {
        if (!options.Value.RegisterCommands)
        {
            return;
        }

        try
        {
            await registrar.EnsureRegisteredAsync(applicationId, cancellationToken);
        }
        catch (DiscordApiException ex) when (ex.Status != System.Net.HttpStatusCode.Unauthorized)
        {
            // The bot still works with a previously registered command; say so and carry on.
            LogRegistrationFailed(logger, ex);
        }
        catch (DiscordApiException)
        {
            // 401: reported as fatal by the REST client, which stops the host.
        }
    }

    /// <summary>
    /// Stops the gateway, then lets interactions already received finish (their replies still go out) until
    /// the host's shutdown timeout (<paramref name="cancellationToken"/>) runs out.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var abandoned = await shards.DrainInteractionsAsync(cancellationToken);
        if (abandoned > 0)
        {
            LogAbandoned(logger, abandoned);
        }
    }

    [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "Discord: shutdown cut off {Count} interactions still in flight")]
    private static partial void LogAbandoned(ILogger logger, int count);

    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "Invite the Discord bot to a server with: {InviteUrl}")]
    private static partial void LogInvite(ILogger logger, string inviteUrl);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Error, Message = "Discord: could not register /drill; the existing registration (if any) stays")]
    private static partial void LogRegistrationFailed(ILogger logger, Exception exception);
}
