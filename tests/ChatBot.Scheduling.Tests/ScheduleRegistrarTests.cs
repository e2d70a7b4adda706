using ChatBot.Core;
using ChatBot.Core.Schedules;
using ChatBot.Scheduling.Tests.Fakes;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>Schedule slots and digests as Hangfire recurring jobs, in the real job storage of each engine.</summary>
public abstract class ScheduleRegistrarTests : IAsyncDisposable
{
    private static readonly ChannelKey Berlin = new(ChatPlatform.Slack, "T1", "C1");
    private static readonly ChannelKey NewYork = new(ChatPlatform.Discord, "G1", "123456789");

    private readonly InMemoryScheduleStore store = new();
    private readonly InMemoryDigestStore digests = new();
    private readonly BotFiles files;
    private readonly JobStorage storage;
    private readonly ServiceProvider provider;
    private readonly ScheduleRegistrar registrar;

    protected ScheduleRegistrarTests(BotEngine engine)
    {
        files = engine.NewFiles();
        storage = BotEngine.OpenJobStorage(files, new SchedulingOptions());
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<IScheduleStore>(store);
        services.AddSingleton<ChatBot.Core.Digests.IDigestStore>(digests);
        services.AddOptions<ChatBot.Core.BreaksOptions>().Configure(o => o.DefaultTimeZone = "Asia/Tokyo");
        services.AddChatBotScheduling(_ => storage);
        provider = services.BuildServiceProvider();
        registrar = provider.GetRequiredService<ScheduleRegistrar>();
    }

    [Fact]
    public async Task EachDistinctSlot_BecomesOneRecurringJob_WithCronAndTheChannelsZone()
    {
        await store.SetTimeZoneAsync(Berlin, "Europe/Berlin", CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(14, 0), ScheduleDays.Monday | ScheduleDays.Friday), CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(NewYork, new TimeOnly(2, 30), ScheduleDays.Daily), CancellationToken.None);

        await registrar.SyncAllAsync(CancellationToken.None);

