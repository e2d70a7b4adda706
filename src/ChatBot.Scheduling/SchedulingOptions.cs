using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// How the Hangfire side runs (section <c>Scheduling</c>). The defaults suit the embedded SQLite job file:
/// 1 s polling so paced cues leave on time, an invisibility timeout longer than any job, one process per file.
/// </summary>
public sealed partial class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Hangfire's own SQLite file. Default: <c>hangfire.db</c> beside <c>Storage:Path</c>.</summary>
    public string? JobStoragePath { get; set; }

    /// <summary>Jobs running at once. Posts mostly wait on the platform, so more workers than cores pays off.</summary>
    [Range(1, 200)]
    public int WorkerCount { get; set; } = 20;

    /// <summary>How often due delayed jobs are moved to the queue and the queue is polled.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a crash, a job that was running is re-run once this has passed. Must exceed the longest job
    /// (a post with its retries), so a slow but live job is never run twice in parallel.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long Hangfire waits for running jobs at shutdown. The host's shutdown timeout is set above it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [OptionsValidator]
    internal sealed partial class Validator : IValidateOptions<SchedulingOptions>;
}

/// <summary>
/// Channel schedules from configuration (<c>Breaks:Schedules</c>): seeded into the bot's database at start.
/// An entry is applied when it is new or changed since it was last applied; in between, <c>/drill schedule</c>
/// changes made in chat stand.
/// </summary>
public sealed class ScheduleSeedOptions
{
    public const string Section = "Breaks";

    public List<ScheduleSeed> Schedules { get; set; } = [];
}

/// <summary>One channel's schedule in configuration.</summary>
public sealed class ScheduleSeed
{
    /// <summary><c>Slack</c>, <c>Discord</c> or <c>Console</c>.</summary>
    public string Platform { get; set; } = string.Empty;

    /// <summary>Slack team id, Discord guild id, or <c>console</c>.</summary>
    public string TeamId { get; set; } = string.Empty;

    public string ChannelId { get; set; } = string.Empty;

    /// <summary>Clock times, <c>HH:MM</c>.</summary>
    public List<string> Times { get; set; } = [];

    /// <summary><c>weekdays</c> (default), <c>daily</c>, <c>mon-fri</c>, <c>mon,wed,fri</c>.</summary>
    public string? Days { get; set; }

    /// <summary>IANA zone; empty keeps the channel's zone (or the default).</summary>
    public string? TimeZone { get; set; }
}
