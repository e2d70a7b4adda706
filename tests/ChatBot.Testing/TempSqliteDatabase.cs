using ChatBot.Core;
using ChatBot.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatBot.Testing;

/// <summary>
/// The bot's SQLite database in a fresh temp directory, opened without the file lock so that several simulated
/// instances in one test process share it (as instances share a PostgreSQL database). Deleted on dispose.
/// </summary>
public sealed class TempSqliteDatabase : IDisposable
{
    public TempSqliteDatabase()
    {
        DirectoryPath = Directory.CreateTempSubdirectory("chatbot-shared-db-").FullName;
        Database = Open(Path.Combine(DirectoryPath, "chatbot.db"));
    }

    /// <summary>The temp directory (the database file is <c>chatbot.db</c> in it).</summary>
    public string DirectoryPath { get; }

    public Database Database { get; }

    /// <summary>A database at <paramref name="file"/> (e.g. one that can't be opened, to play an unreachable database).</summary>
    public static Database Open(string file) => new SqliteDatabase(
        Options.Create(new StorageOptions { Path = file }),
        Options.Create(new BreaksOptions()),
        NullLogger<SqliteDatabase>.Instance);

    public void Dispose()
    {
        // Pooled connections keep the files open; let them go before the directory is removed.
        SqliteConnection.ClearAllPools();
        Directory.Delete(DirectoryPath, recursive: true);
    }
}
