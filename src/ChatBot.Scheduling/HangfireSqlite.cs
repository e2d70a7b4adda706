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
    /// How long a distributed lock row lives without renewal (the library's default is 30 s). A holder renews it
    /// every fifth of that from a timer thread, on the holder's own connection: with the default, the delayed-job
    /// scheduler enqueuing a few hundred cues at once held its lock past 6 s, and the renewal and the enqueuing
    /// then used one connection from two threads. Opened without SQLite's mutex, that corrupted the connection
    /// ("file is not a database") and the scheduler's state changes failed (the job moved to Failed, left to
    /// Hangfire's retry). Connections are now
    /// serialized (<c>FullMutex</c>) and a renewal comes only after 2 min. A long lifetime costs nothing here:
    /// rows a killed process left are dropped when the file is opened (see <see cref="Open"/>).
    /// </summary>
    internal static readonly TimeSpan LockLifetime = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Opens the job file and drops every distributed lock left in it. The file belongs to one process at a time
    /// (it sits beside the bot's database, whose file lock this process holds from start), so a lock row found
    /// when the storage is opened, before this process has used it, was left by a process that was killed: its
    /// holder can't release it, and Hangfire.Storage.SQLite keeps it until its lifetime (<see cref="LockLifetime"/>) runs out. Kept,
    /// it holds up what waits for it that long (the delayed-job scheduler's lock, the reminder pass's), and a
    /// waiter that times out fails its job into a retry a minute later.
    /// </summary>
    public static SQLiteStorage Open(string path, SchedulingOptions options)
    {
        var storage = new SQLiteStorage(
            new SQLiteDbConnectionFactory(() =>
            {
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
                DistributedLockLifetime = LockLifetime,
            });
        using var context = storage.CreateAndOpenConnection();
        context.Database.DeleteAll<DistributedLock>();
        return storage;
    }
}
