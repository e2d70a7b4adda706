using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Data;
using ChatBot.Scheduling;
using ChatBot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Channels whose scheduled breaks fire in the same minute, on the real composition (Core, the store, Hangfire)
// against a fake platform that answers every post in 50 ms. Measures the time from the slot to the last prompt
// posted and to the last cue posted, and counts duplicates. SQLite (the bot's file and Hangfire's job file, one
// instance) by default; with --postgres, one PostgreSQL database shared by --instances hosts in this process, each
// with its own Hangfire server (a throwaway PostgreSQL 15 cluster, or the database of the connection string given).
//
// With --idle [seconds] it measures instead what an empty bot costs at rest: one host with no channels, its Hangfire
// server polling, the process's CPU time over that many seconds (60 by default) after a 10 s warm-up.
//
//   dotnet run -c Release --project bench/ChatBot.Scheduling.Bench -- [channels] [cueInterval] [workers] [--postgres[=<connection string>]] [--instances N]
//   dotnet run -c Release --project bench/ChatBot.Scheduling.Bench -- --idle [seconds] [--postgres[=<connection string>]]
var idleAt = Array.IndexOf(args, "--idle");
var idleSeconds = idleAt >= 0 && idleAt + 1 < args.Length && int.TryParse(args[idleAt + 1], CultureInfo.InvariantCulture, out var given) ? given : 60;
args = idleAt >= 0 && idleAt + 1 < args.Length && args[idleAt + 1] == idleSeconds.ToString(CultureInfo.InvariantCulture)
    ? [.. args.Take(idleAt + 1), .. args.Skip(idleAt + 2)]
    : args;
var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var instancesAt = Array.IndexOf(args, "--instances");
var channels = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 500;
var cueInterval = positional.Length > 1 ? TimeSpan.Parse(positional[1], CultureInfo.InvariantCulture) : TimeSpan.FromSeconds(5);
var workers = positional.Length > 2 ? int.Parse(positional[2], CultureInfo.InvariantCulture) : 20;
var postgres = args.FirstOrDefault(a => a.StartsWith("--postgres", StringComparison.Ordinal));
var instances = instancesAt >= 0 ? int.Parse(args[instancesAt + 1], CultureInfo.InvariantCulture) : 1;
if (instances > 1 && postgres is null)
{
    Console.Error.WriteLine("--instances above 1 needs --postgres: a SQLite file belongs to one instance.");
    return 2;
}

var platformLatency = TimeSpan.FromMilliseconds(50);
await using var cluster = postgres == "--postgres" ? new PostgresCluster() : null;
if (cluster?.Unavailable is { } unavailable)
{
    Console.Error.WriteLine(unavailable);
    return 2;
}

// The throwaway cluster's test databases cap each pool at 20; a job server takes up to two connections a worker
// (a break chain's lock and the next step's job), so give it Npgsql's default of 100 as a deployment would have.
var connectionString = cluster is null
    ? postgres?.Split('=', 2)[1]
    : new Npgsql.NpgsqlConnectionStringBuilder(cluster.CreateDatabase()) { MaxPoolSize = 100 }.ConnectionString;
var directory = Path.Combine(Path.GetTempPath(), "chatbot-bench-" + Guid.NewGuid().ToString("N"));
var slotRuns = new SlotRunClock();
using var platform = new FakePlatform(platformLatency);
var hosts = Enumerable.Range(0, instances).Select(_ => BuildHost()).ToList();

IHost BuildHost()
{
    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Storage:Path"] = Path.Combine(directory, "chatbot.db"),
        ["Storage:Provider"] = connectionString is null ? "Sqlite" : "Postgres",
        ["Storage:ConnectionString"] = connectionString,
        ["Breaks:CueInterval"] = cueInterval.ToString("c", CultureInfo.InvariantCulture),
        ["Breaks:CatchUpWindow"] = "00:15:00",
        ["Scheduling:WorkerCount"] = workers.ToString(CultureInfo.InvariantCulture),
    });
    builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
    builder.Logging.AddProvider(slotRuns).AddFilter<SlotRunClock>(typeof(BreakSlotJob).FullName, LogLevel.Information);
    builder.Services.AddChatBotCore(Path.Combine(AppContext.BaseDirectory, "drills.json"));
    builder.Services.AddChatBotData();
    builder.Services.AddChatBotScheduling(builder.Configuration);
    builder.Services.AddKeyedSingleton<IChatPlatform>(ChatPlatform.Console, platform);
    return builder.Build();
}

