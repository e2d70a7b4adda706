using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace ChatBot.Core.Personal;

/// <summary>What became of <see cref="DirectMessagePoster.SendAsync"/>.</summary>
public enum DirectMessageStatus
{
    /// <summary>This call sent it.</summary>
    Sent,

    /// <summary>It was sent before: nothing was sent now.</summary>
    AlreadySent,

    /// <summary>The person can't be messaged (closed DMs and the like): recorded, they are told on their next command.</summary>
    Refused,

    /// <summary>Another worker holds a live claim on it: try again later.</summary>
    HeldElsewhere,
}

/// <summary>The outcome of a DM, with where it went when it went out (now or before).</summary>
public sealed record DirectMessageResult(DirectMessageStatus Status, DirectMessageReceipt? Receipt = null);

/// <summary>
/// Sends each direct message at most once, as <see cref="Breaks.BreakPoster"/> posts break steps: claim its key in the
/// bot's database, send through the person's platform (its REST client and retry policy), record the receipt. A
/// claim left by a dead holder is taken over and sent as a <see cref="PostOptions.Resend"/> with the same
/// idempotency key (Discord's nonce makes it a no-op). A permanent refusal closes the key and leaves the person a
/// note for their next command; a rejected bot token (<see cref="ChatPlatformException.IsFatal"/>) and transient
/// failures release the claim and throw, so the caller's job retries.
/// </summary>
public sealed partial class DirectMessagePoster(
    IDirectMessageStore store,
    ChatPlatforms platforms,
    BotInstance instance,
    TimeProvider clock,
    ILogger<DirectMessagePoster> logger)
{
    /// <summary>Longer than any single send may take, retries included.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(2);

    /// <param name="key">Stable per logical DM (at most 100 characters), e.g. <c>snooze:42:U1</c>; also its idempotency key.</param>
    public async Task<DirectMessageResult> SendAsync(
        string key, TeamKey team, string userId, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var claim = await store.ClaimAsync(key, team, userId, instance.Id, clock.GetUtcNow(), ClaimLease, cancellationToken);
        switch (claim)
        {
            case DirectMessageClaim.AlreadySent sent:
                return new DirectMessageResult(DirectMessageStatus.AlreadySent, sent.Receipt);
            case DirectMessageClaim.Refused:
                return new DirectMessageResult(DirectMessageStatus.Refused);
            case DirectMessageClaim.HeldElsewhere:
                return new DirectMessageResult(DirectMessageStatus.HeldElsewhere);
        }

        var resend = ((DirectMessageClaim.Granted)claim).Resend;
        DirectMessageReceipt receipt;
        try
        {
            receipt = await platforms.Get(team.Platform)
                .SendDirectMessageAsync(team, userId, message, new PostOptions(key, Resend: resend), cancellationToken);
        }
        catch (ChatPlatformException exception) when (exception.IsPermanent && !exception.IsFatal)
        {
            ChatBotTelemetry.Posted(team.Platform, "dm", ok: false);
            var detail = exception.Message.Length <= 300 ? exception.Message : exception.Message[..299] + "…";
            await store.RecordRefusedAsync(key, team, userId, detail, clock.GetUtcNow(), CancellationToken.None);
            LogRefused(logger, key, exception.Refusal ?? PostRefusal.Other, detail);
            return new DirectMessageResult(DirectMessageStatus.Refused);
        }
        catch
        {
            ChatBotTelemetry.Posted(team.Platform, "dm", ok: false);
            await store.ReleaseAsync(key, CancellationToken.None);
            throw;
        }

        ChatBotTelemetry.Posted(team.Platform, "dm", ok: true);
        await store.RecordSentAsync(key, receipt, clock.GetUtcNow(), CancellationToken.None);
        return new DirectMessageResult(DirectMessageStatus.Sent, receipt);
    }

    [LoggerMessage(EventId = 3400, Level = LogLevel.Warning, Message = "Direct message {Key} refused for good ({Refusal}: {Detail}); the person is told on their next command")]
    private static partial void LogRefused(ILogger logger, string key, PostRefusal refusal, string detail);
}
