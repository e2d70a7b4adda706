using ChatBot.Core;
using ChatBot.Core.Configuration;
using ChatBot.Core.Drills;
using ChatBot.Core.Ports;
using ChatBot.Data;
using ChatBot.Digest;
using ChatBot.Discord;
using ChatBot.Host.ConsoleChat;
using ChatBot.Scheduling;
using ChatBot.ServiceDefaults;
using ChatBot.Slack;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Host;

/// <summary>The composition root: what runs, in what order. Program.cs and the host tests both start here.</summary>
internal static class ChatBotHost
{
    public static HostApplicationBuilder CreateBuilder(
        string[] args,
        TextReader consoleInput,
        TextWriter consoleOutput,
        IReadOnlyDictionary<string, string?>? overrides = null)
    {
        // The defaults would watch appsettings.json in the working directory for changes: an inotify watch on a
        // directory that often holds the databases, so work on every write. ChatBotConfiguration replaces those
        // sources with its own (read once) anyway.
        var settings = new HostApplicationBuilderSettings { Args = args, Configuration = new ConfigurationManager() };
        settings.Configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(settings);
        ChatBotConfiguration.Apply(builder.Configuration, builder.Environment.EnvironmentName, args);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        ChatBotConfiguration.CheckHostSettings(builder.Configuration);

        builder.AddServiceDefaults();
        builder.Services.AddChatBotCore(Path.Combine(ChatBotConfiguration.ConfigDirectory, "drills.json"));
        builder.Services.AddChatBotData();
        // The host starts hosted services one after another in this order. The platform adapters come before
        // the job server and the schedule sync, which start once the adapters are connected (PlatformConnectionGate,
        // see bench/ChatBot.Peers.Bench); a command that comes first only enqueues jobs, which the job server runs
        // once it is up.
        builder.Services.AddSlack(builder.Configuration);
        builder.Services.AddDiscord(builder.Configuration);
        builder.Services.AddChatBotDigestChart();
        var scheduling = builder.Services.Count;
        builder.Services.AddChatBotScheduling(builder.Configuration);
        DeferredHostedService.Defer(builder.Services, from: scheduling);

        if (ChatBotConfiguration.ConsoleChatWanted(builder.Configuration))
        {
            builder.AddConsoleChat(consoleInput, consoleOutput);
        }

        return builder;
    }

    /// <summary>
    /// Builds and runs the host; the exit code is the process's. A configuration error (a value that doesn't
    /// convert or isn't allowed, an unusable <c>Storage:Path</c>, a database file in use by another process, a
    /// broken drill catalogue) stops it before any socket opens, with one line on <paramref name="errors"/>
    /// that names the key or file and what is valid, no stack trace, and exit code 2.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextReader consoleInput, TextWriter consoleOutput, TextWriter errors)
    {
        try
        {
            using var host = CreateBuilder(args, consoleInput, consoleOutput).Build();
            PrecompiledImage.WarnIfUnusable(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ChatBotHost).FullName!));
            await CheckBeforeStartAsync(host.Services);
            var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            try
            {
                await host.RunAsync();
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // Asked to stop while still starting: a platform refused its token (the exit code is already
                // set) or SIGTERM came early. RunAsync has disposed the host; this is a stop, not a crash.
            }

            return Environment.ExitCode;
        }
        catch (Exception exception) when (ConfigurationErrors(exception) is { Count: > 0 } lines)
        {
            await errors.WriteLineAsync("Configuration error: " + string.Join(" ", lines));
            return 2;
        }
    }

    /// <summary>
    /// What the host would find while starting, checked before it starts (the generic host logs a start failure
    /// with its stack trace, and the platform adapters would have begun to connect): the options; then the
    /// database's file lock and schema (on a pool thread) beside the catalogue (on this thread), the catalogue's error
    /// being the one reported when both fail; then that the job file is one. The database's first open and migration
    /// are the longest step of a start, so the <see cref="IStartupPreparation"/>s (reads: Slack's <c>auth.test</c>,
    /// Discord's <c>GET gateway/bot</c>) begin beside it, with telemetry already up for their calls; their log lines
    /// ("Slack bot authenticated") may come before a configuration error found later. The job storage opens later,
    /// as its server starts (<see cref="DeferredHostedService"/>).
    /// </summary>
    internal static async Task CheckBeforeStartAsync(IServiceProvider services)
    {
        services.GetService<IStartupValidator>()?.Validate();
        var preparations = services.GetServices<IStartupPreparation>().ToList();
        if (preparations.Count > 0)
        {
            ServiceDefaultsExtensions.StartTelemetry(services);
        }

        // The database first, as it takes longest; the preparations and the catalogue run beside it.
        var database = Task.Run(() => DataServiceCollectionExtensions.InitializeAsync(services));
        foreach (var preparation in preparations)
        {
            preparation.Begin();
        }

        await Task.WhenAll(CheckCatalog(services), database);
        SchedulingServiceCollectionExtensions.CheckJobFile(services);
    }

    /// <summary>Loads the drill catalogue on this thread; a failure comes back in the task, so the database's check is awaited either way.</summary>
    private static Task CheckCatalog(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<DrillCatalog>();
            return Task.CompletedTask;
        }
        catch (Exception exception)
        {
            return Task.FromException(exception);
        }
    }

    /// <summary>The one-line messages of a configuration error, or none if <paramref name="exception"/> is another failure.</summary>
    private static List<string> ConfigurationErrors(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        ConfigurationException configuration => [configuration.Message],
        DrillCatalogException catalog => [catalog.Message],
        AggregateException aggregate when aggregate.InnerExceptions.All(e => ConfigurationErrors(e).Count > 0) =>
            [.. aggregate.InnerExceptions.SelectMany(ConfigurationErrors)],
        _ => [],
    };
}
