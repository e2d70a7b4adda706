using ChatBot.Core;
using ChatBot.Core.Ports;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Data.Tests;

/// <summary><c>AddChatBotData()</c> as the host calls it: options, one instance per store, schema at start.</summary>
public sealed class WiringTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IHost Build(string? path, CapturingLoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (path is not null)
        {
            builder.Configuration["Storage:Path"] = path;
        }

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

