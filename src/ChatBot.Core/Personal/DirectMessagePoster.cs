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

    /// <summary>It failed transiently (or the bot token was rejected) in a batch: released, not sent.</summary>
    Failed,
}

/// <summary>One DM for <see cref="DirectMessagePoster.SendManyAsync"/>: its ledger key, the person, the message.</summary>
public sealed record DirectMessageRequest(string Key, TeamKey Team, string UserId, OutgoingMessage Message);

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
    /// <exception cref="ChatPlatformException">A transient failure or a rejected bot token: the claim is released, retry later.</exception>
    public async Task<DirectMessageResult> SendAsync(
        string key, TeamKey team, string userId, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var claim = await store.ClaimAsync(key, team, userId, instance.Id, clock.GetUtcNow(), ClaimLease, cancellationToken);
        var (result, receipt) = await SendClaimedAsync(new DirectMessageRequest(key, team, userId, message), claim, rethrow: true, cancellationToken);
        if (receipt is not null)
        {
            await store.RecordSentAsync(key, receipt, clock.GetUtcNow(), CancellationToken.None);
        }

        return result;
    }

    /// <summary>
    /// Sends many DMs (the daily reminder pass): claims them all in one transaction, sends up to
    /// <paramref name="parallelism"/> at once, records the sent ones in one transaction. A DM that fails is released and
    /// reported as <see cref="DirectMessageStatus.Failed"/>; nothing is thrown for it. Results come in the order asked.
    /// </summary>
    public async Task<IReadOnlyList<DirectMessageResult>> SendManyAsync(IReadOnlyList<DirectMessageRequest> requests, int parallelism, CancellationToken cancellationToken)
    {
        var claims = await store.ClaimManyAsync(
            requests.Select(r => new DirectMessageTarget(r.Key, r.Team, r.UserId)).ToList(), instance.Id, clock.GetUtcNow(), ClaimLease, cancellationToken);
        var results = new DirectMessageResult[requests.Count];
        var sent = new System.Collections.Concurrent.ConcurrentQueue<(string Key, DirectMessageReceipt Receipt)>();
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, requests.Count),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    var (result, receipt) = await SendClaimedAsync(requests[i], claims[i], rethrow: false, token);
                    results[i] = result;
                    if (receipt is not null)
                    {
                        sent.Enqueue((requests[i].Key, receipt));
                    }
                });
        }
        finally
        {
            await store.RecordSentManyAsync(sent.ToList(), clock.GetUtcNow(), CancellationToken.None);
        }

        return results;
    }

    /// <returns>The result, and the receipt to record when this call sent it.</returns>
    private async Task<(DirectMessageResult Result, DirectMessageReceipt? ToRecord)> SendClaimedAsync(
        DirectMessageRequest request, DirectMessageClaim claim, bool rethrow, CancellationToken cancellationToken)
    {
        switch (claim)
        {
            case DirectMessageClaim.AlreadySent sent:
                return (new DirectMessageResult(DirectMessageStatus.AlreadySent, sent.Receipt), null);
            case DirectMessageClaim.Refused:
                return (new DirectMessageResult(DirectMessageStatus.Refused), null);
            case DirectMessageClaim.HeldElsewhere:
                return (new DirectMessageResult(DirectMessageStatus.HeldElsewhere), null);
        }

        var (key, team, userId, message) = request;
        var resend = ((DirectMessageClaim.Granted)claim).Resend;
        try
        {
            var receipt = await platforms.Get(team.Platform)
                .SendDirectMessageAsync(team, userId, message, new PostOptions(key, Resend: resend), cancellationToken);
            ChatBotTelemetry.Posted(team.Platform, "dm", ok: true);
            return (new DirectMessageResult(DirectMessageStatus.Sent, receipt), receipt);
        }
        catch (ChatPlatformException exception) when (exception.IsPermanent && !exception.IsFatal)
        {
            ChatBotTelemetry.Posted(team.Platform, "dm", ok: false);
            var detail = exception.Message.Length <= 300 ? exception.Message : exception.Message[..299] + "…";
            await store.RecordRefusedAsync(key, team, userId, detail, clock.GetUtcNow(), CancellationToken.None);
            LogRefused(logger, key, exception.Refusal ?? PostRefusal.Other, detail);
            return (new DirectMessageResult(DirectMessageStatus.Refused), null);
        }
        catch (ChatPlatformException exception) when (!rethrow)
        {
            ChatBotTelemetry.Posted(team.Platform, "dm", ok: false);
            await store.ReleaseAsync(key, CancellationToken.None);
            LogFailed(logger, exception, key);
            return (new DirectMessageResult(DirectMessageStatus.Failed), null);
        }
        catch
        {
            ChatBotTelemetry.Posted(team.Platform, "dm", ok: false);
            await store.ReleaseAsync(key, CancellationToken.None);
            throw;
        }
    }

    [LoggerMessage(EventId = 3404, Level = LogLevel.Warning, Message = "Direct message {Key} could not be sent now")]
    private static partial void LogFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 3400, Level = LogLevel.Warning, Message = "Direct message {Key} refused for good ({Refusal}: {Detail}); the person is told on their next command")]
    private static partial void LogRefused(ILogger logger, string key, PostRefusal refusal, string detail);
}
