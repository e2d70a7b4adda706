using System.Collections.Concurrent;
using System.Reflection;
using ChatBot.Core;
using ChatBot.Data;
using ChatBot.Discord;
using ChatBot.Scheduling;
using ChatBot.ServiceDefaults;
using ChatBot.Slack;

namespace ChatBot.Host.Tests;

/// <summary>
/// Issue 9, point 3: every configuration key the bot reads, given a value of the wrong type, an impossible
/// value or an unusable path, stops the real binary with exit code 2 and one line naming the key, with no
/// stack trace and never a secret.
/// </summary>
public sealed class ConfigurationErrorTests : IDisposable
{
    private const string SlackBotToken = "xoxb-secret-0000000000-config";
    private const string SlackAppToken = "xapp-secret-0000000000-config";
    private const string DiscordToken = "secret-discord-token-config.0000";

    private static readonly (string Key, string Value)[] Slack = [("Slack__BotToken", SlackBotToken), ("Slack__AppToken", SlackAppToken)];
    private static readonly (string Key, string Value)[] SlackHttp = [("Slack__BotToken", SlackBotToken), ("Slack__SigningSecret", "secret-signing")];
    private static readonly (string Key, string Value)[] Discord = [("Discord__BotToken", DiscordToken)];
    private static readonly (string Key, string Value)[] Postgres = [("Storage__Provider", "Postgres")];
    private static readonly (string Key, string Value)[] Seed =
    [
        ("Breaks__Schedules__0__Platform", "Console"), ("Breaks__Schedules__0__TeamId", "console"),
        ("Breaks__Schedules__0__ChannelId", "console"), ("Breaks__Schedules__0__Times__0", "09:30"),
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("chatbot-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Key (as it must appear in the output), the bad value, and what else the row needs set.</summary>
    private static IEnumerable<(string Key, string Value, (string Key, string Value)[] Context)> Table(string directory)
    {
        // Breaks (Core)
        yield return ("Breaks:CueInterval", "abc", []);
        yield return ("Breaks:CueInterval", "-00:00:01", []);
        yield return ("Breaks:CueInterval", "01:00:00", []);
        yield return ("Breaks:DefaultTimeZone", "Nowhere/Special", []);
        yield return ("Breaks:Workdays", "Funday", []);
        yield return ("Breaks:CatchUpWindow", "soon", []);
        yield return ("Breaks:CatchUpWindow", "2.00:00:00", []);

        // Breaks:Schedules (Scheduling)
        yield return ("Breaks:Schedules:0:Platform", "Teams", Seed);
        yield return ("Breaks:Schedules:0:TeamId", " ", Seed);
        yield return ("Breaks:Schedules:0:ChannelId", " ", Seed);
        yield return ("Breaks:Schedules:0:Times:0", "25:00", Seed);
        yield return ("Breaks:Schedules:0:Days", "someday", Seed);
        yield return ("Breaks:Schedules:0:TimeZone", "Mars/Base", Seed);

        // Storage (Data)
        yield return ("Storage:Path", "/proc/1/nope/chatbot.db", []);
        yield return ("Storage:Path", directory, []);
        yield return ("Storage:Path", Path.Combine(directory, "not-a-database.txt"), []);
        yield return ("Storage:Provider", "Oracle", []);
        yield return ("Storage:ConnectionString", " ", Postgres);
        yield return ("Storage:ConnectionString", "Host=127.0.0.1;Flavour=strawberry", Postgres);
        yield return ("Storage:ConnectionString", "Database=chatbot", Postgres);
        yield return ("Storage:ConnectionString", $"Host=127.0.0.1;Port={ClosedPort()};Database=chatbot;Username=chatbot;Password=secret-pg-password", Postgres);

        // Scheduling
        yield return ("Scheduling:Schema", "Hangfire; DROP TABLE x", []);
        yield return ("Scheduling:JobStoragePath", "/proc/1/nope/hangfire.db", []);
        yield return ("Scheduling:JobStoragePath", directory, []);
        yield return ("Scheduling:JobStoragePath", Path.Combine(directory, "not-a-database.txt"), []);
        yield return ("Scheduling:WorkerCount", "many", []);
        yield return ("Scheduling:WorkerCount", "0", []);
        yield return ("Scheduling:PollingInterval", "fast", []);
        yield return ("Scheduling:PollingInterval", "00:00:00", []);
        yield return ("Scheduling:SchedulePollingInterval", "00:00:00.01", []);
        yield return ("Scheduling:InvisibilityTimeout", "long", []);
        yield return ("Scheduling:InvisibilityTimeout", "00:00:05", []);
        yield return ("Scheduling:PromptSafetyNet", "x", []);
        yield return ("Scheduling:ShutdownTimeout", "xyz", []);
        yield return ("Scheduling:ShutdownTimeout", "01:00:00", []);

        // Ops
        yield return ("Ops:Enabled", "sometimes", []);
        yield return ("Ops:HttpUrl", "https://127.0.0.1:8080", []);
        yield return ("Ops:DashboardWritable", "maybe", []);
        yield return ("Ops:DashboardPassword", "admin", []);

        // Slack
        yield return ("Slack:BotToken", "not-a-bot-token", [("Slack__AppToken", SlackAppToken)]);
        yield return ("Slack:AppToken", "not-an-app-token", [("Slack__BotToken", SlackBotToken)]);
        yield return ("Slack:SigningSecret", string.Empty, [("Slack__BotToken", SlackBotToken)]);
        yield return ("Slack:ApiBaseUrl", "ftp://example.com/api/", Slack);
        yield return ("Slack:HttpUrl", "http://0.0.0.0:99999", SlackHttp);
        yield return ("Slack:Admins", "alice", Slack);
        yield return ("Slack:Connections", "two", Slack);
        yield return ("Slack:Connections", "11", Slack);
        yield return ("Slack:MaxAttempts", "lots", Slack);
        yield return ("Slack:MaxAttempts", "0", Slack);
        yield return ("Slack:ConnectionStagger", "x", Slack);
        yield return ("Slack:KeepAliveInterval", "x", Slack);
        yield return ("Slack:KeepAliveTimeout", "00:00:00", Slack);
        yield return ("Slack:ReconnectInitialDelay", "x", Slack);
        yield return ("Slack:ReconnectMaxDelay", "x", Slack);
        yield return ("Slack:CommandAckBudget", "00:00:05", Slack);
        yield return ("Slack:UserLookupBudget", "x", Slack);
        yield return ("Slack:UserCacheDuration", "x", Slack);
        yield return ("Slack:RequestTimeout", "-00:00:01", Slack);
        yield return ("Slack:DrainTimeout", "x", Slack);

        // Discord
        yield return ("Discord:BotToken", "Bot abc", []);
        yield return ("Discord:ApplicationId", "my-app", Discord);
        yield return ("Discord:PublicKey", "xyz", Discord);
        yield return ("Discord:ApiBaseUrl", "ftp://example.com/", Discord);
        yield return ("Discord:GatewayUrl", "https://gateway.example.com", Discord);
        yield return ("Discord:GuildIds:0", "my-server", Discord);
        yield return ("Discord:HttpUrl", "ftp://0.0.0.0:3001", Discord);
        yield return ("Discord:HttpPath", "interactions", Discord);
        yield return ("Discord:Intents", "all", Discord);
        yield return ("Discord:Intents", "-1", Discord);
        yield return ("Discord:RegisterCommands", "maybe", Discord);
        yield return ("Discord:ReconnectBaseDelay", "x", Discord);
        yield return ("Discord:ReconnectMaxDelay", "x", Discord);
        yield return ("Discord:InvalidSessionDelay", "x", Discord);
        yield return ("Discord:ClickDeferAfter", "00:00:03", Discord);
        yield return ("Discord:CommandAckBudget", "00:00:05", Discord);
        yield return ("Discord:ShardCount", "many", Discord);
        yield return ("Discord:ShardCount", "0", Discord);
        yield return ("Discord:ShardIds:0", "first", Discord);

        // Read by the generic host while it is built
        yield return ("Logging:LogLevel:Default", "loud", []);
        yield return ("Logging:Console:LogLevel:Default", "quiet", []);
    }

    [Fact]
    public async Task Every_bad_value_of_every_key_exits_2_with_one_line_naming_the_key()
    {
        File.WriteAllText(Path.Combine(_directory, "not-a-database.txt"), "just some text, not SQLite\n");
        var problems = new ConcurrentBag<string>();
        var rows = Table(_directory).ToList();

        // Each run is a process start (about a second, mostly waiting): run several at once.
        await Parallel.ForEachAsync(
            rows.Select((row, index) => (row, index)),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = TestContext.Current.CancellationToken },
            async (item, _) =>
            {
                var (row, index) = item;
                var rowDirectory = Directory.CreateDirectory(Path.Combine(_directory, "run" + index)).FullName;
                var environment = new List<(string Key, string Value)> { ("Storage__Path", Path.Combine(rowDirectory, "chatbot.db")) };
                environment.AddRange(row.Context);
                environment.Add((row.Key.Replace(":", "__", StringComparison.Ordinal), row.Value));
                var run = await BotProcess.RunAsync(rowDirectory, [], [.. environment]);
                var problem = Check(run, row.Key);
                if (problem is not null)
                {
                    problems.Add($"{row.Key}='{row.Value}': {problem}\n  stdout: {run.Output.Trim()}\n  stderr: {run.Errors.Trim()}");
                }
            });

        problems.ShouldBeEmpty(string.Join("\n", problems));
    }

    [Fact]
    public async Task A_job_file_beside_the_database_that_is_not_SQLite_exits_2_naming_the_key_before_connecting()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, "garbage-job-file")).FullName;
        File.WriteAllText(Path.Combine(directory, "hangfire.db"), "left here by something else\n");

        var run = await BotProcess.RunAsync(directory, [], [("Storage__Path", Path.Combine(directory, "chatbot.db"))]);

        Check(run, "Scheduling:JobStoragePath").ShouldBeNull($"stdout: {run.Output}\nstderr: {run.Errors}");
        File.ReadAllText(Path.Combine(directory, "hangfire.db")).ShouldBe("left here by something else\n");
    }

    [Fact]
    public void The_table_covers_every_key_of_every_options_class()
    {
        var tabled = Table(_directory).Select(row => row.Key).ToHashSet(StringComparer.Ordinal);
        var typed = new (string Section, Type Type)[]
        {
            ("Breaks", typeof(BreaksOptions)), ("Storage", typeof(StorageOptions)), ("Scheduling", typeof(SchedulingOptions)),
            ("Breaks:Schedules:0", typeof(ScheduleSeed)), ("Slack", typeof(SlackOptions)), ("Discord", typeof(DiscordOptions)),
            ("Ops", typeof(OpsOptions)),
        };

        var missing = typed
            .SelectMany(options => options.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
                .Select(p => $"{options.Section}:{p.Name}"))
            .Where(key => !tabled.Contains(key) && !tabled.Contains(key + ":0"))
            .ToList();

        missing.ShouldBeEmpty("keys with no bad-value row: " + string.Join(", ", missing));
    }

    /// <summary>A loopback port nothing listens on (bound, then released): an unreachable PostgreSQL server.</summary>
    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Check(BotRun run, string key)
    {
        var all = run.Output + run.Errors;
        var lines = run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return run.ExitCode != 2 ? $"exit code {run.ExitCode}, expected 2"
            : lines.Length != 1 ? $"{lines.Length} lines on stderr, expected 1"
            : !lines[0].StartsWith("Configuration error: ", StringComparison.Ordinal) ? "the line doesn't start with 'Configuration error: '"
            : !lines[0].Contains(key, StringComparison.Ordinal) ? $"the line doesn't name {key}"
            : all.Contains("   at ", StringComparison.Ordinal) || all.Contains("Hosting failed", StringComparison.Ordinal) ? "a stack trace was printed"
            : run.Output.Trim().Length > 0 ? "something was printed on stdout"
            : all.Contains(SlackBotToken, StringComparison.Ordinal) || all.Contains(SlackAppToken, StringComparison.Ordinal)
                || all.Contains(DiscordToken, StringComparison.Ordinal) || all.Contains("secret-signing", StringComparison.Ordinal)
                || all.Contains("secret-pg-password", StringComparison.Ordinal) ? "a secret was printed"
            : null;
    }
}
