using ChatBot.Core.Commands;

namespace ChatBot.Core.Schedules;

/// <summary>
/// Handles <c>/drill schedule …</c>. The command router hands it the words after "schedule"; it checks
/// the caller's <see cref="ChatUser.IsAdmin"/>, validates, stores and keeps the scheduler in sync.
/// </summary>
public interface IScheduleCommandHandler
{
    Task<CommandReply> HandleAsync(CommandInvocation invocation, IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}
