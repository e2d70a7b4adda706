using ChatBot.Discord.Gateway;
using ChatBot.Discord.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatBot.Discord;

/// <summary>
/// Readiness of the Discord connection: every gateway shard this instance runs is READY or RESUMED on an open
/// socket, and in HTTP interactions mode the listener is bound as well.
/// </summary>
internal sealed class DiscordHealthCheck(DiscordShardManager gateway, IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!gateway.IsReady)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the gateway session is not READY or RESUMED"));
        }

        if (services.GetService<DiscordHttpInteractionsHostedService>() is { BoundAddress: null })
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("HTTP interactions mode is not listening"));
        }

        return Task.FromResult(HealthCheckResult.Healthy("the gateway session is ready"));
    }
}