var host = hosts[0];
if (idleAt >= 0)
{
    await host.StartAsync();
    await Task.Delay(TimeSpan.FromSeconds(10));
    var self = Process.GetCurrentProcess();
    self.Refresh();
    var cpuBefore = self.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
    self.Refresh();
    var cpu = self.TotalProcessorTime - cpuBefore;
    Console.WriteLine($"{(connectionString is null ? "SQLite" : "PostgreSQL")}, empty bot at rest for {wall.Elapsed.TotalSeconds:F0} s ({workers} workers): {cpu.TotalSeconds:F2} s of CPU, {cpu.TotalSeconds / wall.Elapsed.TotalSeconds * 100:F2} % of a core");
    await host.StopAsync();
    host.Dispose();
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    try
    {
        Directory.Delete(directory, recursive: true);
    }
    catch (IOException)
    {
    }

    return 0;
}

// The slot: the first whole minute at least 45 s away (setting up 500 schedules takes seconds, more on a loaded machine).
var now = DateTimeOffset.UtcNow;
var slot = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
if (slot - now < TimeSpan.FromSeconds(45))
{
    slot = slot.AddMinutes(1);
}

await Task.WhenAll(hosts.Select(h => h.StartAsync()));
var store = host.Services.GetRequiredService<IScheduleStore>();
var sync = host.Services.GetRequiredService<IScheduleSync>();
var setup = Stopwatch.StartNew();
for (var i = 0; i < channels; i++)
{
    var channel = new ChannelKey(ChatPlatform.Console, "bench", "c" + i.ToString(CultureInfo.InvariantCulture));
    await store.SetTimeZoneAsync(channel, "UTC", CancellationToken.None);
    await store.UpsertSlotAsync(new ScheduleSlot(channel, TimeOnly.FromDateTime(slot.UtcDateTime), ScheduleDays.Daily), CancellationToken.None);
    await sync.SyncChannelAsync(channel, CancellationToken.None);
}

Console.WriteLine($"{(connectionString is null ? "SQLite, 1 instance" : $"PostgreSQL, {instances} instance(s)")}: {channels} channels scheduled at {slot:HH:mm:ss} UTC in {setup.Elapsed.TotalSeconds:F1} s; {workers} workers each, cue interval {cueInterval:c}, platform latency {platformLatency.TotalMilliseconds} ms");
if (DateTimeOffset.UtcNow > slot - TimeSpan.FromSeconds(2))
{
    Console.Error.WriteLine("Setting up took past the slot: the measurement would be wrong. Run again on a quieter machine.");
    return 1;
}

var steps = BreakContent.StepCount(host.Services.GetRequiredService<ChatBot.Core.Drills.DrillCatalog>().Get("extension"));
var expectedPosts = channels * steps;
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10) + (cueInterval * steps));
await platform.WaitForAsync(expectedPosts, timeout.Token);

var prompts = platform.Posts.Where(p => p.ThreadRoot is null).ToList();
var cues = platform.Posts.Where(p => p.ThreadRoot is not null).ToList();
var lastPrompt = prompts.Max(p => p.At) - slot;
var lastCue = cues.Max(p => p.At) - slot;
var firstPrompt = prompts.Min(p => p.At) - slot;
Console.WriteLine($"slot jobs run: {slotRuns.Times.Count}, first done at {(slotRuns.Times.Min() - slot).TotalSeconds:F2} s, last at {(slotRuns.Times.Max() - slot).TotalSeconds:F2} s");
var duplicates = platform.Posts.GroupBy(p => p.Key).Count(g => g.Count() > 1);

// What the platform alone needs: every channel's posts, 50 ms each, spread over the workers.
var idealPrompts = platformLatency * Math.Ceiling(channels / (double)(workers * instances));
var idealLastCue = (cueInterval * (steps - 1)) + (platformLatency * steps);
Console.WriteLine($"posts: {platform.Posts.Count} ({prompts.Count} prompts, {cues.Count} cues), duplicates: {duplicates}");
Console.WriteLine($"slot -> first prompt: {firstPrompt.TotalSeconds:F2} s");
Console.WriteLine($"slot -> last prompt:  {lastPrompt.TotalSeconds:F2} s   (platform-bound floor with {workers * instances} workers: {idealPrompts.TotalSeconds:F2} s)");
Console.WriteLine($"slot -> last cue:     {lastCue.TotalSeconds:F2} s   (floor: {steps - 1} cue intervals + {steps} posts = {idealLastCue.TotalSeconds:F2} s)");
Console.WriteLine($"platform time: {platform.Posts.Count * platformLatency.TotalSeconds:F1} s of 50 ms answers in total");
ExplainLateCue();

