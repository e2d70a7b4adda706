using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Streaks;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Data.Tests;

/// <summary>Where a test class's databases live; each <see cref="NewDatabase"/> is a fresh, empty one.</summary>
public abstract class StoreEngine
{
    public abstract TestDatabase NewDatabase();
}

/// <summary>One test database: opened by the stores as the host would, or raw for checks and tampering.</summary>
public abstract class TestDatabase
{
    public abstract Database Open(string workdays);

    /// <summary>An open connection outside the stores (no migration); the caller disposes it.</summary>
    public abstract DbConnection OpenRaw();
}

/// <summary>SQLite: a temp directory per test class; every test opens its own database file inside it.</summary>
public sealed class TempDirectoryFixture : StoreEngine, IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("chatbot-data-tests-").FullName;

    public SqliteTestDatabase NewFile() => new(System.IO.Path.Combine(Path, $"{Guid.NewGuid():N}", "chatbot.db"));

    public override TestDatabase NewDatabase() => NewFile();

    public void Dispose()
    {
        // Pooled connections keep the files open; let them go before the directory is removed.
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}

public sealed class SqliteTestDatabase(string file) : TestDatabase
{
    public string File { get; } = file;

    public override Database Open(string workdays) => new SqliteDatabase(
        Options.Create(new StorageOptions { Path = File }),
        Options.Create(new BreaksOptions { Workdays = workdays }),
        NullLogger<SqliteDatabase>.Instance);

    public override DbConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}

/// <summary>PostgreSQL: a database of its own per test on the assembly's throwaway cluster; skipped when there is none.</summary>
public sealed class PostgresEngine(PostgresCluster cluster) : StoreEngine
{
    public override TestDatabase NewDatabase()
    {
        if (cluster.Unavailable is { } reason)
        {
            Assert.Skip(reason);
        }

        return new PostgresTestDatabase(cluster.CreateDatabase());
    }
}

public sealed class PostgresTestDatabase(string connectionString) : TestDatabase
{
    public string ConnectionString { get; } = connectionString;

    public override Database Open(string workdays) => new PostgresDatabase(
        Options.Create(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = ConnectionString }),
        Options.Create(new BreaksOptions { Workdays = workdays }),
        NullLogger<PostgresDatabase>.Instance);

    public override DbConnection OpenRaw()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }
}

/// <summary>The real stores on one database (either engine), as the host wires them.</summary>
public sealed class TestStore
{
    public static readonly ChannelKey General = new(ChatPlatform.Slack, "T1", "C-general");
    public static readonly ChannelKey Other = new(ChatPlatform.Slack, "T1", "C-other");

    private long _nextBreakMinute;

    public TestStore(TestDatabase where, string workdays = "Mon-Fri", FakeTimeProvider? clock = null)
    {
        Where = where;
        Clock = clock ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        Database = where.Open(workdays);
        Breaks = new BreakStore(Database, Clock);
        Completions = new CompletionStore(Database);
        Users = new UserStore(Database);
        Away = new AwayStore(Database);
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TeamKey Team => General.Team;

    public TestDatabase Where { get; }

    /// <summary>The SQLite file (SQLite-only tests).</summary>
    public string File => ((SqliteTestDatabase)Where).File;

    public FakeTimeProvider Clock { get; }

    public Database Database { get; }

    public BreakStore Breaks { get; }

    public CompletionStore Completions { get; }

    public UserStore Users { get; }

    public AwayStore Away { get; }

    /// <summary>The same file opened again, as after a restart (optionally with another workdays setting).</summary>
    public TestStore Reopen(string workdays = "Mon-Fri") => new(Where, workdays, Clock);

    public static DateOnly Nov(int day) => new(2026, 11, day);

    public static DateTimeOffset Noon(DateOnly day) => new(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    /// <summary>A break taken on one's own (<c>/drill done</c>) on <paramref name="day"/>.</summary>
    public Task<CompletionOutcome> SelfLogAsync(string userId, DateOnly day, ChannelKey? channel = null, string? name = null) =>
        Completions.RecordAsync(
            new NewCompletion(Team, userId, name ?? userId, channel ?? General, null, CompletionKind.SelfLogged, Noon(day), day),
            Ct);

    public async Task<long> NewBreakAsync(ChannelKey? channel = null, DateOnly? day = null)
    {
        var startedAt = Noon(day ?? Nov(24)).AddMinutes(Interlocked.Increment(ref _nextBreakMinute) % 600);
        var (record, _) = await Breaks.CreateAsync(new NewBreak(channel ?? General, "rotation", BreakOrigin.OnDemand, startedAt, "U-starter"), Ct);
        return record.Id;
    }

    /// <summary>A Done click on break <paramref name="breakId"/> on <paramref name="day"/>.</summary>
    public Task<CompletionOutcome> ClickAsync(string userId, long breakId, DateOnly day, ChannelKey? channel = null, string? name = null) =>
        Completions.RecordAsync(
            new NewCompletion(Team, userId, name ?? userId, channel ?? General, breakId, CompletionKind.Button, Noon(day), day),
            Ct);

    /// <summary>A new break in <paramref name="channel"/> that <paramref name="userId"/> completes on <paramref name="day"/>.</summary>
    public async Task TakeBreakAsync(string userId, DateOnly day, ChannelKey? channel = null, string? name = null)
    {
        var id = await NewBreakAsync(channel, day);
        (await ClickAsync(userId, id, day, channel, name)).ShouldBe(CompletionOutcome.Recorded);
    }

    public Task<StreakStats> StreakAsync(string userId, DateOnly today, int ledgerDays = 14) =>
        Completions.GetStreakAsync(Team, userId, today, ledgerDays, Ct);

    public DbConnection OpenRaw() => Where.OpenRaw();

    /// <summary>Instances starting at the same moment: every store's database is initialised at once.</summary>
    public static async Task StartTogetherAsync(IEnumerable<TestStore> stores)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var starts = stores.Select(s => Task.Run(async () =>
        {
            await go.Task;
            await s.Database.EnsureInitializedAsync();
        }, Ct)).ToList();
        go.SetResult();

        await Task.WhenAll(starts).WaitAsync(TimeSpan.FromSeconds(60), Ct);
    }
}