        var jobs = RecurringJobs();
        jobs.Keys.ShouldBe(
            ["break-slots:Asia/Tokyo:0230:*", "break-slots:Europe/Berlin:0930:1-5", "break-slots:Europe/Berlin:1400:1,5"],
            ignoreOrder: true);
        jobs["break-slots:Europe/Berlin:0930:1-5"].Cron.ShouldBe("30 9 * * 1-5");
        jobs["break-slots:Europe/Berlin:0930:1-5"].TimeZoneId.ShouldBe("Europe/Berlin");
        jobs["break-slots:Europe/Berlin:1400:1,5"].Cron.ShouldBe("0 14 * * 1,5");
        jobs["break-slots:Asia/Tokyo:0230:*"].TimeZoneId.ShouldBe("Asia/Tokyo"); // no channel zone: the default
        jobs["break-slots:Europe/Berlin:0930:1-5"].Job.Type.ShouldBe(typeof(BreakSlotJob));
        jobs["break-slots:Europe/Berlin:0930:1-5"].Job.Args.Take(3).ShouldBe(["Europe/Berlin", "0930", (int)ScheduleDays.Weekdays]);
        jobs.Values.ShouldAllBe(j => j.NextExecution != null);
    }

    [Fact]
    public async Task ChannelsWithTheSameSlot_ShareOneJob_AndItStaysUntilTheLastOneLeaves()
    {
        var daily = new ChannelKey(ChatPlatform.Slack, "T1", "C2");
        await store.UpsertSlotAsync(new ScheduleSlot(NewYork, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(daily, new TimeOnly(9, 30), ScheduleDays.Daily), CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);
        await registrar.SyncAllAsync(CancellationToken.None);
        RecurringJobs().Keys.ShouldBe(["break-slots:Asia/Tokyo:0930:1-5", "break-slots:Asia/Tokyo:0930:*"], ignoreOrder: true);

        await store.RemoveSlotAsync(NewYork, new TimeOnly(9, 30), CancellationToken.None);
        await registrar.SyncChannelAsync(NewYork, CancellationToken.None);
        RecurringJobs().Keys.ShouldBe(["break-slots:Asia/Tokyo:0930:1-5", "break-slots:Asia/Tokyo:0930:*"], ignoreOrder: true, "Berlin still has it");

        await store.RemoveSlotAsync(Berlin, new TimeOnly(9, 30), CancellationToken.None);
        await registrar.SyncChannelAsync(Berlin, CancellationToken.None);
        RecurringJobs().Keys.ShouldBe(["break-slots:Asia/Tokyo:0930:*"]);
    }

    [Fact]
    public async Task RemovingASlot_RemovesItsJob_OnlyThat_AndOtherChannelsStay()
    {
        await store.SetTimeZoneAsync(Berlin, "Europe/Berlin", CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(14, 0), ScheduleDays.Weekdays), CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(NewYork, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);
        await registrar.SyncAllAsync(CancellationToken.None);

        await store.RemoveSlotAsync(Berlin, new TimeOnly(9, 30), CancellationToken.None);
        await registrar.SyncChannelAsync(Berlin, CancellationToken.None);

        RecurringJobs().Keys.ShouldBe(["break-slots:Europe/Berlin:1400:1-5", "break-slots:Asia/Tokyo:0930:1-5"], ignoreOrder: true);
    }

    [Fact]
    public async Task ZoneChange_MovesTheChannelToTheNewZonesJob()
    {
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);
        await registrar.SyncChannelAsync(Berlin, CancellationToken.None);
        RecurringJobs().Single().Value.TimeZoneId.ShouldBe("Asia/Tokyo");

        await store.SetTimeZoneAsync(Berlin, "America/New_York", CancellationToken.None);
        await registrar.SyncChannelAsync(Berlin, CancellationToken.None);

        var job = RecurringJobs().Single();
        job.Key.ShouldBe("break-slots:America/New_York:0930:1-5");
        job.Value.TimeZoneId.ShouldBe("America/New_York");
    }

    [Fact]
    public async Task SyncAll_RemovesJobsOfSlotsNoLongerStored_AndEarlierPerChannelJobs_ButNotForeignJobs()
    {
        var manager = provider.GetRequiredService<IRecurringJobManager>();
        manager.AddOrUpdate<BreakSlotJob>("break-slot:slack:T9:C9:0800", j => j.RunAsync("Slack", "T9", "C9", "0800", CancellationToken.None), "0 8 * * *");
        manager.AddOrUpdate<BreakSlotJob>("break-slot:slack:T1:C1:0930", j => j.RunAsync("Slack", "T1", "C1", "0930", CancellationToken.None), "30 9 * * 1-5");
        manager.AddOrUpdate<BreakSlotJob>("break-slots:UTC:0800:*", j => j.RunAllAsync("UTC", "0800", (int)ScheduleDays.Daily, CancellationToken.None), "0 8 * * *");
        manager.AddOrUpdate("someone-elses-job", () => Console.WriteLine("hi"), "0 8 * * *");
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);

        await registrar.SyncAllAsync(CancellationToken.None);

        AllRecurringJobs().Keys.ShouldBe(["break-slots:Asia/Tokyo:0930:1-5", "digest:slack:T1:C1", "someone-elses-job"], ignoreOrder: true);
    }

    [Fact]
    public async Task Wiring_UsesOurStorage_ProvidesTheRunner_AndOutlastsHangfiresShutdown()
    {
        provider.GetRequiredService<JobStorage>().ShouldBeSameAs(storage);
        provider.GetRequiredService<ChatBot.Core.Breaks.IBreakRunner>().ShouldBeOfType<HangfireBreakRunner>();
        provider.GetRequiredService<IScheduleSync>().ShouldBeSameAs(registrar);
        var host = provider.GetRequiredService<IOptions<HostOptions>>().Value;
        var scheduling = provider.GetRequiredService<IOptions<SchedulingOptions>>().Value;
        host.ShutdownTimeout.ShouldBeGreaterThan(scheduling.ShutdownTimeout);
        await using var scope = provider.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<IScheduleCommandHandler>().ShouldBeOfType<ScheduleCommandHandler>();
    }

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        (storage as IDisposable)?.Dispose();
        files.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The break slots' jobs (each channel's digest job has its own tests below).</summary>
    private Dictionary<string, RecurringJobDto> RecurringJobs() =>
        AllRecurringJobs().Where(j => j.Key.StartsWith("break-slots:", StringComparison.Ordinal)).ToDictionary();

    private Dictionary<string, RecurringJobDto> AllRecurringJobs()
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs().ToDictionary(j => j.Id);
    }

    [Fact]
    public async Task EachScheduledChannel_GetsOneDigestJob_AtItsLastWorkday1600_InItsZone_UntilTurnedOff()
    {
        await store.SetTimeZoneAsync(Berlin, "Europe/Berlin", CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(14, 0), ScheduleDays.Weekdays), CancellationToken.None);

        await registrar.SyncAllAsync(CancellationToken.None);

        var digest = AllRecurringJobs()["digest:slack:T1:C1"];
        digest.Cron.ShouldBe("0 16 * * 5");
        digest.TimeZoneId.ShouldBe("Europe/Berlin");
        digest.Job.Type.ShouldBe(typeof(DigestJob));
        AllRecurringJobs().Keys.Count(k => k.StartsWith("digest:", StringComparison.Ordinal)).ShouldBe(1, "one digest per channel, not per slot");

        await digests.SetSettingAsync(Berlin, new(true, new(DayOfWeek.Monday, new TimeOnly(8, 45))), CancellationToken.None);
        await registrar.SyncChannelAsync(Berlin, CancellationToken.None);
        AllRecurringJobs()["digest:slack:T1:C1"].Cron.ShouldBe("45 8 * * 1");

        await digests.SetSettingAsync(Berlin, new(false, null), CancellationToken.None);
        await registrar.SyncChannelAsync(Berlin, CancellationToken.None);
        AllRecurringJobs().Keys.ShouldNotContain("digest:slack:T1:C1");
        RecurringJobs().Count.ShouldBe(2, "the break slots stay");
    }

    [Fact]
    public async Task AChannelWithoutSlots_HasNoDigestJob()
    {
        await store.UpsertSlotAsync(new ScheduleSlot(Berlin, new TimeOnly(9, 30), ScheduleDays.Weekdays), CancellationToken.None);
        await registrar.SyncAllAsync(CancellationToken.None);
        AllRecurringJobs().Keys.ShouldContain("digest:slack:T1:C1");

        await store.RemoveSlotAsync(Berlin, new TimeOnly(9, 30), CancellationToken.None);
        await registrar.SyncChannelAsync(Berlin, CancellationToken.None);

        AllRecurringJobs().ShouldBeEmpty();
    }
}

/// <summary>Recurring jobs in Hangfire's SQLite job file.</summary>
public sealed class ScheduleRegistrarTestsOnSqlite() : ScheduleRegistrarTests(BotEngine.Sqlite);

/// <summary>Recurring jobs in Hangfire.PostgreSql's tables.</summary>
public sealed class ScheduleRegistrarTestsOnPostgres(PostgresCluster cluster) : ScheduleRegistrarTests(BotEngine.Postgres(cluster));