// A thread whose last cue came more than a cue interval after the floor: when each of its steps was posted, and
// what Hangfire did with the late step's job (its state history), to tell where the time went.
void ExplainLateCue()
{
    if (lastCue < idealLastCue + cueInterval)
    {
        return;
    }

    var late = cues.MaxBy(p => p.At);
    var breakKey = late.Key[..late.Key.IndexOf('s', StringComparison.Ordinal)];
    var thread = platform.Posts.Where(p => p.Key.StartsWith(breakKey + "s", StringComparison.Ordinal)).OrderBy(p => p.At).ToList();
    Console.WriteLine($"late thread {breakKey}: " + string.Join(", ", thread.Select(p => $"{p.Key} at {(p.At - slot).TotalSeconds:F1} s")));
    var gap = thread.Zip(thread.Skip(1)).MaxBy(pair => pair.Second.At - pair.First.At);
    var lateStep = gap.Second.Key[(breakKey.Length + 1)..];
    var storage = host.Services.GetRequiredService<Hangfire.JobStorage>();
    using var connection = storage.GetConnection();
    var chain = connection.GetAllEntriesFromHash("break-chain:" + breakKey[1..]) ?? new Dictionary<string, string>();
    if (chain.TryGetValue("step-" + lateStep, out var jobId) && storage.GetMonitoringApi().JobDetails(jobId) is { } job)
    {
        Console.WriteLine($"  step {lateStep} (job {jobId}, created {(job.CreatedAt is { } created ? (new DateTimeOffset(created, TimeSpan.Zero) - slot).TotalSeconds : double.NaN):F1} s):");
        foreach (var state in job.History.OrderBy(h => h.CreatedAt))
        {
            Console.WriteLine($"    {(new DateTimeOffset(state.CreatedAt, TimeSpan.Zero) - slot).TotalSeconds,7:F1} s {state.StateName} {state.Reason} {string.Join(' ', state.Data.Select(d => d.Key + "=" + d.Value))}");
        }
    }
    else
    {
        Console.WriteLine($"  step {lateStep}: no job id in the chain's hash ({string.Join(", ", chain.Select(e => e.Key + "=" + e.Value))})");
    }
}

foreach (var each in hosts)
{
    await each.StopAsync();
    each.Dispose();
}

Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
try
{
    Directory.Delete(directory, recursive: true);
}
catch (IOException)
{
}

return duplicates == 0 && platform.Posts.Count == expectedPosts ? 0 : 1;

internal sealed class FakePlatform(TimeSpan latency) : IChatPlatform, IDisposable
{
    private readonly ConcurrentBag<(string Key, string? ThreadRoot, DateTimeOffset At)> posts = [];
    private readonly SemaphoreSlim posted = new(0);
    private long nextId;

    public ChatPlatform Platform => ChatPlatform.Console;

    public IReadOnlyCollection<(string Key, string? ThreadRoot, DateTimeOffset At)> Posts => posts.ToArray();

    public async Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        await Task.Delay(latency, cancellationToken);
        posts.Add((options.IdempotencyKey, options.ThreadRootMessageId, DateTimeOffset.UtcNow));
        posted.Release();
        return "m" + Interlocked.Increment(ref nextId).ToString(CultureInfo.InvariantCulture);
    }

    public void Dispose() => posted.Dispose();

    public async Task WaitForAsync(int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await posted.WaitAsync(cancellationToken);
        }
    }
}

/// <summary>When each slot job finished (from its outcome log line).</summary>
internal sealed class SlotRunClock : ILoggerProvider
{
    public ConcurrentBag<DateTimeOffset> Times { get; } = [];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName == typeof(BreakSlotJob).FullName);

    public void Dispose()
    {
    }

    private sealed class Logger(SlotRunClock owner, bool wanted) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => wanted && logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (wanted && eventId.Id == 3222)
            {
                owner.Times.Add(DateTimeOffset.UtcNow);
            }
        }
    }
}
