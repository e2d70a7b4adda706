using ChatBot.Core;
using ChatBot.Core.Configuration;
using ChatBot.Core.Streaks;
using ChatBot.Data.Schema;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Data;

/// <summary>
/// The bot's SQLite file: opens connections, and on first use creates or migrates the schema (versioned),
/// switches the file to WAL and refreshes the streak summaries if the workdays setting or the streak rules
/// (<see cref="StreakSql.RulesVersion"/>) changed.
/// </summary>
public sealed partial class SqliteDatabase
{
    // SQLite result codes (https://www.sqlite.org/rescode.html) that mean the file itself is unusable.
    private const int SqlitePerm = 3;
    private const int SqliteReadOnly = 8;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    private readonly string _connectionString;
    private readonly WorkdaySet _workdays;
    private readonly ILogger<SqliteDatabase> _logger;
    private readonly Lazy<Task> _initialized;

    public SqliteDatabase(IOptions<StorageOptions> storage, IOptions<BreaksOptions> breaks, ILogger<SqliteDatabase> logger)
    {
        var path = storage.Value.FullPath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _workdays = breaks.Value.WorkdaySet;
        _logger = logger;
        Path = path;
        _initialized = new Lazy<Task>(InitializeAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Path { get; }

    public WorkdaySet Workdays => _workdays;

    public Task EnsureInitializedAsync() => _initialized.Value;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync();
        return await OpenRawAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await connection.ExecuteAsync("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenFileAsync();
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL);");
        // One migration per write-locked (IMMEDIATE) transaction, reading the version inside it: two processes
        // starting together on a fresh file take turns, and the second finds the work done.
        var newest = Migrations.All.Max(m => m.Version);
        while (true)
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            var current = await connection.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_version;", transaction: transaction) ?? 0;
            if (current > newest)
            {
                throw new InvalidOperationException(
                    $"The database '{Path}' has schema version {current}, newer than this build knows ({newest}). Run a newer ChatBot or restore a backup.");
            }

            var migration = Migrations.All.Where(m => m.Version > current).MinBy(m => m.Version);
            if (migration is null)
            {
                break;
            }

            await connection.ExecuteAsync(migration.Sql, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (@Version, @Description, datetime('now'));",
                new { migration.Version, migration.Description },
                transaction);
            await transaction.CommitAsync();
            LogMigrated(_logger, Path, migration.Version, migration.Description);
        }

        await RefreshStreaksIfRulesChangedAsync(connection);
    }

    /// <summary>Opens the file in WAL mode; a file SQLite can't open or write is a bad <c>Storage:Path</c>.</summary>
    private async Task<SqliteConnection> OpenFileAsync()
    {
        SqliteConnection? connection = null;
        try
        {
            connection = await OpenRawAsync(CancellationToken.None);
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
            return connection;
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode is SqlitePerm or SqliteReadOnly or SqliteCantOpen or SqliteNotADatabase)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            throw new ConfigurationException(
                "Storage:Path",
                $"Storage:Path '{Path}' can't be used as the bot's SQLite database ({exception.Message.TrimEnd('.')}). Point it at a new or existing ChatBot database file the bot may write.",
                exception);
        }
    }

    private async Task RefreshStreaksIfRulesChangedAsync(SqliteConnection connection)
    {
        // "rules version:workday mask"; a bare mask was stored before the rules had versions (version 1).
        var stamp = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{StreakSql.RulesVersion}:{_workdays.Mask}");
        var stored = await connection.ExecuteScalarAsync<string?>("SELECT value FROM settings WHERE key = 'streak_workdays';");
        if (stored == stamp)
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(StreakSql.RefreshAll(_workdays), transaction: transaction);
        await connection.ExecuteAsync(
            "INSERT INTO settings (key, value) VALUES ('streak_workdays', @stamp) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            new { stamp },
            transaction);
        await transaction.CommitAsync();
        if (stored is not null)
        {
            LogWorkdaysChanged(_logger, _workdays.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database {Path}: applied schema version {Version} ({Description})")]
    private static partial void LogMigrated(ILogger logger, string path, int version, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workdays ({Workdays}) or streak rules changed: streaks recomputed")]
    private static partial void LogWorkdaysChanged(ILogger logger, string workdays);
}
