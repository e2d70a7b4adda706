using System.Diagnostics;
using System.Globalization;
using ChatBot.Bench;
using Microsoft.Data.Sqlite;

// Builds a real SQLite store with 10,000 people and 1,000,000 completions over two years in five channels,
// then times the leaderboard (week, month, all time) and one person's streak through the real stores.
// Usage: dotnet run -c Release --project bench/ChatBot.Bench [-- --users N --completions N --iterations N --keep --profile]
// --database PATH measures a database kept by an earlier --keep run instead of loading a new one.
// --digest: the weekly digest instead (queries + chart; run with --users 1000 --channels 1), --sample PATH writes its chart.
// --reminders: the daily reminder pass for --users people with reminders set, due in the same minute.
var options = BenchOptions.Parse(args);
var directory = options.Database is null ? Directory.CreateTempSubdirectory("chatbot-bench-").FullName : null;
var file = options.Database ?? Path.Combine(directory!, "chatbot.db");
Out.Line($"ChatBot store benchmark: {options.Users:N0} users, {options.Completions:N0} completions, {options.Iterations} iterations per query");
Out.Line($"Database: {file}");
Out.Line($"Machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} (other work on the machine inflates the p95 figures)");
try
{
    if (options.Reminders)
    {
        return await ReminderMeasurements.RunAsync(file, options);
    }

    var total = Stopwatch.StartNew();
    var data = options.Database is null ? await DataSet.BuildAsync(file, options) : await DataSet.ReadAsync(file);
    if (options.Profile)
    {
        await Profile.RunAsync(file, data);
    }

    if (options.Digest)
    {
        return await DigestMeasurements.RunAsync(file, data, options);
    }

    var results = await Measurements.RunAsync(file, data, options);
    Console.WriteLine();
    Out.Line($"{"query",-46} {"min",10} {"median",10} {"p95",10} {"max",10}  target < 50 ms");
    foreach (var result in results)
    {
        var verdict = result.P95 < 50 ? "ok" : result.Median < 50 ? "median ok, p95 over" : "MISSED";
        Out.Line($"{result.Name,-46} {result.Min,7:F2} ms {result.Median,7:F2} ms {result.P95,7:F2} ms {result.Max,7:F2} ms  {verdict}");
    }

    Console.WriteLine();
    var medianMet = results.All(r => r.Median < 50);
    Out.Line($"Total run time {total.Elapsed.TotalSeconds:F1} s; load average now {LoadAverage()}. {(results.All(r => r.P95 < 50) ? "Every median and p95 is under 50 ms." : medianMet ? "Every median is under 50 ms; some p95 figures are not." : "Some medians missed the 50 ms target.")}");
    return medianMet ? 0 : 1;
}
finally
{
    SqliteConnection.ClearAllPools();
    if (directory is null)
    {
        Out.Line($"Left {file} as it was given");
    }
    else if (options.Keep)
    {
        Out.Line($"Kept {file} (measure it again with --database {file})");
    }
    else
    {
        Directory.Delete(directory, recursive: true);
    }
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
