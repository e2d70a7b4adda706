using ChatBot.Data.Schema;
using Dapper;

namespace ChatBot.Data.Tests;

/// <summary>The schema on a PostgreSQL database shared by several instances (the SQLite file's are in <see cref="SchemaTests"/>).</summary>
public sealed class SchemaTestsOnPostgres(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly PostgresEngine _engine = new(cluster);

    [Fact]
    public async Task Instances_starting_at_the_same_moment_on_a_fresh_database_all_come_up_and_migrate_once()
    {
        for (var round = 0; round < 3; round++)
        {
            var database = _engine.NewDatabase();
            var stores = Enumerable.Range(0, 4).Select(_ => new TestStore(database)).ToList();
            await TestStore.StartTogetherAsync(stores);

            await using var connection = database.OpenRaw();
            (await connection.QueryAsync<long>("SELECT version FROM schema_version ORDER BY version;"))
                .ShouldBe(Migrations.All.Select(m => (long)m.Version).Order());
            // Every instance works on the result.
            foreach (var store in stores)
            {
                (await store.StreakAsync("U1", TestStore.Nov(24))).TotalBreaks.ShouldBe(0);
            }
        }
    }

    [Fact]
    public async Task The_bots_sessions_plan_without_JIT_compilation()
    {
        // A digest's plan with JIT took ~0.8 s to compile for ~10 ms of work.
        var store = new TestStore(_engine.NewDatabase());
        await using var connection = await store.Database.OpenAsync(Ct);

        (await connection.ExecuteScalarAsync<string>("SHOW jit;")).ShouldBe("off");
    }

    [Fact]
    public async Task An_instance_refuses_a_schema_newer_than_it_knows_naming_both_versions()
    {
        var database = _engine.NewDatabase();
        var store = new TestStore(database);
        await store.Database.EnsureInitializedAsync();
        var future = Migrations.All.Max(m => m.Version) + 1;
        await using (var connection = database.OpenRaw())
        {
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (@future, 'from a newer build', 'now');", new { future });
        }

        var older = store.Reopen();
        var error = await Should.ThrowAsync<InvalidOperationException>(older.Database.EnsureInitializedAsync());

        error.Message.ShouldContain($"schema version {future}");
        error.Message.ShouldContain($"newer than this build knows ({future - 1})");
        error.Message.ShouldContain("PostgreSQL");
        await Should.ThrowAsync<InvalidOperationException>(older.Completions.GetStreakAsync(TestStore.Team, "U1", TestStore.Nov(24), 14, Ct));
    }

    [Fact]
    public async Task The_schema_holds_the_same_tables_and_indexes_as_on_SQLite_with_64_bit_integers()
    {
        var database = _engine.NewDatabase();
        await new TestStore(database).Database.EnsureInitializedAsync();

        await using var connection = database.OpenRaw();
        var relations = (await connection.QueryAsync<string>(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public';")).ToHashSet();
        string[] expected =
        [
            "channels", "users", "breaks", "break_posts", "completions", "channel_members", "streaks", "settings", "schedule_slots",
            "instances", "digest_posts", "away_days", "ux_breaks_slot", "ux_completions_break", "ux_completions_self", "ix_completions_user",
            "digest_settings", "digest_requests", "ix_completions_channel_at_who", "dm_posts", "dm_refusals", "snoozes", "reminders",
            "ix_reminders_due", "reminder_sends", "ix_reminder_sends_due",
        ];
        expected.Except(relations).ShouldBeEmpty();
        (await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'integer' AND table_name <> 'schema_version';"))
            .ShouldBe(0);
    }
}
