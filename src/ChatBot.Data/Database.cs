using System.Data.Common;
using System.Globalization;
using ChatBot.Core.Streaks;
using ChatBot.Data.Schema;
using Dapper;
using Microsoft.Extensions.Logging;

namespace ChatBot.Data;

/// <summary>
/// The bot's database on either engine (<c>Storage:Provider</c>): opens connections, and on first use migrates
/// the schema (<see cref="Migrations"/>, one list for both engines, translated by <see cref="SqlDialect.Ddl"/>)
/// and refreshes the streak summaries if the workdays setting or the streak rules
/// (<see cref="StreakSql.RulesVersion"/>) changed.
/// </summary>
/// <remarks>
/// The pattern for stores: one store class per port, taking this base (not an engine's subclass), talking to
/// <see cref="DbConnection"/> through Dapper with one SQL text for both engines; where the engines differ, the
/// store asks <see cref="Dialect"/> (a new difference becomes a new dialect member, never a second store class).
/// A read-then-write that several instances may run at once takes <see cref="SqlDialect.LockAsync"/> first.
/// Integers are 64-bit on both engines (the dialect turns the schema's <c>INTEGER</c> into <c>BIGINT</c>), so
/// rows map to <see cref="long"/> the same way.
/// </remarks>
public abstract partial class Database
{
    private readonly ILogger _logger;
    private readonly Lazy<Task> _initialized;

    protected Database(SqlDialect dialect, WorkdaySet workdays, ILogger logger)
    {
        Dialect = dialect;
        Workdays = workdays;
        _logger = logger;
        _initialized = new Lazy<Task>(InitializeAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public SqlDialect Dialect { get; }

    /// <summary>The team workdays (<c>Breaks:Workdays</c>) the stored streak summaries are computed with.</summary>
    public WorkdaySet Workdays { get; }

    /// <summary>Where the data lives, for messages: a file path, or host and database (never a password).</summary>
    public abstract string Location { get; }

    /// <summary>Migrates the schema once per process (idempotent; concurrent callers share one run).</summary>
    /// <exception cref="InvalidOperationException">The database's schema is newer than this build knows.</exception>
    public Task EnsureInitializedAsync() => _initialized.Value;

    /// <summary>An open connection to the migrated database; the caller disposes it.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync();
        return await OpenRawAsync(cancellationToken);
    }

    /// <summary>An open connection, before any migration (for the migration itself).</summary>
    protected abstract Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken);

    /// <summary>The first connection of the process: engine set-up (SQLite: WAL, a clear error on a bad file).</summary>
    protected virtual Task<DbConnection> OpenForMigrationAsync() => OpenRawAsync(CancellationToken.None);

    private async Task InitializeAsync()
    {
        await using var connection = await OpenForMigrationAsync();
        await using (await Dialect.MigrationLockAsync(connection, CancellationToken.None))
        {
            await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);");

            // One step per transaction, reading the version inside it (SQLite's are write-locked, IMMEDIATE; on
            // PostgreSQL the migration lock is held): instances starting together take turns, later ones find the work done.
            var newest = Migrations.All.Max(m => m.Version);
            while (true)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                var current = await connection.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_version;", transaction: transaction) ?? 0;
                if (current > newest)
                {
                    throw new InvalidOperationException(
                        $"The {Dialect.Name} database {Location} has schema version {current}, newer than this build knows ({newest}). Run a newer ChatBot or restore a backup.");
                }

                var migration = Migrations.All.Where(m => m.Version > current).MinBy(m => m.Version);
                if (migration is null)
                {
                    break;
                }

                await connection.ExecuteAsync(Dialect.Ddl(migration.Sql), transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_version (version, description, applied_at) VALUES (@Version, @Description, @AppliedAt);",
                    new { migration.Version, migration.Description, AppliedAt = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture) },
                    transaction);
                await transaction.CommitAsync();
                LogMigrated(_logger, Dialect.Name, Location, migration.Version, migration.Description);
            }

            await RefreshStreaksIfRulesChangedAsync(connection);
        }
    }

    private async Task RefreshStreaksIfRulesChangedAsync(DbConnection connection)
    {
        // "rules version:workday mask"; a bare mask was stored before the rules had versions (version 1).
        var stamp = string.Create(CultureInfo.InvariantCulture, $"{StreakSql.RulesVersion}:{Workdays.Mask}");
        var stored = await connection.ExecuteScalarAsync<string?>("SELECT value FROM settings WHERE key = 'streak_workdays';");
        if (stored == stamp)
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(StreakSql.RefreshAll(Workdays), transaction: transaction);
        await connection.ExecuteAsync(
            "INSERT INTO settings (key, value) VALUES ('streak_workdays', @stamp) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            new { stamp },
            transaction);
        await transaction.CommitAsync();
        if (stored is not null)
        {
            LogWorkdaysChanged(_logger, Workdays.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Engine} database {Location}: applied schema version {Version} ({Description})")]
    private static partial void LogMigrated(ILogger logger, string engine, string location, int version, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workdays ({Workdays}) or streak rules changed: streaks recomputed")]
    private static partial void LogWorkdaysChanged(ILogger logger, string workdays);
}
