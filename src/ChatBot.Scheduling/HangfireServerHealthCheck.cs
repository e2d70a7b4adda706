using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatBot.Scheduling;

/// <summary>
/// Readiness of the job server: this process's Hangfire server is announced in the job storage and its last
/// heartbeat is at most <see cref="MaxHeartbeatAge"/> old (Hangfire beats every 30 s by default).
/// </summary>
internal sealed class HangfireServerHealthCheck(JobStorage storage, TimeProvider clock) : IHealthCheck
{
    /// <summary>Two missed heartbeats and a margin.</summary>
    public static readonly TimeSpan MaxHeartbeatAge = TimeSpan.FromSeconds(75);

    /// <summary>The name this process's Hangfire server announces itself under (Hangfire appends a unique suffix).</summary>
    public static string ServerName { get; } = $"chatbot:{Environment.MachineName}:{Environment.ProcessId}";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ours = storage.GetMonitoringApi().Servers()
            .Where(server => server.Name.StartsWith(ServerName, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (ours.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the Hangfire server is not running"));
        }

        var last = ours.Max(server => server.Heartbeat ?? server.StartedAt);
        return Task.FromResult(now - last <= MaxHeartbeatAge
            ? HealthCheckResult.Healthy("the Hangfire server is running and heartbeating")
            : HealthCheckResult.Unhealthy($"the Hangfire server's last heartbeat is {(now - last).TotalSeconds:0} s old"));
    }
}
