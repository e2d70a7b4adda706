using ChatBot.Scheduling.Tests.Fakes;
using Hangfire.Storage;
using Hangfire.Storage.SQLite;
using Hangfire.Storage.SQLite.Entities;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>
/// The lock around scheduling a break's next step: one holder at a time, released on dispose; on the SQLite job file
/// (one process per file) held in the process, without a row in the file; on PostgreSQL shared by every instance.
/// </summary>
public sealed class BreakChainLockTests(PostgresCluster cluster)
{
    private const string Chain = "break-chain:7:lock";

    [Fact]
    public void On_the_SQLite_job_file_the_lock_is_held_in_the_process_without_a_row_in_the_file()
    {
        using var files = BotEngine.Sqlite.NewFiles();
        var storage = (SQLiteStorage)BotEngine.OpenJobStorage(files, new SchedulingOptions());
        var locks = new BreakChainLock(storage);
        using var connection = storage.GetConnection();

        using (locks.Acquire(connection, Chain, TimeSpan.FromSeconds(5)))
        {
            using var context = storage.CreateAndOpenConnection();
            context.Database.Table<DistributedLock>().Count().ShouldBe(0);
            Should.Throw<DistributedLockTimeoutException>(() => locks.Acquire(connection, Chain, TimeSpan.FromMilliseconds(100)).Dispose());
        }

        locks.Acquire(connection, Chain, TimeSpan.FromSeconds(5)).Dispose(); // released: free again
    }

    [Fact]
    public void On_PostgreSQL_an_instance_waits_for_the_lock_another_instance_holds()
    {
        using var files = BotEngine.Postgres(cluster).NewFiles();
        var options = new SchedulingOptions();
        var (first, second) = (BotEngine.OpenJobStorage(files, options), BotEngine.OpenJobStorage(files, options));
        using var firstConnection = first.GetConnection();
        using var secondConnection = second.GetConnection();

        using (new BreakChainLock(first).Acquire(firstConnection, Chain, TimeSpan.FromSeconds(5)))
        {
            Should.Throw<DistributedLockTimeoutException>(() => new BreakChainLock(second).Acquire(secondConnection, Chain, TimeSpan.FromMilliseconds(500)).Dispose());
        }

        new BreakChainLock(second).Acquire(secondConnection, Chain, TimeSpan.FromSeconds(5)).Dispose();
    }
}
