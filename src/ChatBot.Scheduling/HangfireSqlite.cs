using Hangfire.Storage.SQLite;
using Hangfire.Storage.SQLite.Entities;
using SQLite;

namespace ChatBot.Scheduling;

/// <summary>
/// Hangfire's own SQLite job file, tuned for paced cues: the queue polled every <see cref="SchedulingOptions.PollingInterval"/>, an invisibility timeout of minutes, a
/// connection pool as large as the workers, and WAL with <c>synchronous = NORMAL</c>. The last is what makes
/// 500 breaks in one minute feasible: every job is several small transactions, and with FULL each of them
/// waits for an fsync. In WAL mode NORMAL loses nothing when the process is killed (the case Hangfire and our
/// claims are built for); only an OS crash or power cut may roll back the last few commits, which the
/// at-least-once design already tolerates: a lost "succeeded" re-runs an idempotent job.
/// </summary>
internal static class HangfireSqlite
{
    /// <summary>
    /// Opens the job file, with Hangfire's locks held in this process (<see cref="SqliteJobStorage"/>), and drops
    /// every lock row left in it. The file belongs to one process at a time, so a row found before this process
    /// has used the file was left by an older one, which can't release it: the library's expiration manager, the
    /// one that still locks with a row, would wait up to the row's lifetime for it, as every lock did before
    /// locks moved into the process.
    /// </summary>
    public static SQLiteStorage Open(string path, SchedulingOptions options)
    {
        var storage = new SqliteJobStorage(
            new SQLiteDbConnectionFactory(() =>
            {
                // FullMutex: the library renews a held lock row from a timer thread on the holder's connection while
                // the holder goes on using it; without SQLite's mutex that corrupted the connection ("file is not a database").
                var connection = new SQLiteConnection(
                    new SQLiteConnectionString(path, SQLiteOpenFlags.ReadWrite | SQLiteOpenFlags.Create | SQLiteOpenFlags.FullMutex, storeDateTimeAsTicks: true))
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
        using var context = storage.CreateAndOpenConnection();
        context.Database.DeleteAll<DistributedLock>();
        return storage;
    }
}
