using Hangfire.Storage;
using Hangfire.Storage.SQLite;

namespace ChatBot.Scheduling;

/// <summary>
/// Hangfire.Storage.SQLite with its distributed locks held in this process (<see cref="InProcessLocks"/>) instead of
/// as rows in the job file. One process uses the file at a time (<c>Scheduling:JobStoragePath</c> is documented as one
/// process per file; by default the file sits beside the bot's database, whose file lock the process holds from
/// start), so a lock in the process excludes as much as a row did, and it goes with the process. Like the row (its
/// name is a unique key), it is not re-entrant, and a release may come from another thread.
/// <para>
/// Why: the library's waiter tries the row, then sleeps a tenth of its timeout on a monitor that a release pulses
/// once, and a pulse that comes between the try and the sleep is lost. Hangfire takes a job's state lock with a
/// 15 min timeout, so a worker whose state change met the delayed-job scheduler's lock on the same job slept 90 s:
/// a cue posted 70–90 s late in about one scheduling-bench run in five. Every lock also cost three writes to the
/// file (clear expired rows, insert, delete), each waiting for the file's one writer. The library's expiration
/// manager still takes its own row lock, outside the connections.
/// </para>
/// </summary>
internal sealed class SqliteJobStorage(SQLiteDbConnectionFactory connections, SQLiteStorageOptions options)
    : SQLiteStorage(connections, options)
{
    private readonly SQLiteStorageOptions _options = options;
    private readonly InProcessLocks _locks = new();

    /// <summary>The library's connection (its counters aggregator needs that type), locking in this process.</summary>
    public override IStorageConnection GetConnection() =>
        new LocallyLockedConnection(CreateAndOpenConnection(), _options, QueueProviders, _locks);

    private sealed class LocallyLockedConnection(
        HangfireDbContext database,
        SQLiteStorageOptions options,
        PersistentJobQueueProviderCollection queues,
        InProcessLocks locks)
        : HangfireSQLiteConnection(database, options, queues)
    {
        public override IDisposable AcquireDistributedLock(string resource, TimeSpan timeout) => locks.Acquire(resource, timeout);
    }
}
