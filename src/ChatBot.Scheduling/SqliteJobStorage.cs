using Hangfire.Common;
using Hangfire.Server;
using Hangfire.Storage;
using Hangfire.Storage.SQLite;

namespace ChatBot.Scheduling;

/// <summary>
/// Hangfire.Storage.SQLite with its distributed locks held in this process (<see cref="InProcessLocks"/>) instead of
/// as rows in the job file. One process uses the file at a time (it sits beside the bot's database, whose file lock
/// the process holds from start), so a lock in the process excludes as much as a row did, and it goes with the process.
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
    private readonly InProcessLocks _locks = new();

    /// <inheritdoc/>
    public override IStorageConnection GetConnection() =>
        new LocallyLockedConnection((JobStorageConnection)base.GetConnection(), _locks);

    /// <summary>The library's connection, all but its <see cref="AcquireDistributedLock"/>.</summary>
    private sealed class LocallyLockedConnection(JobStorageConnection inner, InProcessLocks locks) : JobStorageConnection
    {
        public override IDisposable AcquireDistributedLock(string resource, TimeSpan timeout) => locks.Acquire(resource, timeout);

        public override void Dispose()
        {
            inner.Dispose();
            base.Dispose();
        }

        public override IWriteOnlyTransaction CreateWriteTransaction() => inner.CreateWriteTransaction();
        public override string CreateExpiredJob(Job job, IDictionary<string, string> parameters, DateTime createdAt, TimeSpan expireIn) =>
            inner.CreateExpiredJob(job, parameters, createdAt, expireIn);
        public override IFetchedJob FetchNextJob(string[] queues, CancellationToken cancellationToken) => inner.FetchNextJob(queues, cancellationToken);
        public override void SetJobParameter(string id, string name, string value) => inner.SetJobParameter(id, name, value);
        public override string GetJobParameter(string id, string name) => inner.GetJobParameter(id, name);
        public override JobData GetJobData(string jobId) => inner.GetJobData(jobId);
        public override StateData GetStateData(string jobId) => inner.GetStateData(jobId);
        public override void AnnounceServer(string serverId, ServerContext context) => inner.AnnounceServer(serverId, context);
        public override void RemoveServer(string serverId) => inner.RemoveServer(serverId);
        public override void Heartbeat(string serverId) => inner.Heartbeat(serverId);
        public override int RemoveTimedOutServers(TimeSpan timeOut) => inner.RemoveTimedOutServers(timeOut);
        public override HashSet<string> GetAllItemsFromSet(string key) => inner.GetAllItemsFromSet(key);
        public override string GetFirstByLowestScoreFromSet(string key, double fromScore, double toScore) =>
            inner.GetFirstByLowestScoreFromSet(key, fromScore, toScore);
        public override List<string> GetFirstByLowestScoreFromSet(string key, double fromScore, double toScore, int count) =>
            inner.GetFirstByLowestScoreFromSet(key, fromScore, toScore, count);
        public override long GetSetCount(string key) => inner.GetSetCount(key);
        public override long GetSetCount(IEnumerable<string> keys, int limit) => inner.GetSetCount(keys, limit);
        public override bool GetSetContains(string key, string value) => inner.GetSetContains(key, value);
        public override List<string> GetRangeFromSet(string key, int startingFrom, int endingAt) => inner.GetRangeFromSet(key, startingFrom, endingAt);
        public override TimeSpan GetSetTtl(string key) => inner.GetSetTtl(key);
        public override void SetRangeInHash(string key, IEnumerable<KeyValuePair<string, string>> keyValuePairs) => inner.SetRangeInHash(key, keyValuePairs);
        public override Dictionary<string, string> GetAllEntriesFromHash(string key) => inner.GetAllEntriesFromHash(key);
        public override string GetValueFromHash(string key, string name) => inner.GetValueFromHash(key, name);
        public override long GetHashCount(string key) => inner.GetHashCount(key);
        public override TimeSpan GetHashTtl(string key) => inner.GetHashTtl(key);
        public override long GetListCount(string key) => inner.GetListCount(key);
        public override List<string> GetAllItemsFromList(string key) => inner.GetAllItemsFromList(key);
        public override List<string> GetRangeFromList(string key, int startingFrom, int endingAt) => inner.GetRangeFromList(key, startingFrom, endingAt);
        public override TimeSpan GetListTtl(string key) => inner.GetListTtl(key);
        public override long GetCounter(string key) => inner.GetCounter(key);
        public override DateTime GetUtcDateTime() => inner.GetUtcDateTime();
    }
}
