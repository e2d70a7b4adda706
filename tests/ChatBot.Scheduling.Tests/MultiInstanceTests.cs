using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Scheduling.Tests.Fakes;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Shouldly;
using static ChatBot.Scheduling.Tests.MultiInstanceTestsOnPostgres;

namespace ChatBot.Scheduling.Tests;

/// <summary>
/// Several instances (separate hosts, each with its own Hangfire server and its own view of the chat platform) on
/// one PostgreSQL database: they start together on an empty database, fire the same 50 schedule slots, and one of
/// them dies in the middle of a cue thread. Every prompt and cue is posted once, across all of them.
/// </summary>
public sealed class MultiInstanceTestsOnPostgres(PostgresCluster cluster)
{
    internal const int Channels = 50;

    // Wednesday 25 November 2026, 09:30 in Berlin (CET, UTC+1).
    internal static readonly DateTimeOffset SlotInstant = new(2026, 11, 25, 8, 30, 0, TimeSpan.Zero);
    private static readonly TimeOnly NineThirty = new(9, 30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Instances_starting_at_the_same_moment_on_an_empty_database_migrate_it_once_and_all_start()
    {
        using var files = NewFiles();
        var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string?> { ["Scheduling:Schema"] = "jobs" };
        var hosts = Enumerable.Range(0, 3).Select(i => TestBot.Build(files, new RecordingPlatform(idPrefix: $"i{i}-"), settings, logs: logs)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => h.StartAsync(Ct)));

            var migrations = logs.Entries.Where(l => l.Message.Contains("applied schema version", StringComparison.Ordinal)).ToList();
            migrations.ShouldNotBeEmpty();
            migrations.Select(l => l.Message).ShouldBeUnique(); // each version applied by one instance only
            await using var connection = new NpgsqlConnection(files.ConnectionString);
            await connection.OpenAsync(Ct);
            (await ScalarAsync(connection, "SELECT COUNT(*) FROM schema_version;")).ShouldBe(migrations.Count);
            // Hangfire's tables: in the bot's database, in the configured schema.
            (await ScalarAsync(connection, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'jobs' AND table_name IN ('job', 'jobqueue', 'lock');")).ShouldBe(3);
            (await ScalarAsync(connection, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'hangfire';")).ShouldBe(0);
            Directory.Exists(files.Directory).ShouldBeFalse("nothing is written beside Storage:Path with PostgreSQL");
        }
        finally
        {
            await StopAllAsync(hosts);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Instances_firing_the_same_50_slots_post_every_prompt_and_cue_once_and_count_a_Done_once(int instances)
    {
        using var files = NewFiles();
        var clock = new FakeTimeProvider(SlotInstant.AddSeconds(2));
        var platforms = Enumerable.Range(0, instances).Select(i => new RecordingPlatform(idPrefix: $"i{i}-")).ToList();
        var logs = new CapturingLoggerProvider();
        var hosts = platforms.Select(p => TestBot.Build(files, p, clock: clock, logs: logs)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => h.StartAsync(Ct)));
            await AddSlotsAsync(hosts[0]);

            // Every instance fires every slot, all at once.
            await Task.WhenAll(hosts.Select(h => Task.Run(() => TriggerAll(h), Ct)));
            var steps = BreakChainTests.StepCount("extension");
            await WaitForPostsAsync(platforms, Channels * steps, logs: logs, storage: hosts[0].Services.GetRequiredService<JobStorage>(), connectionString: files.ConnectionString);
            await Jobs.WaitForIdleAsync(hosts[0].Services.GetRequiredService<JobStorage>(), TimeSpan.FromMinutes(1));

            var posts = platforms.SelectMany(p => p.Posts).ToList();
            AssertEveryThreadOnce(posts, steps);
            platforms.ShouldAllBe(p => p.Posts.Count > 0); // the work was spread, not done by one

            // The same click on one break's Done, delivered to every instance (a platform redelivering it elsewhere).
            var breakId = BreakId(posts[0]);
            var click = new ButtonClick(posts[0].Channel, new ChatUser("U1", "Ada"), ButtonAction.Done(breakId));
            await Task.WhenAll(hosts.Select(async h =>
            {
                await using var scope = h.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ICommandHandler>().HandleClickAsync(click, Ct);
            }));
            (await hosts[^1].Services.GetRequiredService<ICompletionStore>().CountForBreakAsync(breakId, Ct)).ShouldBe(1);
        }
        finally
        {
            await StopAllAsync(hosts);
        }
    }

    private BotFiles NewFiles() => NewFiles(cluster);

    internal static BotFiles NewFiles(PostgresCluster cluster)
    {
        if (cluster.Unavailable is { } reason)
        {
            Assert.Skip(reason);
        }

        return new BotFiles(cluster.CreateDatabase());
    }

    internal static async Task AddSlotsAsync(IHost host)
    {
        var store = host.Services.GetRequiredService<IScheduleStore>();
        var sync = host.Services.GetRequiredService<IScheduleSync>();
        foreach (var channel in ChannelKeys())
        {
            await store.SetTimeZoneAsync(channel, "Europe/Berlin", Ct);
            await store.UpsertSlotAsync(new ScheduleSlot(channel, NineThirty, ScheduleDays.Weekdays), Ct);
            await sync.SyncChannelAsync(channel, Ct);
        }
    }

    internal static void TriggerAll(IHost host)
    {
        Jobs.TriggerSlot(host, "Europe/Berlin", NineThirty, ScheduleDays.Weekdays);
    }

    private static IEnumerable<ChannelKey> ChannelKeys() =>
        Enumerable.Range(0, Channels).Select(i => new ChannelKey(ChatPlatform.Console, "console", $"c{i:00}"));

    /// <summary>
    /// Waits until the platforms hold <paramref name="count"/> posts in all (3 min by default). On time-out, throws a
    /// <see cref="TimeoutException"/> naming the unfinished threads, the last warnings and errors in <paramref name="logs"/>,
    /// and the state of the jobs in <paramref name="storage"/> (with <paramref name="connectionString"/>, the PostgreSQL
    /// cluster's sessions too: <see cref="Jobs.Describe"/>).
    /// </summary>
    internal static async Task WaitForPostsAsync(List<RecordingPlatform> platforms, int count, TimeSpan? timeout = null, CapturingLoggerProvider? logs = null, JobStorage? storage = null, string? connectionString = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(timeout ?? TimeSpan.FromMinutes(3));
        while (platforms.Sum(p => p.Posts.Count) < count)
        {
            // Each platform signals its own posts: wake on the next post anywhere (or re-check after a short while).
            // A condition the posts already meet would complete at once and make this a busy loop, which took a
            // core (and 20-30 collections a second) from the bot under test, and both cores when two such tests ran.
            var seen = platforms.Select(p => p.Posts.Count).ToList();
            var waits = platforms.Select((p, i) => p.WaitForPostsAsync(posts => posts.Count > seen[i], TimeSpan.FromMilliseconds(200)).ContinueWith(_ => { }, TaskScheduler.Default));
            try
            {
                await Task.WhenAny(waits).WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                var posts = platforms.SelectMany(p => p.Posts).ToList();
                var unfinished = posts.GroupBy(BreakId).Where(g => g.Count() < count / Channels).Select(g => $"b{g.Key}: {string.Join(',', g.Select(p => p.Options.Tag!.Step))}");
                var problems = (logs?.Entries ?? []).Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).TakeLast(20)
                    .Select(l => $"{l.At:HH:mm:ss.fff} {l.Level} {l.Category}: {l.Message} {l.Exception?.GetType().Name} {l.Exception?.Message}");
                var jobs = storage is null ? "" : $"\njobs: {Jobs.Describe(storage, connectionString)}";
                throw new TimeoutException($"{posts.Count} of {count} posts arrived; unfinished threads: {string.Join("; ", unfinished)}; last warnings and errors:\n{string.Join('\n', problems)}{jobs}");
            }
        }
    }

    /// <summary>One break per channel; each break's steps once, in order, the cues in its prompt's thread.</summary>
    internal static void AssertEveryThreadOnce(List<RecordedPost> posts, int steps)
    {
        posts.Select(p => p.Options.IdempotencyKey).ShouldBeUnique();
        var byBreak = posts.GroupBy(BreakId).ToList();
        byBreak.Count.ShouldBe(Channels);
        byBreak.Select(g => g.First().Channel).Distinct().Count().ShouldBe(Channels);
        foreach (var thread in byBreak)
        {
            var ordered = thread.OrderBy(p => p.Options.Tag!.Step).ToList();
            ordered.Select(p => p.Options.Tag!.Step).ShouldBe(Enumerable.Range(0, steps));
            ordered.Skip(1).ShouldAllBe(p => p.Options.ThreadRootMessageId == ordered[0].MessageId);
        }
    }

    internal static long BreakId(RecordedPost post) => post.Options.Tag!.BreakId;

    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static async Task StopAllAsync(List<IHost> hosts)
    {
        foreach (var host in hosts)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }
}

/// <summary>
/// Three instances on one PostgreSQL database running the 50 slots, one of them killed in the middle of cue
/// threads: the others finish every thread, each cue once. (A class of its own so it runs beside the others.)
/// </summary>
public sealed class InstanceKillTestsOnPostgres(PostgresCluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <remarks>
    /// The killed instance freezes in the middle of posting a cue (its claim taken, nothing sent); then the database
    /// stops hearing from it, as from a killed process: its login is disabled and its sessions ended, so it can
    /// neither renew the job it was running nor its heartbeat; then it is disposed without a graceful stop. Another
    /// instance takes the job over once it is visible again (<c>Scheduling:InvisibilityTimeout</c>, 10 s here) and,
    /// as the dead instance's heartbeat is stale (<see cref="BotInstance.DeadAfter"/> on the bot's clock), its claim.
    /// </remarks>
    [Fact]
    public async Task An_instance_killed_in_the_middle_of_cue_threads_leaves_them_to_the_others_each_cue_once()
    {
        using var files = NewFiles(cluster);
        var clock = new FakeTimeProvider(SlotInstant.AddSeconds(2));
        var platforms = Enumerable.Range(0, 3).Select(i => new RecordingPlatform(idPrefix: $"i{i}-")).ToList();
        // One chat: a cue the victim sent but could not record is found by the survivor's resend, as on Slack or Discord.
        platforms.ForEach(p => p.SameChatAs = platforms);
        var settings = new Dictionary<string, string?> { ["Scheduling:InvisibilityTimeout"] = "00:00:10" };
        // The victim connects as a login of its own, so the database can drop it alone.
        var victimLogin = $"victim_{Guid.NewGuid():N}";
        await ExecuteAsync(files.ConnectionString!, $"CREATE ROLE {victimLogin} LOGIN SUPERUSER;");
        using var victimFiles = new BotFiles(new NpgsqlConnectionStringBuilder(files.ConnectionString) { Username = victimLogin }.ConnectionString);
        var logs = new CapturingLoggerProvider();
        var hosts = platforms.Select((p, i) => TestBot.Build(i == 0 ? victimFiles : files, p, settings, clock, logs)).ToList();
        var victim = hosts[0];
        var frozen = new TaskCompletionSource<PostOptions>(TaskCreationOptions.RunContinuationsAsynchronously);
        platforms[0].Intercept = (options, taken) =>
            !taken && options.Tag?.Step >= 2 && frozen.TrySetResult(options)
                ? new TaskCompletionSource().Task // the instance dies here: the call never returns
                : Task.CompletedTask;
        try
        {
            await Task.WhenAll(hosts.Select(h => h.StartAsync(Ct)));
            await AddSlotsAsync(hosts[0]);
            await Task.WhenAll(hosts.Select(h => Task.Run(() => TriggerAll(h), Ct)));

            var killedAt = await frozen.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
            await ExecuteAsync(
                files.ConnectionString!,
                $"ALTER ROLE {victimLogin} NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{victimLogin}';");
            victim.Dispose(); // no StopAsync: nothing is released or marked ended

            // Time passes (the bot's clock; Hangfire keeps real time): the dead instance's heartbeat is stale.
            hosts.Remove(victim);
            await LetTimePassAsync(clock, BotInstance.DeadAfter + TimeSpan.FromSeconds(1), hosts, files.ConnectionString!);

            var steps = BreakChainTests.StepCount("extension");
            var survivors = platforms.Skip(1).ToList();
            await WaitForPostsAsync(platforms, Channels * steps, TimeSpan.FromMinutes(4), logs, hosts[0].Services.GetRequiredService<JobStorage>());
            await Jobs.WaitForIdleAsync(hosts[0].Services.GetRequiredService<JobStorage>(), TimeSpan.FromMinutes(1));

            var posts = platforms.SelectMany(p => p.Posts).ToList();
            AssertEveryThreadOnce(posts, steps);
            survivors.SelectMany(p => p.Posts).ShouldContain(p => p.Options.IdempotencyKey == killedAt.IdempotencyKey); // finished elsewhere
        }
        finally
        {
            await StopAllAsync(hosts);
        }
    }

    /// <summary>
    /// Moves the bot's clock on by <paramref name="span"/> as it moves for live processes: one heartbeat interval at a
    /// time, each live instance's beat written before the next. Jumped at once, every heartbeat would look stale
    /// until its next beat, and a live instance could take over another live one's claim in the meantime.
    /// </summary>
    private static async Task LetTimePassAsync(FakeTimeProvider clock, TimeSpan span, List<IHost> live, string connectionString)
    {
        var ids = live.Select(h => h.Services.GetRequiredService<BotInstance>().Id).ToArray();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        for (var passed = TimeSpan.Zero; passed < span; passed += BotInstance.HeartbeatInterval)
        {
            clock.Advance(BotInstance.HeartbeatInterval);
            await using var beaten = new NpgsqlCommand("SELECT COUNT(*) FROM instances WHERE id = ANY(@ids) AND last_seen >= @now;", connection);
            beaten.Parameters.AddWithValue("ids", ids);
            beaten.Parameters.AddWithValue("now", clock.GetUtcNow().ToUnixTimeMilliseconds());
            while (Convert.ToInt32(await beaten.ExecuteScalarAsync(deadline.Token), System.Globalization.CultureInfo.InvariantCulture) < ids.Length)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token); // polls for the beats; the deadline bounds it
            }
        }
    }
}
