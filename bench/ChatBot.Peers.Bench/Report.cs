using System.Globalization;
using System.Text.Json.Nodes;

namespace ChatBot.Peers.Bench;

/// <summary>The printed figures. Ranges are min–max over the rounds; ratios pair the bots of the same round.</summary>
internal static class Report
{
    public static void Run(string platform, RunResult r) => Line(
        $"  {platform} round {r.Round} {r.Contender,-12} start {r.StartSeconds:0.00} s (CPU {r.StartCpuSeconds:0.00} s), first reply {r.FirstReplyMs:0} ms | loaded (after {r.WarmUpCommands:N0} warm-up commands, from {r.LoadedFromSeconds:0.00} s after the start): CPU {r.BotCpuSeconds:0.00} s, " +
        $"p50 {Percentile(r.LoadedReplyMs, 0.5):0.0} ms, p99 {Percentile(r.LoadedReplyMs, 0.99):0.0} ms (ack p99 {Percentile(r.LoadedAckMs, 0.99):0.0}), " +
        $"{r.WallSeconds:0.00} s wall, generator CPU {r.GeneratorCpuSeconds:0.00} s, GC pause {r.GeneratorGcPauseMs:0} ms | one at a time: p50 {Percentile(r.SerialReplyMs, 0.5):0.00} ms, " +
        $"p99 {Percentile(r.SerialReplyMs, 0.99):0.00} ms | peak RSS {r.PeakRssMegabytes:0} MB" + (r.Failures > 0 ? $" | {r.Failures} FAILED" : ""));

    public static void Summary(string platform, Load load, List<RunResult> results)
    {
        Console.WriteLine();
        Line($"== {platform}: {load.Commands:N0} /drill list commands, {load.InFlight} in flight (after {load.WarmUp.TotalSeconds:0} s of warm-up); {load.Serial} one at a time ==");
        Line($"{"bot",-12} {"start s",-13} {"start CPU s",-13} {"CPU s",-13} {"CPU ms/cmd",-13} {"p50 ms",-13} {"p99 ms",-15} {"unloaded p50",-15} {"peak RSS MB",-13} {"generator CPU s",-15}");
        foreach (var group in results.GroupBy(r => r.Contender))
        {
            var runs = group.ToList();
            Line(
                $"{group.Key,-12} {Range(runs, r => r.StartSeconds, "0.00"),-13} {Range(runs, r => r.StartCpuSeconds, "0.00"),-13} {Range(runs, r => r.BotCpuSeconds, "0.00"),-13} " +
                $"{Range(runs, r => r.BotCpuSeconds * 1000 / load.Commands, "0.00"),-13} {Range(runs, r => Percentile(r.LoadedReplyMs, 0.5), "0.0"),-13} " +
                $"{Range(runs, r => Percentile(r.LoadedReplyMs, 0.99), "0.0"),-15} {Range(runs, r => Percentile(r.SerialReplyMs, 0.5), "0.00"),-15} " +
                $"{Range(runs, r => r.PeakRssMegabytes, "0"),-13} {Range(runs, r => r.GeneratorCpuSeconds, "0.00"),-15}");
        }

        if (results.Where(r => r.GeneratorGcPauseMs >= 1).ToList() is { Count: > 0 } paused)
        {
            Line($"!! the generator paused for garbage collection in {paused.Count} runs (up to {paused.Max(r => r.GeneratorGcPauseMs):0} ms): those runs' latencies include its stalls.");
        }

        var failures = results.Sum(r => r.Failures);
        if (failures > 0)
        {
            Line($"!! {failures} commands got no reply within 20 s: figures of those runs are not comparable.");
        }

        var ours = results.Where(r => r.Kind == ContenderKind.ChatBot && r.Contender == "ChatBot").ToList();
        var theirs = results.Where(r => r.Kind == ContenderKind.Peer).ToList();
        var floor = results.Where(r => r.Kind == ContenderKind.Null).ToList();
        var reference = ours.FirstOrDefault()?.FirstReply;
        foreach (var other in results.Where(r => r.Contender != "ChatBot").GroupBy(r => r.Contender))
        {
            if (reference is not null && other.First().Kind != ContenderKind.Null)
            {
                var same = JsonNode.DeepEquals(reference, other.First().FirstReply);
                Line($"reply of {other.Key} to /drill list is {(same ? "the same as ChatBot's" : "DIFFERENT from ChatBot's")}" +
                     (same ? "" : $":{Environment.NewLine}  ChatBot: {reference.ToJsonString()}{Environment.NewLine}  {other.Key}: {other.First().FirstReply?.ToJsonString()}"));
            }
        }

        if (ours.Count > 0 && theirs.Count > 0)
        {
            var peerName = platform == "Slack" ? "Bolt" : "discord.js";
            Line($"-- {platform}: ChatBot / {peerName} (goal: CPU <= 0.5, p99 <= 0.6, peak RSS <= 0.9, start <= 0.5 s) --");
            Ratio("CPU per command", ours, theirs, r => r.BotCpuSeconds);
            Ratio("loaded p50", ours, theirs, r => Percentile(r.LoadedReplyMs, 0.5));
            Ratio("loaded p99", ours, theirs, r => Percentile(r.LoadedReplyMs, 0.99));
            Ratio("peak RSS", ours, theirs, r => r.PeakRssMegabytes);
            Ratio("start -> connected", ours, theirs, r => r.StartSeconds);
            Ratio("CPU to connect", ours, theirs, r => r.StartCpuSeconds);
            if (floor.Count > 0)
            {
                // Unloaded latency over the floor: what each bot adds to the cheapest possible answer.
                var oursOver = Over(ours, floor);
                var theirsOver = Over(theirs, floor);
                Line($"{"unloaded p50 - floor",-22} ChatBot {Range(oursOver, "0.00")} ms vs {peerName} {Range(theirsOver, "0.00")} ms (floor {Range(floor.Select(f => Percentile(f.SerialReplyMs, 0.5)).ToList(), "0.00")} ms)");
            }
        }

        foreach (var variant in results.Where(r => r.Kind == ContenderKind.ChatBot && r.Contender != "ChatBot").GroupBy(r => r.Contender))
        {
            var runs = variant.ToList();
            Line($"-- {platform}: variant {variant.Key} / ChatBot --");
            Ratio("CPU per command", runs, ours, r => r.BotCpuSeconds);
            Ratio("loaded p99", runs, ours, r => Percentile(r.LoadedReplyMs, 0.99));
            Ratio("peak RSS", runs, ours, r => r.PeakRssMegabytes);
            Ratio("start -> connected", runs, ours, r => r.StartSeconds);
            Ratio("CPU to connect", runs, ours, r => r.StartCpuSeconds);
        }

        Console.WriteLine();
    }

