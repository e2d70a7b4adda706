using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatBot.Slack;

/// <summary>
/// Readiness of the Slack connection: in Socket Mode at least one socket has said <c>hello</c> and is open;
/// in HTTP mode the listener is bound.
/// </summary>
internal sealed class SlackHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<SlackSocketModeClient>() is { } socketMode)
        {
            return Task.FromResult(socketMode.HasOpenConnection
                ? HealthCheckResult.Healthy("a Socket Mode connection is open")
                : HealthCheckResult.Unhealthy("no Socket Mode connection is open"));
        }

        var httpMode = services.GetService<SlackHttpModeHostedService>();
        return Task.FromResult(httpMode is { Addresses.Count: > 0 }
            ? HealthCheckResult.Healthy("HTTP mode is listening")
            : HealthCheckResult.Unhealthy("HTTP mode is not listening"));
    }
}
