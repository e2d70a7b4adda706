using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Streaks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Data.Tests;

/// <summary>A temp directory per test class; every test opens its own database file inside it.</summary>
public sealed class TempDirectoryFixture : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("chatbot-data-tests-").FullName;

    public string NewFile() => System.IO.Path.Combine(Path, $"{Guid.NewGuid():N}", "chatbot.db");

    public void Dispose()
    {
        // Pooled connections keep the files open; let them go before the directory is removed.
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}

/// <summary>The real stores on one SQLite file, as the host wires them.</summary>
public sealed class TestStore
{
    public static readonly ChannelKey General = new(ChatPlatform.Slack, "T1", "C-general");
    public static readonly ChannelKey Other = new(ChatPlatform.Slack, "T1", "C-other");

    private long _nextBreakMinute;

    public TestStore(string file, string workdays = "Mon-Fri", FakeTimeProvider? clock = null)
    {
        File = file;
        Clock = clock ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        Database = new SqliteDatabase(
            Options.Create(new StorageOptions { Path = file }),
            Options.Create(new BreaksOptions { Workdays = workdays }),
            NullLogger<SqliteDatabase>.Instance);
        Breaks = new BreakStore(Database, Clock);
        Completions = new CompletionStore(Database);
        Users = new UserStore(Database);
        Away = new AwayStore(Database);
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TeamKey Team => General.Team;

    public string File { get; }

    public FakeTimeProvider Clock { get; }

    public SqliteDatabase Database { get; }

    public BreakStore Breaks { get; }

    public CompletionStore Completions { get; }

    public UserStore Users { get; }

    public AwayStore Away { get; }

    /// <summary>The same file opened again, as after a restart (optionally with another workdays setting).</summary>
    public TestStore Reopen(string workdays = "Mon-Fri") => new(File, workdays, Clock);

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

    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
