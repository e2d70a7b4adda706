using System.Data.Common;
using ChatBot.Core;
using ChatBot.Core.Configuration;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Data;

/// <summary>
/// The bot's SQLite file (the embedded default, <c>Storage:Path</c>): opens pooled connections with foreign keys
/// on, and switches the file to WAL before the first migration.
/// </summary>
public sealed class SqliteDatabase : Database
{
    // SQLite result codes (https://www.sqlite.org/rescode.html) that mean the file itself is unusable.
    private const int SqlitePerm = 3;
    private const int SqliteReadOnly = 8;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    /// <summary>How long a statement waits for another connection's lock (ms): the connection's default command timeout, 30 s.</summary>
    private const int BusyTimeoutMs = 30_000;

    private readonly string _connectionString;

    public SqliteDatabase(IOptions<StorageOptions> storage, IOptions<BreaksOptions> breaks, ILogger<SqliteDatabase> logger)
        : base(SqlDialect.Sqlite, breaks.Value.WorkdaySet, logger)
    {
        var path = storage.Value.FullPath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
        Path = path;
    }

    /// <summary>The database file (full path).</summary>
    public string Path { get; }

    public override string Location => $"'{Path}'";

    protected override async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // busy_timeout: a writer that finds the file's write lock taken waits inside SQLite, in steps of a few
            // ms, and goes on when it is free. Without it Microsoft.Data.Sqlite retries after Thread.Sleep(150) on a
            // pool thread, so 20 workers posting a slot's prompts lost 150 ms at every collision. First, because a new
            // connection's first statement reads the file too and can meet the same lock.
            await connection.ExecuteAsync($"PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens the file in WAL mode; a file SQLite can't open or write is a bad <c>Storage:Path</c>.</summary>
    protected override async Task<DbConnection> OpenForMigrationAsync()
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        DbConnection? connection = null;
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
}
