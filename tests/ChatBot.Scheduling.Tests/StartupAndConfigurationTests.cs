using ChatBot.Core;
using ChatBot.Core.Schedules;
using ChatBot.Scheduling.Tests.Fakes;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>Breaks:Schedules seeding at start, the recurring jobs it leads to, and configuration errors.</summary>
public sealed class StartupAndConfigurationTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T1", "C1");

    [Fact]
    public async Task ConfiguredSchedule_IsSeeded_AndMirroredToRecurringJobs_ChatChangesSurviveARestart()
    {
        using var files = new BotFiles();
        var seed = new Dictionary<string, string?>
        {
            ["Breaks:Schedules:0:Platform"] = "slack",
            ["Breaks:Schedules:0:TeamId"] = "T1",
            ["Breaks:Schedules:0:ChannelId"] = "C1",
            ["Breaks:Schedules:0:Times:0"] = "09:30",
            ["Breaks:Schedules:0:Times:1"] = "15:00",
            ["Breaks:Schedules:0:Days"] = "mon-fri",
            ["Breaks:Schedules:0:TimeZone"] = "Europe/Berlin",
        };

        using (var first = TestBot.Build(files, new RecordingPlatform(ChatPlatform.Slack), seed))
        {
            await first.StartAsync(TestContext.Current.CancellationToken);
            RecurringJobs(first).Select(j => (j.Id, j.Cron, j.TimeZoneId)).ShouldBe(
                [
                    ("break-slots:Europe/Berlin:0930:1-5", "30 9 * * 1-5", "Europe/Berlin"),
                    ("break-slots:Europe/Berlin:1500:1-5", "0 15 * * 1-5", "Europe/Berlin"),
                ],
                ignoreOrder: true);

            // An admin removes the 15:00 slot in chat.
            await using var scope = first.Services.CreateAsyncScope();
            var reply = await scope.ServiceProvider.GetRequiredService<IScheduleCommandHandler>().HandleAsync(
                new(Channel, new ChatUser("U1", "Ada", IsAdmin: true), "schedule remove 15:00"), ["remove", "15:00"], TestContext.Current.CancellationToken);
            reply.Message.Text.ShouldContain("Removed");
            RecurringJobs(first).Select(j => j.Id).ShouldBe(["break-slots:Europe/Berlin:0930:1-5"]);
            await first.StopAsync(TestContext.Current.CancellationToken);
        }

        using (var second = TestBot.Build(files, new RecordingPlatform(ChatPlatform.Slack), seed))
        {
            await second.StartAsync(TestContext.Current.CancellationToken);
            RecurringJobs(second).Select(j => j.Id).ShouldBe(["break-slots:Europe/Berlin:0930:1-5"]);
            await second.StopAsync(TestContext.Current.CancellationToken);
        }

        seed["Breaks:Schedules:0:Times:1"] = "16:00";
        using (var third = TestBot.Build(files, new RecordingPlatform(ChatPlatform.Slack), seed))
        {
            await third.StartAsync(TestContext.Current.CancellationToken);
            RecurringJobs(third).Select(j => j.Id).ShouldBe(["break-slots:Europe/Berlin:0930:1-5", "break-slots:Europe/Berlin:1600:1-5"], ignoreOrder: true);
            await third.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    [Theory]
    [InlineData("Breaks:Schedules:0:Times:0", "9.30", "Breaks:Schedules:0:Times:0 must be a 24-hour time HH:MM")]
    [InlineData("Breaks:Schedules:0:Days", "mon-fro", "Breaks:Schedules:0:Days must be")]
    [InlineData("Breaks:Schedules:0:TimeZone", "Mars/Phobos", "Breaks:Schedules:0:TimeZone must be an IANA time zone")]
    [InlineData("Breaks:Schedules:0:Platform", "teams", "Breaks:Schedules:0:Platform must be one of")]
    [InlineData("Scheduling:WorkerCount", "0", "Scheduling:WorkerCount must be between 1 and 200")]
    [InlineData("Scheduling:InvisibilityTimeout", "00:00:05", "Scheduling:InvisibilityTimeout must be between")]
    [InlineData("Scheduling:ShutdownTimeout", "00:10:00", "Scheduling:ShutdownTimeout must be between")]
    public async Task BadConfiguration_StopsTheHostAtStart_NamingTheKey(string key, string value, string message)
    {
        using var files = new BotFiles();
        var settings = new Dictionary<string, string?>
        {
            ["Breaks:Schedules:0:Platform"] = "Console",
            ["Breaks:Schedules:0:TeamId"] = "console",
            ["Breaks:Schedules:0:ChannelId"] = "general",
            ["Breaks:Schedules:0:Times:0"] = "09:30",
            [key] = value,
        };
        using var host = TestBot.Build(files, new RecordingPlatform(), settings);

        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        string.Join(" ", error.Failures).ShouldContain(message);
    }

    [Theory]
    [InlineData("hangfire", true)]
    [InlineData("_jobs_2", true)]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123", true)] // 63: PostgreSQL's limit
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", false)]
    [InlineData("", false)]
    [InlineData("2jobs", false)]
    [InlineData("Hangfire", false)]
    [InlineData("jobs-2", false)]
    [InlineData("hangfire\n", false)] // a trailing newline (a value read from a file) is not part of a name
    [InlineData("hangfire; DROP TABLE x", false)]
    [InlineData("jobs\u0131", false)] // a dotless i is a letter, but not a-z
    public void Scheduling_Schema_TakesOnlyAnUnquotedLowerCaseIdentifier(string schema, bool valid)
    {
        var result = new SchedulingOptions.Validator().Validate(null, new SchedulingOptions { Schema = schema });

        result.Succeeded.ShouldBe(valid);
        if (!valid)
        {
            result.FailureMessage!.ShouldContain("Scheduling:Schema must be a lower-case PostgreSQL identifier");
        }
    }

    [Fact]
    public void HostShutdownTimeout_ExceedsHangfires_AndTheJobFileSitsBesideTheDatabase()
    {
        using var files = new BotFiles();
        using var host = TestBot.Build(files, new RecordingPlatform(), new() { ["Scheduling:ShutdownTimeout"] = "00:00:45" });

        host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout.ShouldBe(TimeSpan.FromSeconds(55));
        host.Services.GetRequiredService<JobStorage>().ShouldBeAssignableTo<Hangfire.Storage.SQLite.SQLiteStorage>();
        File.Exists(Path.Combine(files.Directory, "hangfire.db")).ShouldBeTrue();
    }

    private static List<RecurringJobDto> RecurringJobs(IHost host)
    {
        using var connection = host.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().Where(j => j.Id.StartsWith("break-slots:", StringComparison.Ordinal)).ToList(); // digests: DigestJobTests
    }
}
