using System.Diagnostics;
using System.Globalization;
using ChatBot.Bench;
using ChatBot.Data;

// Builds a real store (SQLite, or PostgreSQL with --provider postgres) with 10,000 people and 1,000,000 completions over two years in five channels,
// then times the leaderboard (week, month, all time) and one person's streak through the real stores.
// Usage: dotnet run -c Release --project bench/ChatBot.Bench [-- --users N --completions N --iterations N --keep --profile]
// --database PATH measures a database kept by an earlier --keep run instead of loading a new one.
// --digest: the weekly digest instead (queries + chart; run with --users 1000 --channels 1), --sample PATH writes its chart.
// --reminders: the daily reminder pass for --users people with reminders set, due in the same minute.
// --provider postgres: the same on PostgreSQL, at --connection-string (an empty database is loaded, one loaded
// before is measured again), or on a throwaway cluster started like the tests' when it is omitted.
try
{
    var options = BenchOptions.Parse(args);
    await using var engine = BenchEngine.Create(options);
    var target = options.Provider == StorageProvider.Postgres ? 20 : 50;
    Out.Line($"ChatBot store benchmark: {options.Users:N0} users, {options.Completions:N0} completions, {options.Iterations} iterations per query");
    Out.Line($"Database: {engine.Location}");
    Out.Line($"Machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} (other work on the machine inflates the p95 figures)");
    if (options.Reminders)
    {
        return await ReminderMeasurements.RunAsync(engine, options);
    }

    var total = Stopwatch.StartNew();
    var data = await engine.HasDataAsync() ? await DataSet.ReadAsync(engine) : await DataSet.BuildAsync(engine, options);
    if (options.Profile)
    {
        await Profile.RunAsync(engine, data);
    }

    if (options.Digest)
    {
        return await DigestMeasurements.RunAsync(engine, data, options);
    }

    var results = await Measurements.RunAsync(engine, data, options);
    Console.WriteLine();
    Out.Line($"{"query",-46} {"min",10} {"median",10} {"p95",10} {"max",10}  target < {target} ms");
    foreach (var result in results)
    {
        var verdict = result.P95 < target ? "ok" : result.Median < target ? "median ok, p95 over" : "MISSED";
        Out.Line($"{result.Name,-46} {result.Min,7:F2} ms {result.Median,7:F2} ms {result.P95,7:F2} ms {result.Max,7:F2} ms  {verdict}");
    }

    Console.WriteLine();
    var medianMet = results.All(r => r.Median < target);
    Out.Line($"Total run time {total.Elapsed.TotalSeconds:F1} s; load average now {LoadAverage()}. {(results.All(r => r.P95 < target) ? $"Every median and p95 is under {target} ms." : medianMet ? $"Every median is under {target} ms; some p95 figures are not." : $"Some medians missed the {target} ms target.")}");
    return medianMet ? 0 : 1;
}
catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
{
    Out.Line($"{exception.Message}");
    return 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
