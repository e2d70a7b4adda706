using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Data.Tests;

/// <summary><c>AddChatBotData()</c> as the host calls it: options, one instance per store, schema at start.</summary>
public sealed class WiringTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A host with <c>AddChatBotData()</c>, <c>Storage:Path</c> <paramref name="path"/> and any other <paramref name="settings"/>.</summary>
    internal static IHost Build(string? path, CapturingLoggerProvider? logs = null, Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (path is not null)
        {
            builder.Configuration["Storage:Path"] = path;
        }

        builder.Configuration.AddInMemoryCollection(settings ?? []);

        builder.Configuration["Breaks:Workdays"] = "mon,wed,fri";
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<BreaksOptions>().BindConfiguration(BreaksOptions.Section);
        builder.Services.AddChatBotData();
        return builder.Build();
    }

    [Fact]
    public void On_Postgres_inbound_claims_and_shard_leases_are_shared_through_the_database()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["Storage:Provider"] = "Postgres";
        builder.Configuration["Storage:ConnectionString"] = "Host=127.0.0.1;Database=chatbot;Username=chatbot";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<BreaksOptions>().BindConfiguration(BreaksOptions.Section);
        builder.Services.AddChatBotData();
        using var host = builder.Build();

        host.Services.GetRequiredService<IInboundClaimStore>().ShouldBeOfType<InboundClaimStore>();
        host.Services.GetRequiredService<IShardLeaseStore>().ShouldBeOfType<ShardLeaseStore>();
    }

    [Fact]
    public async Task Starting_the_host_creates_and_migrates_the_database_at_Storage_Path()
    {
        var file = temp.NewFile().File;
        var logs = new CapturingLoggerProvider();
        using var host = Build(file, logs);

        await host.StartAsync(Ct);

        File.Exists(file).ShouldBeTrue();
        logs.Lines.ShouldContain(line => line.Contains("applied schema version 1", StringComparison.Ordinal));
        var database = host.Services.GetRequiredService<SqliteDatabase>();
        database.Path.ShouldBe(Path.GetFullPath(file));
        database.Workdays.ToString().ShouldBe("mon,wed,fri");
        host.Services.GetRequiredService<IUserStore>().ShouldBeSameAs(host.Services.GetRequiredService<IChannelStore>());
        host.Services.GetRequiredService<ICompletionStore>().ShouldBeSameAs(host.Services.GetRequiredService<ICompletionStore>());
        host.Services.GetService<IInboundClaimStore>().ShouldBeNull(); // one process per SQLite file: in-memory de-duplication
        host.Services.GetService<IShardLeaseStore>().ShouldBeNull(); // and it runs every shard
        await host.StopAsync(Ct);

        // A second start on the same file applies nothing.
        var again = new CapturingLoggerProvider();
        using var second = Build(file, again);
        await second.StartAsync(Ct);
        again.Lines.ShouldNotContain(line => line.Contains("applied schema version", StringComparison.Ordinal));
        await second.StopAsync(Ct);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_Storage_Path_stops_the_host_at_start_naming_the_key(string path)
    {
        using var host = Build(path);

        var error = await Should.ThrowAsync<OptionsValidationException>(host.StartAsync(Ct));

        error.Message.ShouldContain("Storage:Path");
    }

    [Fact]
    public async Task A_Storage_Path_that_is_a_directory_stops_the_host_at_start_naming_the_key()
    {
        using var host = Build(temp.Path);

        var error = await Should.ThrowAsync<OptionsValidationException>(host.StartAsync(Ct));

        error.Message.ShouldContain("Storage:Path");
    }

    [Fact]
    public async Task A_database_from_a_newer_build_stops_the_host_at_start()
    {
        var file = temp.NewFile();
        var store = new TestStore(file);
        await store.Database.EnsureInitializedAsync();
        await using (var connection = store.OpenRaw())
        {
            await connection.ExecuteAsync("INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'future', datetime('now'));");
        }

        using var host = Build(file.File);

        (await Should.ThrowAsync<InvalidOperationException>(host.StartAsync(Ct))).Message.ShouldContain("schema version 99");
    }
}


/// <summary><c>AddChatBotData()</c> with <c>Storage:Provider=Postgres</c>: everything lives in the database.</summary>
public sealed class WiringTestsOnPostgres(PostgresCluster cluster, TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_Postgres_the_bot_starts_works_and_stops_without_creating_the_data_directory()
    {
        var database = (PostgresTestDatabase)new PostgresEngine(cluster).NewDatabase();
        var dataDirectory = Path.Combine(temp.Path, "data");
        using var host = WiringTests.Build(Path.Combine(dataDirectory, "chatbot.db"), settings: new()
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = database.ConnectionString,
        });

        // As the composition root starts it: the start-up checks (SQLite's file lock among them), then the host.
        await DataServiceCollectionExtensions.InitializeAsync(host.Services);
        await host.StartAsync(Ct);
        host.Services.GetRequiredService<Database>().ShouldBeOfType<PostgresDatabase>();
        var now = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        var channel = TestStore.General;
        var (brk, _) = await host.Services.GetRequiredService<IBreakStore>().CreateAsync(
            new ChatBot.Core.Breaks.NewBreak(channel, "rotation", ChatBot.Core.Breaks.BreakOrigin.OnDemand, now, "U1"), Ct);
        (await host.Services.GetRequiredService<ICompletionStore>().RecordAsync(
            new NewCompletion(channel.Team, "U1", "Ann", channel, brk.Id, CompletionKind.Button, now, TestStore.Nov(24)), Ct)).ShouldBe(CompletionOutcome.Recorded);
        (await host.Services.GetRequiredService<ISnoozeStore>().AddAsync(brk.Id, channel.Team, "U1", "Ann", now.AddMinutes(10), Ct)).Snooze.Done.ShouldBeTrue();
        (await host.Services.GetRequiredService<IDirectMessageStore>().ClaimAsync("snooze:1:U1", channel.Team, "U1", "i", now, TimeSpan.FromMinutes(1), Ct))
            .ShouldBeOfType<DirectMessageClaim.Granted>();
        await host.Services.GetRequiredService<IReminderStore>().SetAsync(
            new ReminderSetting(channel.Team, "U1", "Ann", new TimeOnly(15, 0), "UTC", TestStore.Nov(24), now.AddHours(3)), Ct);
        (await host.Services.GetRequiredService<ChatBot.Core.Digests.IDigestStore>().ClaimPostAsync(channel, "week@2026-11-23", now, TimeSpan.FromMinutes(5), Ct)).ShouldBeTrue();
        await host.StopAsync(Ct);

        Directory.Exists(dataDirectory).ShouldBeFalse();
        Directory.EnumerateFileSystemEntries(temp.Path).ShouldBeEmpty();
    }
}
