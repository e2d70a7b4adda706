using ChatBot.Core.Ports;
using ChatBot.Discord.Rest;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord.Gateway;

/// <summary>
/// Begins <c>GET gateway/bot</c> while the host checks the database (<see cref="IStartupPreparation"/>), when the start
/// will ask for it: no <c>Discord:GatewayUrl</c> (the shard's connect needs the URL) or <c>Discord:ShardCount</c>
/// auto (the shard manager needs the count). A read, like Slack's <c>auth.test</c>: the first connect then finds
/// its answer ready instead of making the process's first HTTP request on the way to connected. The first
/// <see cref="DiscordRestClient.GetGatewayBotAsync"/> call takes the answer if it comes within
/// <see cref="DiscordRestClient.BegunGatewayBotLifetime"/>; a refused token (401) is reported as fatal by the REST
/// client as before, so the bot stops with exit code 1.
/// </summary>
public sealed class GatewayBotPrefetch(DiscordRestClient rest, IOptions<DiscordOptions> options) : IStartupPreparation, IDisposable
{
    // Never disposed: it has no timer or wait handle to release, so Dispose's Cancel stays safe whenever it comes.
    private readonly CancellationTokenSource _stopping = new();

    /// <inheritdoc/>
    public void Begin()
    {
        if (options.Value.GatewayUrl is null || options.Value.FixedShardCount is null)
        {
            rest.BeginGatewayBot(_stopping.Token);
        }
    }

    /// <summary>Cancels a request still running (the service container is being disposed).</summary>
    public void Dispose() => _stopping.Cancel();
}
