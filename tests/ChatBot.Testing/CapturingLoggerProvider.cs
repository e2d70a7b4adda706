using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ChatBot.Testing;

/// <summary>One captured log call. <see cref="Text"/> holds everything written: message, values, scopes, exception.</summary>
/// <param name="At">When it was logged (UTC, the machine's clock), to read a failed test's log as a timeline.</param>
public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception, string Text, DateTimeOffset At);

/// <summary>
/// Keeps every log call of a test, fully formatted (so "no token in any log line" checks see the values, scopes
/// and exceptions too), and lets a test wait for a line instead of sleeping.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly Channel<string> _feed = Channel.CreateUnbounded<string>();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<LogEntry> Entries => _entries.ToArray();

    public IReadOnlyCollection<string> Lines => _entries.Select(e => e.Text).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>Completes once a line matching <paramref name="predicate"/> was logged (before or after the call).</summary>
    public async Task WaitForAsync(Func<string, bool> predicate, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        if (Lines.Any(predicate))
        {
            return;
        }

        while (!predicate(await _feed.Reader.ReadAsync(cts.Token)))
        {
        }
    }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        _feed.Writer.TryWrite(entry.Text);
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            var text = new StringBuilder();
            text.Append(logLevel).Append(' ').Append(category).Append(": ").Append(message);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    text.Append(" [").Append(key).Append('=').Append(value).Append(']');
                }
            }

            owner._scopes.ForEachScope(
                (scope, builder) =>
                {
                    builder.Append(" {");
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        builder.AppendJoin(' ', pairs.Select(p => p.Key + "=" + p.Value));
                    }
                    else
                    {
                        builder.Append(scope);
                    }

                    builder.Append('}');
                },
                text);
            if (exception is not null)
            {
                text.Append(" | ").Append(exception);
            }

            owner.Add(new LogEntry(category, logLevel, message, exception, text.ToString(), DateTimeOffset.UtcNow));
        }
    }
}
