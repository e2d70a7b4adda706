using System.Diagnostics;
using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Streaks;
using ChatBot.Data;

namespace ChatBot.Bench;

internal sealed record Result(string Name, double Min, double Median, double P95, double Max);

internal static class Measurements
{
    public static async Task<IReadOnlyList<Result>> RunAsync(BenchEngine engine, DataSet data, BenchOptions options)
    {
        // A fresh process-like start: new database object, the stores the host would use.
        var database = engine.Open();
        await database.EnsureInitializedAsync();
        var completions = new CompletionStore(database);
        var busiest = DataSet.Channel(data.ChannelIds[0]);
        var smaller = DataSet.Channel(data.ChannelIds[^1]);
        var monday = data.Today.AddDays(-(((int)data.Today.DayOfWeek + 6) % 7));
        var monthStart = new DateOnly(data.Today.Year, data.Today.Month, 1);
        // As Core does it: each zone's today from the clock, falling back to the channel zone.

        // The write on the click path (before the ack): a Done click, which also refreshes that person's summary.
        var breaks = new BreakStore(database, TimeProvider.System);
        var clickBreaks = new Queue<long>();
        for (var i = 0; i < options.WarmUp + options.Iterations; i++)
        {
            var (record, _) = await breaks.CreateAsync(new NewBreak(busiest, "rotation", BreakOrigin.OnDemand, data.Now), default);
            clickBreaks.Enqueue(record.Id);
        }

        async Task<int> ClickAsync()
        {
            var outcome = await completions.RecordAsync(
                new NewCompletion(DataSet.Team, data.HeavyUser, "Heavy", busiest, clickBreaks.Dequeue(), CompletionKind.Button, data.Now, data.Today), default);
            return outcome == CompletionOutcome.Recorded ? 1 : 0;
        }

        var cases = new (string Name, Func<Task<int>> Run)[]
        {
            ($"leaderboard {busiest.ChannelId}, week", async () => (await completions.GetLeaderboardAsync(busiest, monday, "UTC", data.Now, 10, default)).Count),
            ($"leaderboard {busiest.ChannelId}, month", async () => (await completions.GetLeaderboardAsync(busiest, monthStart, "UTC", data.Now, 10, default)).Count),
            ($"leaderboard {busiest.ChannelId}, all time", async () => (await completions.GetLeaderboardAsync(busiest, null, "UTC", data.Now, 10, default)).Count),
            ($"leaderboard {smaller.ChannelId}, all time", async () => (await completions.GetLeaderboardAsync(smaller, null, "UTC", data.Now, 10, default)).Count),
            ($"streak {data.HeavyUser} (heaviest), 14-day ledger", async () => (await completions.GetStreakAsync(DataSet.Team, data.HeavyUser, data.Today, 14, default)).TotalBreaks),
            ($"streak {data.TypicalUser} (median), 14-day ledger", async () => (await completions.GetStreakAsync(DataSet.Team, data.TypicalUser, data.Today, 14, default)).TotalBreaks),
            ($"record a Done click ({data.HeavyUser})", ClickAsync),
        };

        Out.Line($"{data.UsersWithCompletions:N0} people have completions; today is {data.Today:ddd yyyy-MM-dd}.");
        var results = new List<Result>();
        foreach (var (name, run) in cases)
        {
            var size = 0;
            for (var i = 0; i < options.WarmUp; i++)
            {
                size = await run();
            }

            var samples = new double[options.Iterations];
            for (var i = 0; i < options.Iterations; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await run();
                samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(samples);
            var result = new Result(name, samples[0], Percentile(samples, 0.5), Percentile(samples, 0.95), samples[^1]);
            Out.Line($"  {name}: {(name.StartsWith("streak", StringComparison.Ordinal) ? "total breaks" : name.StartsWith("record", StringComparison.Ordinal) ? "recorded" : "rows")} {size}, median {result.Median:F2} ms");
            results.Add(result);
        }

        return results;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
