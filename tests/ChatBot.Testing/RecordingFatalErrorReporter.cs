using System.Collections.Concurrent;
using ChatBot.Core.Ports;

namespace ChatBot.Testing;

/// <summary>A fatal error as reported; <see cref="Reason"/> ends with the exception, if any, so secret checks see it.</summary>
public sealed record FatalReport(string Source, string Reason)
{
    public override string ToString() => $"{Source}: {Reason}";
}

/// <summary>Records fatal errors instead of stopping the process, so a test can assert the client gave up.</summary>
public sealed class RecordingFatalErrorReporter : IFatalErrorReporter, IDisposable
{
    private readonly TaskCompletionSource<FatalReport> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _reported = new();

    public CancellationToken FatalReported => _reported.Token;

    public ConcurrentQueue<FatalReport> Reports { get; } = new();

    public int Count => Reports.Count;

    public bool HasReported => !Reports.IsEmpty;

    /// <summary>The first report (fails after 30 s if none comes).</summary>
    public Task<FatalReport> Reported => _first.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public void ReportFatal(string source, string reason, Exception? exception = null)
    {
        var report = new FatalReport(source, reason + (exception is null ? "" : " | " + exception));
        Reports.Enqueue(report);
        _first.TrySetResult(report);
        _reported.Cancel();
    }

    public void Dispose() => _reported.Dispose();
}
