using ChatBot.Scheduling.Tests.Fakes;
using Hangfire.Storage;
using Hangfire.Storage.SQLite;
using Hangfire.Storage.SQLite.Entities;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>
/// Hangfire's distributed locks (a job's state lock, the delayed-job scheduler's, a break chain's): one holder at a
/// time, released on dispose. On the SQLite job file (one process per file) they are held in the process, without a
/// row in the file, and a waiter goes on as soon as the holder lets go; on PostgreSQL they are shared by every instance.
/// </summary>
public sealed class JobStorageLockTests(PostgresCluster cluster)
{
    private const string Resource = "job:7:state-lock";

    [Fact]
    public void On_the_SQLite_job_file_a_lock_is_held_in_the_process_without_a_row_in_the_file()
    {
        using var files = BotEngine.Sqlite.NewFiles();
        var storage = (SQLiteStorage)BotEngine.OpenJobStorage(files, new SchedulingOptions());
        using var connection = storage.GetConnection();
        using var other = storage.GetConnection();

        using (connection.AcquireDistributedLock(Resource, TimeSpan.FromSeconds(5)))
        {
            using var context = storage.CreateAndOpenConnection();
            context.Database.Table<DistributedLock>().Count().ShouldBe(0);
            Should.Throw<DistributedLockTimeoutException>(() => other.AcquireDistributedLock(Resource, TimeSpan.FromMilliseconds(100)).Dispose())
                .Message.ShouldContain(Resource);
            other.AcquireDistributedLock("job:8:state-lock", TimeSpan.FromSeconds(5)).Dispose(); // another job's lock is free
        }

        other.AcquireDistributedLock(Resource, TimeSpan.FromSeconds(5)).Dispose(); // released: free again
    }

    /// <summary>
    /// The library's own waiter slept a tenth of its timeout between tries, woken by one pulse per release that it
    /// could miss when the release fell between a try and the sleep: a worker waiting on a job's state lock (15 min
    /// timeout) went on up to 90 s late, and so did its cue. That window can't be driven from outside; what this test
    /// holds is the rule that closes it: every waiter of a released lock goes on at once, however many wait on other
    /// locks meanwhile (one wake-up per release, as the library gave, fails here), and whichever thread releases it
    /// (an async job resumes elsewhere).
    /// </summary>
    [Fact]
    public async Task On_the_SQLite_job_file_the_waiters_of_a_lock_go_on_when_it_is_released_while_those_of_another_keep_waiting()
    {
        using var files = BotEngine.Sqlite.NewFiles();
        var storage = BotEngine.OpenJobStorage(files, new SchedulingOptions());
        using var holderConnection = storage.GetConnection();
        const string other = "job:8:state-lock";
        var released = holderConnection.AcquireDistributedLock(Resource, TimeSpan.FromSeconds(5));
        using var stillHeld = holderConnection.AcquireDistributedLock(other, TimeSpan.FromSeconds(5));

        var waiting = new Thread?[6];
        var waiters = Enumerable.Range(0, waiting.Length).Select(i => Task.Factory.StartNew(
            () =>
            {
                using var connection = storage.GetConnection();
                Volatile.Write(ref waiting[i], Thread.CurrentThread);
                connection.AcquireDistributedLock(i % 2 == 0 ? Resource : other, TimeSpan.FromMinutes(15)).Dispose();
            },
            TaskCreationOptions.LongRunning)).ToArray();

        SpinWait.SpinUntil(
            () => waiting.All(t => Volatile.Read(ref t) is { } thread && (thread.ThreadState & ThreadState.WaitSleepJoin) != 0),
            TimeSpan.FromSeconds(30)).ShouldBeTrue("the waiters never blocked on the held locks");
        waiters.ShouldAllBe(w => !w.IsCompleted);

        await Task.Run(released.Dispose, TestContext.Current.CancellationToken); // on another thread than it was taken on
        var ofReleased = waiters.Where((_, i) => i % 2 == 0).ToArray();
        // A generous bound, far below the 15 min the waiters would sleep if a release's wake-up went to another lock's waiter.
        await Task.WhenAll(ofReleased).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        waiters.Where((_, i) => i % 2 == 1).ShouldAllBe(w => !w.IsCompleted);

        stillHeld.Dispose();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// The library's counters aggregator (the dashboard's succeeded and deleted totals) takes the storage's connection
    /// as the library's own type; the connection that locks in the process still is one.
    /// </summary>
    [Fact]
    public void On_the_SQLite_job_file_the_librarys_counters_aggregator_still_runs()
    {
        using var files = BotEngine.Sqlite.NewFiles();
        var storage = (SQLiteStorage)BotEngine.OpenJobStorage(files, new SchedulingOptions());
        using (var connection = storage.GetConnection())
        using (var transaction = connection.CreateWriteTransaction())
        {
            transaction.IncrementCounter("stats:succeeded");
            transaction.Commit();
        }

        // The storage runs it every 5 min and then waits that long; one pass, without the wait, is what is tested.
        new CountersAggregator(storage, TimeSpan.Zero).Execute(TestContext.Current.CancellationToken);

        using var context = storage.CreateAndOpenConnection();
        context.Database.Table<AggregatedCounter>().Where(c => c.Key == "stats:succeeded").Select(c => c.Value).ToList().ShouldBe([1]);
    }

    [Fact]
    public void On_PostgreSQL_an_instance_waits_for_the_lock_another_instance_holds()
    {
        using var files = BotEngine.Postgres(cluster).NewFiles();
        var options = new SchedulingOptions();
        var (first, second) = (BotEngine.OpenJobStorage(files, options), BotEngine.OpenJobStorage(files, options));
        using var firstConnection = first.GetConnection();
        using var secondConnection = second.GetConnection();

        using (firstConnection.AcquireDistributedLock(Resource, TimeSpan.FromSeconds(5)))
        {
            Should.Throw<DistributedLockTimeoutException>(() => secondConnection.AcquireDistributedLock(Resource, TimeSpan.FromMilliseconds(500)).Dispose());
        }

        secondConnection.AcquireDistributedLock(Resource, TimeSpan.FromSeconds(5)).Dispose();
    }
}
