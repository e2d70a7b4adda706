namespace ChatBot.Core.Commands;

/// <summary>
/// The command core every adapter calls. Both methods are safe to call concurrently and never throw for bad
/// user input (they reply instead); they throw only for infrastructure faults.
/// </summary>
public interface ICommandHandler
{
    /// <summary>Handles one <c>/drill …</c> command. A break it starts is posted through <see cref="Ports.IChatPlatform"/>.</summary>
    Task<CommandReply> HandleAsync(CommandInvocation invocation, CancellationToken cancellationToken);

    /// <summary>
    /// Handles a button tap. A completion is durably stored before this returns, so an adapter that
    /// acknowledges the platform only after this call never loses an acknowledged click.
    /// </summary>
    Task<ClickOutcome> HandleClickAsync(ButtonClick click, CancellationToken cancellationToken);
}