    public static void Scale(string platform, ScaleResult s)
    {
        Line($"  {platform} scale {s.Contender}: bot CPU {s.BotCpuSeconds:0.0} s, peak RSS {s.PeakRssMegabytes:0} MB, " +
             $"max ack {s.MaxAckMs:0} ms, max reply {s.MaxReplyMs:0} ms, acks later than 3 s: {s.LateAcks}, no reply: {s.Failures} " +
             $"=> {(s.LateAcks == 0 && s.Failures == 0 ? "every ack within 3 s" : "FAILS the 3 s ack limit")}");
        Line($"    RSS over time (commands answered: MB): {string.Join("  ", s.Memory.Select(m => $"{m.Done}: {m.RssMegabytes:0}"))}");
        Line($"    slowest ack per step (commands answered: ms): {string.Join("  ", s.Memory.Skip(1).Select(m => $"{m.Done}: {m.MaxAckMs:0}"))}");
        Line($"    CPU per 1,000 commands per step (commands answered, s since the first: CPU s): {string.Join("  ", s.Memory.Zip(s.Memory.Skip(1)).Select(p => $"{p.Second.Done} {p.Second.Seconds:0.0}: {(p.Second.CpuSeconds - p.First.CpuSeconds) * 1000 / (p.Second.Done - p.First.Done):0.000}"))}");
        var quarter = s.Memory.FirstOrDefault(m => m.Done >= s.Memory[^1].Done / 4);
        Line($"    growth from {quarter.Done:N0} to {s.Memory[^1].Done:N0} commands: {s.Memory[^1].RssMegabytes - quarter.RssMegabytes:+0;-0} MB");
    }

    public static double Percentile(IReadOnlyList<double> samples, double quantile)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        var sorted = samples.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static List<double> Over(List<RunResult> runs, List<RunResult> floor) =>
        runs.Select(r => Percentile(r.SerialReplyMs, 0.5) - Percentile((floor.FirstOrDefault(f => f.Round == r.Round) ?? floor[0]).SerialReplyMs, 0.5)).ToList();

    private static void Ratio(string label, List<RunResult> ours, List<RunResult> theirs, Func<RunResult, double> value)
    {
        var ratios = ours
            .Select(o => (o, t: theirs.FirstOrDefault(t => t.Round == o.Round)))
            .Where(p => p.t is not null)
            .Select(p => value(p.o) / value(p.t!))
            .ToList();
        Line($"{label,-22} {Range(ratios, "0.00")}x   ({Range(ours.Select(value).ToList(), "0.###")} vs {Range(theirs.Select(value).ToList(), "0.###")})");
    }

    private static string Range(List<RunResult> runs, Func<RunResult, double> value, string format) => Range(runs.Select(value).ToList(), format);

    private static string Range(List<double> values, string format)
    {
        if (values.Count == 0)
        {
            return "-";
        }

        var min = values.Min().ToString(format, CultureInfo.InvariantCulture);
        var max = values.Max().ToString(format, CultureInfo.InvariantCulture);
        return min == max ? min : min + "–" + max;
    }

    private static void Line(string text) => Console.WriteLine(text);
}
