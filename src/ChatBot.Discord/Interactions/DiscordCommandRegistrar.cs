using ChatBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Discord.Interactions;

/// <summary>
/// Registers <c>/drill</c> by bulk overwrite, globally or per guild (<c>Discord:GuildIds</c>), and only when the
/// definition differs from what Discord has (bulk overwrites count against 200 command creates per day).
/// </summary>
public sealed partial class DiscordCommandRegistrar(DiscordRestClient rest, IOptions<DiscordOptions> options, ILogger<DiscordCommandRegistrar> logger)
{
    /// <returns>How many scopes (global or guilds) were overwritten.</returns>
    public async Task<int> EnsureRegisteredAsync(string applicationId, CancellationToken cancellationToken)
    {
        var wanted = DrillCommandDefinition.Build();
        IReadOnlyList<string?> scopes = options.Value.GuildIds.Count > 0 ? [.. options.Value.GuildIds] : [null];
        var written = 0;
        foreach (var guildId in scopes)
        {
            var current = await rest.GetCommandsAsync(applicationId, guildId, cancellationToken);
            if (DrillCommandDefinition.SameDefinition(current, wanted))
            {
                LogUpToDate(logger, guildId ?? "global");
                continue;
            }

            await rest.BulkOverwriteCommandsAsync(applicationId, guildId, (System.Text.Json.Nodes.JsonArray)wanted.DeepClone(), cancellationToken);
            written++;
            LogRegistered(logger, guildId ?? "global");
        }

        return written;
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Discord /drill command is up to date ({Scope})")]
    private static partial void LogUpToDate(ILogger logger, string scope);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Discord /drill command registered ({Scope})")]
    private static partial void LogRegistered(ILogger logger, string scope);
}
