using Hangfire.Storage.SQLite;
using SQLite;

namespace ChatBot.Scheduling;

/// <summary>
/// Hangfire's own SQLite job file, tuned for paced cues: 1 s polling, an invisibility timeout of minutes, a
/// connection pool as large as the workers, and WAL with <c>synchronous = NORMAL</c>. The last is what makes
/// 500 breaks in one minute feasible: every job is several small transactions, and with FULL each of them
/// waits for an fsync. In WAL mode NORMAL loses nothing when the process is killed (the case Hangfire and our
/// claims are built for); only an OS crash or power cut may roll back the last few commits, which the
/// at-least-once design already tolerates: a lost "succeeded" re-runs an idempotent job.
/// </summary>
internal static class HangfireSqlite
{
    public static SQLiteStorage Open(string path, SchedulingOptions options) =>
        new(
            new SQLiteDbConnectionFactory(() =>
            {
                var connection = new SQLiteConnection(
                    new SQLiteConnectionString(path, SQLiteOpenFlags.ReadWrite | SQLiteOpenFlags.Create | SQLiteOpenFlags.NoMutex, storeDateTimeAsTicks: true))
                {
                    BusyTimeout = TimeSpan.FromSeconds(30),
                };
                connection.ExecuteScalar<string>("PRAGMA journal_mode = WAL;");
                connection.Execute("PRAGMA synchronous = NORMAL;");
                return connection;
            }),
            new SQLiteStorageOptions
            {
                QueuePollInterval = options.PollingInterval,
                InvisibilityTimeout = options.InvisibilityTimeout,
                PoolSize = options.WorkerCount + 10,
            });
}
