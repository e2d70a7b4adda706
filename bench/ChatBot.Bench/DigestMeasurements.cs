using System.Diagnostics;
using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Digests;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using ChatBot.Data;
using ChatBot.Digest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatBot.Bench;

/// <summary>
/// <c>--digest</c>: one channel's digest end to end as <c>/drill stats</c> makes it (the two periods' per-day counts,
/// the top streaks, the text and the 1200×600 PNG), timed, with the bytes it allocates and the result it holds.
/// Target: under 300 ms in all.
/// </summary>
internal static class DigestMeasurements
{
    private const double TargetMs = 300;

    public static async Task<int> RunAsync(BenchEngine engine, DataSet data, BenchOptions options)
    {
        var database = engine.Open();
        await database.EnsureInitializedAsync();
        var users = new UserStore(database);
        var breaks = Options.Create(new BreaksOptions { Workdays = "Mon-Fri" });
        var clock = new FixedClock(data.Now);
        var services = new ServiceCollection().AddKeyedSingleton<IChatPlatform>(ChatPlatform.Slack, new NamedChannel()).BuildServiceProvider();
        var chart = new ScottPlotDigestChart();
        var store = new DigestStore(database);
        var digests = new DigestService(
            store,
            new CompletionStore(database),
            new UserClock(users, users, breaks, clock),
            new ChatPlatforms(services),
            breaks,
            NullLogger<DigestService>.Instance,
            chart);
        var channel = DataSet.Channel(data.ChannelIds[0]);
        var people = (await new CompletionStore(database).GetLeaderboardAsync(channel, null, "UTC", data.Now, int.MaxValue, default)).Count;
        Out.Line($"Digest of {channel.ChannelId}: {people:N0} people have taken part there; today is {data.Today:ddd yyyy-MM-dd}.");

        var lastWeek = data.Today.AddDays(-7);
        var cases = new (string Name, Func<Task<OutgoingMessage>> Run)[]
        {
            ("digest, last week: queries only", async () => new OutgoingMessage((await digests.BuildAsync(channel, DigestPeriodKind.Week, lastWeek, default)).Period.Key)),
            ("digest, last week: queries + text + PNG", async () => digests.Compose(await digests.BuildAsync(channel, DigestPeriodKind.Week, lastWeek, default))),
            ("digest, this month: queries + text + PNG", async () => digests.Compose(await digests.BuildAsync(channel, DigestPeriodKind.Month, data.Today, default))),
        };

        var report = await digests.BuildAsync(channel, DigestPeriodKind.Week, lastWeek, default);
        var cold = Stopwatch.StartNew();
        chart.RenderPng(report);
        Out.Line($"First chart in this process (cold: Skia's native library, the font, JIT): {cold.Elapsed.TotalMilliseconds:F0} ms");
        var period = report.Period;
        var zone = TimeZoneInfo.Utc;
        // The parts on their own, to see where the time goes.
        var parts = new (string Name, Func<Task<OutgoingMessage>> Run)[]
        {
            ("part: counts, last week", async () => new OutgoingMessage((await store.CountAsync(channel, period.Dates.ToList(), period.DayBoundaries(zone), default)).Breaks.ToString(CultureInfo.InvariantCulture))),
            ("part: counts, the week before", async () => new OutgoingMessage((await store.CountAsync(channel, period.Previous.Dates.ToList(), period.Previous.DayBoundaries(zone), default)).Breaks.ToString(CultureInfo.InvariantCulture))),
            ("part: top 5 current streaks", async () => new OutgoingMessage((await new CompletionStore(database).GetLeaderboardAsync(channel, null, "UTC", data.Now, DigestService.TopStreakCount, default)).Count.ToString(CultureInfo.InvariantCulture))),
            ("part: PNG only, last week", () => Task.FromResult(new OutgoingMessage("") { File = new MessageFile("x.png", chart.RenderPng(report), "image/png", "") })),
        };

        var results = new List<(Result Result, long Allocated, long Held)>();
        foreach (var (name, run) in cases.Concat(parts))
        {
            for (var i = 0; i < options.WarmUp; i++)
            {
                await run();
            }

            var samples = new double[options.Iterations];
            var allocated = 0L;
            for (var i = 0; i < options.Iterations; i++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var started = Stopwatch.GetTimestamp();
                await run();
                samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
            }

            // What one result keeps alive: the live heap while ten are held, minus without, per result.
            var baseline = GC.GetTotalMemory(forceFullCollection: true);
            var held = new OutgoingMessage[10];
            for (var i = 0; i < held.Length; i++)
            {
                held[i] = await run();
            }

            var holding = (GC.GetTotalMemory(forceFullCollection: true) - baseline) / held.Length;
            GC.KeepAlive(held);

            Array.Sort(samples);
            results.Add((new Result(name, samples[0], samples[samples.Length / 2], samples[Math.Min(samples.Length - 1, (int)Math.Ceiling(0.95 * samples.Length) - 1)], samples[^1]), allocated / options.Iterations, holding));
        }

        Console.WriteLine();
        Out.Line($"{"digest",-44} {"min",10} {"median",10} {"p95",10} {"max",10} {"allocated",11} {"held",9}");
        foreach (var (r, allocated, held) in results)
        {
            Out.Line($"{r.Name,-44} {r.Min,7:F1} ms {r.Median,7:F1} ms {r.P95,7:F1} ms {r.Max,7:F1} ms {allocated / 1024.0 / 1024.0,7:F1} MiB {held / 1024.0,5:F0} KiB");
        }

        Out.Line($"Process after all digests: working set {Environment.WorkingSet / 1024.0 / 1024.0:F0} MiB, managed heap {GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0:F1} MiB (SQLite's page cache and Skia are native).");
        var png = digests.Compose(report).File!;
        Out.Line($"Chart: {png.Content.Length / 1024.0:F0} KiB PNG, {chart.Width}×{chart.Height}.");
        if (options.Sample is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllBytesAsync(path, png.Content.ToArray());
            Out.Line($"Wrote the sample chart to {path}");
            var text = digests.Compose(report).Text.Replace("\n", " | ", StringComparison.Ordinal);
            Out.Line($"Its text: {text}");
        }

        var met = results.Take(cases.Length).All(r => r.Result.Median < TargetMs);
        if (met)
        {
            Out.Line($"Every digest's median is under {TargetMs} ms.");
        }
        else
        {
            Out.Line($"Some digest medians missed {TargetMs} ms.");
        }

        return met ? 0 : 1;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The platform only names the channel here; the digest is measured, not posted.</summary>
    private sealed class NamedChannel : IChatPlatform
    {
        public ChatPlatform Platform => ChatPlatform.Slack;

        public Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The benchmark does not post.");

        public Task<string?> GetChannelNameAsync(ChannelKey channel, CancellationToken cancellationToken) => Task.FromResult<string?>("upper-back");
    }
}
