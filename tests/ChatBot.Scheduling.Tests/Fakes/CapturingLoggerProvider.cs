using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChatBot.Scheduling.Tests.Fakes;

/// <summary>Keeps every log line a host writes, for assertions on what was logged.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> lines = new();

    public IReadOnlyCollection<(string Category, LogLevel Level, string Message, Exception? Exception)> Lines => lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.lines.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}
