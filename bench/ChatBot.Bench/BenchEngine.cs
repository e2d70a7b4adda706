using System.Data.Common;
using ChatBot.Core;
using ChatBot.Data;
using ChatBot.Testing;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatBot.Bench;

/// <summary>
/// The database the bench measures (<c>--provider sqlite|postgres</c>): a SQLite file (a new one in a temp directory,
/// or <c>--database PATH</c>), or PostgreSQL at <c>--connection-string</c>, or, when that is omitted, a database on a
/// throwaway cluster started as the tests start theirs (<see cref="PostgresCluster"/>, removed at the end).
/// </summary>
internal sealed class BenchEngine : IAsyncDisposable
{
    private readonly PostgresCluster? _cluster;
    private readonly string? _directory;
    private readonly bool _keep;

    private BenchEngine(StorageOptions storage, PostgresCluster? cluster, string? directory, bool keep)
    {
        Storage = storage;
        _cluster = cluster;
        _directory = directory;
        _keep = keep;
    }

    /// <summary>What the bot would be configured with to use this database.</summary>
    public StorageOptions Storage { get; }

    public bool IsPostgres => Storage.Provider == StorageProvider.Postgres;

    /// <summary>Where the data is, for the output (never a password).</summary>
    public string Location
    {
        get
        {
            if (!IsPostgres)
            {
                return $"SQLite {Storage.Path}";
            }

            var builder = new NpgsqlConnectionStringBuilder(Storage.ConnectionString);
            return $"PostgreSQL '{builder.Database}' on {builder.Host}:{builder.Port}{(_cluster is null ? "" : " (throwaway cluster)")}";
        }
    }

    /// <exception cref="InvalidOperationException">PostgreSQL without a connection string, and no cluster could be started here.</exception>
    public static BenchEngine Create(BenchOptions options)
    {
        if (options.Provider == StorageProvider.Sqlite)
        {
            var directory = options.Database is null ? Directory.CreateTempSubdirectory("chatbot-bench-").FullName : null;
            var file = options.Database ?? Path.Combine(directory!, "chatbot.db");
            return new BenchEngine(new StorageOptions { Path = file }, null, directory, options.Keep);
        }

        if (options.ConnectionString is { } given)
        {
            return new BenchEngine(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = given }, null, null, keep: true);
        }

        var cluster = new PostgresCluster();
        if (cluster.Unavailable is { } reason)
        {
            throw new InvalidOperationException($"No --connection-string and no throwaway cluster: {reason}");
        }

        var connectionString = new NpgsqlConnectionStringBuilder(cluster.CreateDatabase()) { MaxPoolSize = 50 }.ConnectionString;
        return new BenchEngine(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = connectionString }, cluster, null, keep: false);
    }

    /// <summary>The bot's database object as the host builds it (a new one: a fresh process-like start).</summary>
    public Database Open()
    {
        var breaks = Options.Create(new BreaksOptions { Workdays = "Mon-Fri" });
        return IsPostgres
            ? new PostgresDatabase(Options.Create(Storage), breaks, NullLogger<PostgresDatabase>.Instance)
            : new SqliteDatabase(Options.Create(Storage), breaks, NullLogger<SqliteDatabase>.Instance);
    }

    /// <summary>A connection of its own for bulk loading and plans (no pool, no migration); the caller disposes it.</summary>
    public async Task<DbConnection> OpenRawAsync()
    {
        DbConnection connection = IsPostgres
            ? new NpgsqlConnection(Storage.ConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Storage.Path, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Whether the database already holds a data set (a kept SQLite file, or a given PostgreSQL database).</summary>
    public async Task<bool> HasDataAsync()
    {
        if (!IsPostgres)
        {
            return File.Exists(Storage.Path) && new FileInfo(Storage.Path).Length > 0;
        }

        await Open().EnsureInitializedAsync();
        await using var connection = await OpenRawAsync();
        return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM completions);");
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        else if (_directory is not null)
        {
            if (_keep)
            {
                Out.Line($"Kept {Storage.Path} (measure it again with --database {Storage.Path})");
            }
            else
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
    }
}
