using System.Data.Common;
using ChatBot.Core;
using ChatBot.Core.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatBot.Data;

/// <summary>
/// The bot's data on PostgreSQL (<c>Storage:Provider=Postgres</c>, <c>Storage:ConnectionString</c>), shared by
/// any number of instances: connections come from one pooled <see cref="NpgsqlDataSource"/>; migrations run
/// under a session advisory lock (see <see cref="SqlDialect.MigrationLockAsync"/>).
/// </summary>
public sealed class PostgresDatabase : Database, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(IOptions<StorageOptions> storage, IOptions<BreaksOptions> breaks, ILogger<PostgresDatabase> logger)
        : base(SqlDialect.Postgres, breaks.Value.WorkdaySet, logger)
    {
        var builder = new NpgsqlConnectionStringBuilder(storage.Value.ConnectionString);
        // The bot's statements are short and indexed, but the planner can't tell how many rows a JSON parameter
        // holds and may expect enough to compile a plan with JIT: ~0.8 s for a digest that runs in ~10 ms.
        // (A connection string's own Options that set jit win.)
        if (builder.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) != true)
        {
            builder.Options = $"{builder.Options} -c jit=off".TrimStart();
        }

        Location = $"'{builder.Database}' on {builder.Host}:{builder.Port}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string Location { get; }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    protected override async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>A server that can't be reached or refuses the login at start is a bad <c>Storage:ConnectionString</c>.</summary>
    protected override async Task<DbConnection> OpenForMigrationAsync()
    {
        try
        {
            return await OpenRawAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            throw new ConfigurationException(
                "Storage:ConnectionString",
                $"Storage:ConnectionString: the PostgreSQL database {Location} can't be reached ({exception.Message.TrimEnd('.')}).",
                exception);
        }
    }
}
