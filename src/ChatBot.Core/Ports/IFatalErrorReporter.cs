namespace ChatBot.Core.Ports;

/// <summary>
/// Called when something the bot cannot live without is gone for good (a revoked token, a disallowed
/// intent): the host logs one clear line, stops, and exits non-zero so a supervisor restarts or alerts.
/// </summary>
public interface IFatalErrorReporter
{
    /// <summary>Cancelled once a fatal error is reported: whatever waits for the bot to come up can stop waiting.</summary>
    CancellationToken FatalReported { get; }

    void ReportFatal(string source, string reason, Exception? exception = null);
}
