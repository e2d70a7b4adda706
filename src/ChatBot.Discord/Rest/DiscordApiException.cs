using System.Net;

namespace ChatBot.Discord.Rest;

/// <summary>
/// Discord refused a REST call. <see cref="Code"/> is Discord's JSON error code (e.g. 10062 Unknown interaction,
/// 160004 thread already exists). The message names the route template, never a token.
/// </summary>
public sealed class DiscordApiException : Exception
{
    public DiscordApiException(string message, HttpStatusCode? status, int? code, bool isPermanent, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        Code = code;
        IsPermanent = isPermanent;
    }

    public HttpStatusCode? Status { get; }

    public int? Code { get; }

    /// <summary>Retrying the same call cannot succeed (4xx other than 429).</summary>
    public bool IsPermanent { get; }

    /// <summary>Discord rejected the bot token (401 on a bot-token route): nothing works until the operator fixes <c>Discord:BotToken</c>.</summary>
    public bool IsFatal { get; init; }
}

/// <summary>Discord's JSON error codes the adapter reacts to.</summary>
internal static class DiscordErrorCodes
{
    public const int UnknownChannel = 10003;
    public const int UnknownUser = 10013;
    public const int UnknownMessage = 10008;
    public const int UnknownWebhook = 10015;
    public const int UnknownInteraction = 10062;
    public const int InteractionAlreadyAcknowledged = 40060;
    public const int MissingAccess = 50001;
    public const int CannotSendInDm = 50003;
    public const int CannotSendToUser = 50007;
    public const int NonTextChannel = 50008;
    public const int MissingPermissions = 50013;
    public const int InvalidChannelType = 50024;
    public const int ArchivedThread = 50083;
    public const int ThreadAlreadyCreated = 160004;
    public const int RequestEntityTooLarge = 40005;
    public const int FileTooLarge = 50045;

    /// <summary>
    /// Discord would not take a message's file (no Attach Files permission, or too large): the text may still go
    /// out alone. Source: Discord's JSON error codes (40005, 50013, 50045) and HTTP 413.
    /// </summary>
    public static bool RefusesFile(DiscordApiException ex) =>
        ex.IsPermanent && (ex.Status == System.Net.HttpStatusCode.RequestEntityTooLarge || ex.Code is RequestEntityTooLarge or MissingPermissions or FileTooLarge);
}
