using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Scheduling.Tests.Fakes;

/// <summary>A temp directory holding the bot's and Hangfire's SQLite files; survives hosts, deleted at the end.</summary>
internal sealed class BotFiles : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "chatbot-sched-" + Guid.NewGuid().ToString("N"));

    public string Database => Path.Combine(Directory, "chatbot.db");

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
/// The real composition (Core + Data + Scheduling on Hangfire's SQLite storage) on temp files, with a recording
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
