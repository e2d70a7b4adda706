using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Scheduling.Tests.Fakes;

/// <summary>
/// Where one test's bots keep their data and jobs, surviving hosts: the bot's and Hangfire's SQLite files in a temp
/// directory (deleted at the end), or, with <see cref="ConnectionString"/>, a PostgreSQL database of its own (the
/// temp directory is then still <c>Storage:Path</c>'s, so a test can see that nothing was written there).
/// </summary>
public sealed class BotFiles(string? connectionString = null) : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "chatbot-sched-" + Guid.NewGuid().ToString("N"));

    public string Database => Path.Combine(Directory, "chatbot.db");

    /// <summary>The Npgsql connection string of this test's database, or null on SQLite.</summary>
    public string? ConnectionString { get; } = connectionString;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// The real composition (Core + Data + Scheduling on Hangfire's SQLite or PostgreSQL storage, see <see cref="BotFiles"/>), with a recording
/// platform for Console and optionally a fake clock for the bot's own code (Hangfire keeps real time).
/// </summary>
internal static class TestBot
{
    public static IHost Build(
        BotFiles files,
        RecordingPlatform platform,
        Dictionary<string, string?>? settings = null,
        TimeProvider? clock = null,
        CapturingLoggerProvider? logs = null,
        Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        var config = new Dictionary<string, string?>
        {
            ["Storage:Path"] = files.Database,
            ["Breaks:CueInterval"] = "00:00:00.200",
            ["Breaks:DefaultTimeZone"] = "UTC",
            ["Breaks:CatchUpWindow"] = "00:15:00",
            ["Scheduling:PollingInterval"] = "00:00:00.200",
            ["Scheduling:ShutdownTimeout"] = "00:00:02",
            ["Scheduling:WorkerCount"] = "4",
            ["Scheduling:PromptSafetyNet"] = "00:00:01",
        };
        if (files.ConnectionString is not null)
        {
            config["Storage:Provider"] = "Postgres";
            config["Storage:ConnectionString"] = files.ConnectionString;
        }

        foreach (var (key, value) in settings ?? [])
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.AddProvider(logs ?? new CapturingLoggerProvider());
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }

        builder.Services.AddChatBotCore(Path.Combine(AppContext.BaseDirectory, "drills.json"));
        builder.Services.AddChatBotData();
        builder.Services.AddChatBotScheduling(builder.Configuration);
        builder.Services.AddKeyedSingleton<IChatPlatform>(platform.Platform, platform);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }

    public static FakeTimeProvider ClockAt(DateTimeOffset now) => new(now);
}
