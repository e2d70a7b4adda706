using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ChatBot.Core.Telemetry;

/// <summary>
/// Every metric and trace source of the bot, in one place (System.Diagnostics only, so Core stays SDK-free;
/// the host's service defaults hand them to OpenTelemetry). Names follow OpenTelemetry's semantic
/// conventions: dotted, <c>chatbot.</c> prefix, UCUM units (<c>s</c> for durations, <c>{thing}</c> for counts),
/// lower-case attribute values from small fixed sets. Attribute values are never user input, ids or tokens.
/// Recording costs nothing measurable while no listener (OpenTelemetry) is attached.
/// </summary>
public static class ChatBotTelemetry
{
    /// <summary>The meter every <c>chatbot.*</c> instrument belongs to.</summary>
    public const string MeterName = "ChatBot";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<(string Prefix, string Name), string> SpanNames = new();

    private static readonly Counter<long> Commands = Meter.CreateCounter<long>(
        "chatbot.commands.handled", "{command}", "Commands and button taps handled, by platform, command and outcome (ok, invalid, error).");

    private static readonly Histogram<double> AckDuration = Meter.CreateHistogram(
        "chatbot.ack.duration",
        "s",
        "Time from an inbound Slack envelope or request, or a Discord interaction, to its acknowledgement or initial callback.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5] });

    private static readonly Counter<long> Posts = Meter.CreateCounter<long>(
        "chatbot.posts", "{post}", "Messages sent to a platform, by platform, kind (prompt, cue, reply, dm, digest) and outcome (ok, failed).");

    private static readonly Histogram<double> RateLimitWaits = Meter.CreateHistogram(
        "chatbot.rate_limit.wait.duration",
        "s",
        "Waits imposed by platform rate limits before a call (count and seconds), by platform and route template.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60] });

    private static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "chatbot.connection.reconnects", "{reconnect}", "Platform connections re-opened, by platform and reason.");

    private static readonly Counter<long> Resumes = Meter.CreateCounter<long>(
        "chatbot.connection.resumes", "{resume}", "Discord gateway sessions resumed (RESUMED received), by platform and the reason of the break.");

    private static readonly Histogram<double> JobLateness = Meter.CreateHistogram(
        "chatbot.job.lateness",
        "s",
        "Scheduled breaks: from the slot's scheduled time to its prompt posted, by platform.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900] });

    private static readonly Counter<long> Completions = Meter.CreateCounter<long>(
        "chatbot.completions.recorded", "{completion}", "Breaks logged as done (duplicates not counted), by platform and kind (button, self_logged).");

    /// <summary>Spans of the Core command handling (parent: the adapter's inbound span).</summary>
    public static ActivitySource Core { get; } = new("ChatBot.Core");

    /// <summary>The Slack adapter: one span per inbound envelope or request, one per Web API call.</summary>
    public static ActivitySource Slack { get; } = new("ChatBot.Slack");

    /// <summary>The Discord adapter: one span per inbound interaction, one per REST call.</summary>
    public static ActivitySource Discord { get; } = new("ChatBot.Discord");

    /// <summary>Hangfire jobs: one span per job run, linked to the span that scheduled the break (the slot job or the command).</summary>
    public static ActivitySource Scheduling { get; } = new("ChatBot.Scheduling");

    /// <summary>The console chat: one span per typed line.</summary>
    public static ActivitySource ConsoleChat { get; } = new("ChatBot.Console");

    /// <summary>The attribute value for a platform: <c>slack</c>, <c>discord</c>, <c>console</c>.</summary>
    public static string Name(ChatPlatform platform) => platform switch
    {
        ChatPlatform.Slack => "slack",
        ChatPlatform.Discord => "discord",
        _ => "console",
    };

    /// <param name="command">A command name from the parser's fixed set (never the typed text).</param>
    /// <param name="outcome"><c>ok</c>, <c>invalid</c> or <c>error</c>.</param>
    public static void CommandHandled(ChatPlatform platform, string command, string outcome) =>
        Commands.Add(1, new TagList { { "platform", Name(platform) }, { "command", command }, { "outcome", outcome } });

    /// <param name="startTimestamp">A <see cref="Stopwatch.GetTimestamp"/> taken when the envelope or interaction arrived.</param>
    /// <param name="kind"><c>command</c>, <c>click</c> or <c>other</c>.</param>
    public static void Acknowledged(ChatPlatform platform, string kind, long startTimestamp) =>
        AckDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new TagList { { "platform", Name(platform) }, { "kind", kind } });

    /// <param name="kind"><c>prompt</c>, <c>cue</c>, <c>reply</c> (an answer to a command or tap, ephemeral or not), <c>dm</c> (a direct message) or <c>digest</c> (the scheduled weekly digest).</param>
    public static void Posted(ChatPlatform platform, string kind, bool ok) =>
        Posts.Add(1, new TagList { { "platform", Name(platform) }, { "kind", kind }, { "outcome", ok ? "ok" : "failed" } });

    /// <param name="route">The Slack method or the Discord route template (<c>POST channels/{c}/messages</c>): never a concrete URL.</param>
    public static void RateLimitWaited(ChatPlatform platform, string route, TimeSpan wait) =>
        RateLimitWaits.Record(wait.TotalSeconds, new TagList { { "platform", Name(platform) }, { "route", route } });

    /// <param name="reason">A short fixed reason: a Slack disconnect reason, <c>dropped</c>, <c>connect_failed</c>, a Discord close cause.</param>
    public static void Reconnecting(ChatPlatform platform, string reason) =>
        Reconnects.Add(1, new TagList { { "platform", Name(platform) }, { "reason", reason } });

    public static void Resumed(ChatPlatform platform, string reason) =>
        Resumes.Add(1, new TagList { { "platform", Name(platform) }, { "reason", reason } });

    /// <param name="lateness">Prompt posted minus the slot's scheduled time (UTC instants).</param>
    public static void ScheduledPromptPosted(ChatPlatform platform, TimeSpan lateness) =>
        JobLateness.Record(Math.Max(0, lateness.TotalSeconds), new TagList { { "platform", Name(platform) } });

    /// <param name="kind"><c>button</c> or <c>self_logged</c>.</param>
    public static void CompletionRecorded(ChatPlatform platform, string kind) =>
        Completions.Add(1, new TagList { { "platform", Name(platform) }, { "kind", kind } });

    /// <summary>
    /// Starts a span named <c>"{prefix} {name}"</c> (both from small fixed sets, e.g. <c>drill list</c>, <c>slack chat.postMessage</c>),
    /// or returns null at once when nothing listens to <paramref name="source"/>. The name is built once per pair, not per call.
    /// </summary>
    public static Activity? StartSpan(this ActivitySource source, string prefix, string name, ActivityKind kind = ActivityKind.Internal) =>
        source.HasListeners() ? source.StartActivity(SpanNames.GetOrAdd((prefix, name), static key => key.Prefix + " " + key.Name), kind) : null;

    /// <summary>Marks the current span failed with the exception's type (not its message, which may carry data).</summary>
    public static void Failed(this Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity?.SetTag("error.type", exception.GetType().FullName);
    }
}
