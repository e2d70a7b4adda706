using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatBot.Data;

/// <summary>Readiness of the bot's database: the schema is in place and the file answers <c>SELECT 1</c>.</summary>
internal sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
            return HealthCheckResult.Healthy("the database answers");
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("the database does not answer (" + ex.GetType().Name + ")");
        }
    }
}
