using Hangfire;

namespace ChatBot.Scheduling.Tests.Fakes;

/// <summary>
/// The engine a test class runs on, so one set of test classes covers both: <c>…OnSqlite</c> (the embedded SQLite
/// files, Hangfire.Storage.SQLite) and <c>…OnPostgres</c> (a fresh database on the assembly's throwaway cluster,
/// Hangfire.PostgreSql; skipped with the reason when PostgreSQL is missing, which <c>.ci/run</c> fails on).
/// </summary>
public abstract class BotEngine
{
    public static BotEngine Sqlite { get; } = new SqliteEngine();

    public static BotEngine Postgres(PostgresCluster cluster) => new PostgresEngine(cluster);

    /// <summary>A fresh, empty place for one test's data and jobs.</summary>
    public abstract BotFiles NewFiles();

    /// <summary>Hangfire's storage for <paramref name="files"/>, opened as the host opens it.</summary>
    public static JobStorage OpenJobStorage(BotFiles files, SchedulingOptions options) =>
        files.ConnectionString is { } connectionString
            ? HangfirePostgres.Open(connectionString, options)
            : HangfireSqlite.Open(Path.Combine(System.IO.Directory.CreateDirectory(files.Directory).FullName, "hangfire.db"), options);

    private sealed class SqliteEngine : BotEngine
    {
        public override BotFiles NewFiles() => new();
    }

    private sealed class PostgresEngine(PostgresCluster cluster) : BotEngine
    {
        public override BotFiles NewFiles()
        {
            if (cluster.Unavailable is { } reason)
            {
                Assert.Skip(reason);
            }

            return new BotFiles(cluster.CreateDatabase());
        }
    }
}
