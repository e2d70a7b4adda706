using System.Diagnostics;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBot.Host.ConsoleChat;

/// <summary>
/// Reads the local user's lines and answers them. Works in a terminal and with stdin piped: at end of
/// input it waits for break threads still running, then stops the host (exit code 0).
/// </summary>
internal sealed partial class ConsoleChatHostedService(
    ConsoleTranscript transcript,
    IServiceScopeFactory scopes,
    IBreakRunner breakRunner,
    IHostApplicationLifetime lifetime,
    ILogger<ConsoleChatHostedService> logger) : BackgroundService
{
    private static readonly ChatUser LocalUser = new("local-user", Environment.UserName is { Length: > 0 } name ? name : "you", IsAdmin: true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        transcript.Note("ChatBot console chat in #console. Type /drill help (or /drill rotation to start a break); Ctrl-D to quit.");
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Console.In reads synchronously and ignores the token once it waits, so read on the thread pool
                // and stop waiting on a stop: otherwise SIGTERM or Ctrl-C waits out the host's shutdown timeout.
                var line = await Task.Run(() => transcript.Input.ReadLineAsync(stoppingToken).AsTask(), stoppingToken).WaitAsync(stoppingToken);
                if (line is null)
                {
                    break;
                }

                // Pasted text: no-break and other Unicode spaces count as spaces, invisible characters are ignored.
                await HandleLineAsync(CommandText.Normalize(line), stoppingToken);
            }

            await breakRunner.WhenIdleAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        lifetime.StopApplication();
    }

    private async Task HandleLineAsync(string line, CancellationToken stoppingToken)
    {
        if (line.Length == 0)
        {
            return;
        }

        using var activity = ChatBotTelemetry.ConsoleChat.StartActivity("console line", ActivityKind.Server);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<ICommandHandler>();
            if (line.StartsWith('/'))
            {
                if (!line.Equals("/drill", StringComparison.OrdinalIgnoreCase) && !line.StartsWith("/drill ", StringComparison.OrdinalIgnoreCase))
                {
                    transcript.Note($"The only command here is /drill. Try /drill help.");
                    return;
                }

                var reply = await handler.HandleAsync(new CommandInvocation(ConsoleTranscript.Channel, LocalUser, line[6..].Trim()), stoppingToken);
                Show(reply);
                return;
            }

            if (transcript.TryGetButton(line, out var actionId, out var channel))
            {
                var outcome = await handler.HandleClickAsync(new ButtonClick(channel, LocalUser, actionId), stoppingToken);
                Show(outcome.Reply);
                return;
            }

            transcript.Note("(Chat lines are just chat. Commands start with /drill; try /drill help.)");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            activity.Failed(exception);
            LogFailed(logger, exception, line);
            transcript.Note("Something went wrong on my side; the details are in the log.");
        }
    }

    private void Show(CommandReply reply) =>
        transcript.Write(reply.Message, reply.Visibility == ReplyVisibility.CallerOnly ? "bot (only you)" : "bot", inThread: false);

    [LoggerMessage(Level = LogLevel.Error, Message = "Console chat: handling '{Line}' failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string line);
}
