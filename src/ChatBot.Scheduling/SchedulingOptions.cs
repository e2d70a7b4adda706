using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// How the Hangfire side runs (section <c>Scheduling</c>). The defaults suit both job storages: due slots and cues
/// looked for every 250 ms so they leave on time, idle workers polling the queue twice a second, an invisibility timeout of minutes (how long a killed process's running job waits
/// before another process runs it again).
/// </summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>
    /// Hangfire's own SQLite file (<c>Storage:Provider=Sqlite</c> only; one process per file). Default:
    /// <c>hangfire.db</c> beside <c>Storage:Path</c>.
    /// </summary>
    public string? JobStoragePath { get; set; }

    /// <summary>
    /// The PostgreSQL schema of Hangfire's tables when <c>Storage:Provider</c> is <c>Postgres</c> (they share the
    /// bot's database): a lower-case SQL identifier.
    /// </summary>
    public string Schema { get; set; } = "hangfire";

    /// <summary>Jobs running at once. Posts mostly wait on the platform, so more workers than cores pays off.</summary>
    public int WorkerCount { get; set; } = 20;

    /// <summary>
    /// How often idle workers poll the queue for jobs. Every worker polls (<see cref="WorkerCount"/> of them), so
    /// this is most of an idle bot's CPU; a job enqueued waits on average a fraction of it, as the workers' polls
    /// fall at different moments.
    /// </summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How often due recurring jobs (schedule slots) and delayed jobs (cues) are moved to the queue: a slot's
    /// prompts and a thread's cues leave at most this late. One poll per process, so short costs little.
    /// </summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// After a crash, a job that was running is re-run (by any live instance) once this has passed. On SQLite it
    /// must exceed the longest job (a post with its retries), so a slow but live job is never run twice in
    /// parallel; on PostgreSQL live instances keep renewing their running jobs (sliding invisibility), so it may
    /// be short. Distributed locks a killed PostgreSQL instance held are free after a fifth of it (at least 30 s).
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After a break starts from a command, a durable check is due this long after its first cue: it posts the prompt
    /// (and carries the thread on) only if the process died while posting it; otherwise it finds all done. (A slot
    /// job is the check of the breaks it starts: run again after a crash, it finds what is missing.)
    /// </summary>
    public TimeSpan PromptSafetyNet { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long Hangfire waits for running jobs at shutdown. The host's shutdown timeout is set above it.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Stops the host at start on an unusable value, naming the key.</summary>
    internal sealed class Validator : IValidateOptions<SchedulingOptions>
    {
        public ValidateOptionsResult Validate(string? name, SchedulingOptions options)
        {
            var failures = new List<string>();
            if (options.WorkerCount is < 1 or > 200)
            {
                failures.Add($"Scheduling:WorkerCount must be between 1 and 200 (got {options.WorkerCount}).");
            }

            if (!IsLowerCaseIdentifier(options.Schema))
            {
                failures.Add($"Scheduling:Schema must be a lower-case PostgreSQL identifier such as hangfire (letters, digits, _; got '{options.Schema}').");
            }

            Check(failures, nameof(PollingInterval), options.PollingInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), string.Empty);
            Check(failures, nameof(SchedulePollingInterval), options.SchedulePollingInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), string.Empty);
            Check(failures, nameof(InvisibilityTimeout), options.InvisibilityTimeout, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), ", longer than any job");
            Check(failures, nameof(PromptSafetyNet), options.PromptSafetyNet, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), string.Empty);
            Check(failures, nameof(ShutdownTimeout), options.ShutdownTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), string.Empty);
            var path = options.JobStoragePath;
            if (path is not null && (path.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || Directory.Exists(path)))
            {
                failures.Add($"Scheduling:JobStoragePath '{path}' is not a usable file path.");
            }
            else if (!string.IsNullOrWhiteSpace(path) && DirectoryProblem(path) is { } problem)
            {
                failures.Add($"Scheduling:JobStoragePath '{path}' is not usable: {problem} Set it to a file in a directory the bot may create and write.");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        /// <summary>
        /// A schema name used unquoted: a-z or _ first, then a-z, 0-9 or _, at most 63 characters (PostgreSQL's
        /// identifier limit, NAMEDATALEN − 1). Checked by hand: the first Regex of a process costs ~5 ms of the start.
        /// </summary>
        private static bool IsLowerCaseIdentifier(string? name) =>
            name is { Length: >= 1 and <= 63 }
            && name[0] is (>= 'a' and <= 'z') or '_'
            && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

        /// <summary>Creates the job file's directory (the job storage would at start anyway), or says why it can't.</summary>
        private static string? DirectoryProblem(string path)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                return null;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return exception.Message;
            }
        }

        private static void Check(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max, string why)
        {
            if (value < min || value > max)
            {
                failures.Add($"Scheduling:{key} must be between {min:c} and {max:c}{why} (got {value:c}).");
            }
        }
    }
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
