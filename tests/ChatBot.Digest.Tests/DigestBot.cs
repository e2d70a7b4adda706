using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Core.Streaks;
using ChatBot.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Digest.Tests;

/// <summary>
/// Core + the SQLite stores + the ScottPlot chart on a temp database, with a fake clock and a recording platform:
/// the digest as the host wires it, minus the scheduler (the schedule store is the real SQLite one).
/// </summary>
internal sealed class DigestBot : IDisposable
{
    public static readonly ChannelKey Channel = new(ChatPlatform.Console, "console", "general");

    private readonly IHost host;

    /// <summary>The temp directory this bot made for its database and deletes on dispose; none when given a file.</summary>
    private readonly string? ownDirectory;

    public DigestBot(DateTimeOffset now, string? file = null)
    {
        ownDirectory = file is null ? CreateDirectory() : null;
        File = file ?? Path.Combine(ownDirectory!, "chatbot.db");
        Clock = new FakeTimeProvider(now);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = File,
            ["Breaks:DefaultTimeZone"] = "UTC",
        });
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Services.AddChatBotCore(Path.Combine(AppContext.BaseDirectory, "config", "drills.json"));
        builder.Services.AddChatBotData();
        builder.Services.AddChatBotDigestChart();
        builder.Services.AddKeyedSingleton<IChatPlatform>(ChatPlatform.Console, Platform);
        builder.Services.AddSingleton<IBreakRunner, NoBreaks>(); // the digest starts no break; the scheduling project runs them
        host = builder.Build();
    }

    public string File { get; }

    public FakeTimeProvider Clock { get; }

    public RecordingPlatform Platform { get; } = new();

    public IServiceProvider Services => host.Services;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task SetZoneAsync(string zone) => Services.GetRequiredService<IScheduleStore>().SetTimeZoneAsync(Channel, zone, Ct);

    /// <summary>A break of <paramref name="drillId"/> started at <paramref name="at"/> and done by each of <paramref name="users"/>.</summary>
    public async Task BreakAsync(string drillId, DateTimeOffset at, params string[] users)
    {
        var (brk, _) = await Services.GetRequiredService<IBreakStore>().CreateAsync(new NewBreak(Channel, drillId, BreakOrigin.OnDemand, at, "U0"), Ct);
        foreach (var user in users)
        {
            await Services.GetRequiredService<ICompletionStore>().RecordAsync(
                new NewCompletion(Channel.Team, user, Name(user), Channel, brk.Id, CompletionKind.Button, at, DateOnly.FromDateTime(at.UtcDateTime)), Ct);
        }
    }

    /// <summary>
    /// <c>/drill done</c> by <paramref name="user"/> at <paramref name="at"/>, on <paramref name="localDay"/> in the
    /// person's zone (default: the UTC date).
    /// </summary>
    public Task<CompletionOutcome> SelfLogAsync(string user, DateTimeOffset at, DateOnly? localDay = null) =>
        Services.GetRequiredService<ICompletionStore>().RecordAsync(
            new NewCompletion(Channel.Team, user, Name(user), Channel, null, CompletionKind.SelfLogged, at, localDay ?? DateOnly.FromDateTime(at.UtcDateTime)), Ct);

    public async Task<CommandReply> CommandAsync(string text, string user = "U1")
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICommandHandler>().HandleAsync(new CommandInvocation(Channel, new ChatUser(user, Name(user)), text), Ct);
    }

    public void Dispose()
    {
        host.Dispose();
        SqliteConnection.ClearAllPools();
        if (ownDirectory is not null)
        {
            Directory.Delete(ownDirectory, recursive: true);
        }
    }

    /// <summary>A new temp directory for a database; the caller deletes it.</summary>
    public static string CreateDirectory() => Directory.CreateTempSubdirectory("chatbot-digest-tests-").FullName;

    /// <summary>U1 → "Ana", U2 → "Bo", …; other ids are their own names.</summary>
    public static string Name(string user) => user switch
    {
        "U1" => "Ana",
        "U2" => "Bo",
        "U3" => "Chen",
        "U4" => "Dara",
        "U5" => "Eli",
        "U6" => "Fay",
        _ => user,
    };
}

/// <summary>The digest tests start no break; a start would be a bug in the test.</summary>
internal sealed class NoBreaks : IBreakRunner
{
    public Task StartAsync(long breakId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The digest tests start no break.");

    public Task WhenIdleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
