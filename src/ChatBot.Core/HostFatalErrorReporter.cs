using ChatBot.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBot.Core;

/// <summary>
/// Logs the fatal error, marks the process exit code 1 and stops the host. On .NET 10 a stopped host still
/// returns normally from <c>RunAsync</c>, so the exit code must be set here.
/// </summary>
public sealed partial class HostFatalErrorReporter(IHostApplicationLifetime lifetime, ILogger<HostFatalErrorReporter> logger)
    : IFatalErrorReporter, IDisposable
{
    private readonly CancellationTokenSource _reported = new();

    /// <inheritdoc/>
    public CancellationToken FatalReported => _reported.Token;

    public void ReportFatal(string source, string reason, Exception? exception = null)
    {
        LogFatal(logger, exception, source, reason);
        Environment.ExitCode = 1;
        try
        {
            _reported.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Reported while the host is being disposed: nothing waits for the bot to come up any more.
        }

        // During start (the platform adapters start early), a stop would cancel the start of the services after
        // them, which the host reports as a start failure with a stack trace: stop once start has finished.
        lifetime.ApplicationStarted.Register(lifetime.StopApplication);
    }

    public void Dispose() => _reported.Dispose();

    [LoggerMessage(EventId = 1, Level = LogLevel.Critical, Message = "{Source} cannot continue: {Reason}. Stopping the bot.")]
    private static partial void LogFatal(ILogger logger, Exception? exception, string source, string reason);
}
