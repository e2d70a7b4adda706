using System.Globalization;
using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Drills;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatBot.Core.Personal;

/// <summary>What the snooze job did.</summary>
public enum SnoozeOutcome
{
    /// <summary>This run sent the reminder DM.</summary>
    Sent,

    /// <summary>An earlier run sent it: nothing was sent now.</summary>
    AlreadySent,

    /// <summary>The person logged the break before the reminder was due: nothing sent.</summary>
    DoneBefore,

    /// <summary>The person can't get DMs: recorded for their next command.</summary>
    Refused,

    /// <summary>No such snooze or break (deleted data, a forged job): nothing to send.</summary>
    NoSuchSnooze,
}

/// <summary>
/// The <b>Remind me in 10 min</b> button on every break prompt (issue 12): a tap stores one snooze per (break,
/// person) and schedules a durable delayed job (<see cref="ISnoozeScheduler"/>) that DMs the person
/// <see cref="Delay"/> later with the drill's name, a link to the prompt and its own <b>Done</b>, which counts for
/// that same break. A second tap schedules nothing; the DM goes through <see cref="DirectMessagePoster"/>, so it is
/// sent at most once; a person who tapped Done in the meantime gets nothing.
/// </summary>
public sealed partial class SnoozeService(
    IBreakStore breaks,
    ISnoozeStore snoozes,
    IUserStore users,
    DrillCatalog catalog,
    UserClock userClock,
    ChatPlatforms platforms,
    DirectMessagePoster poster,
    CompletionCommands completions,
    IServiceProvider services,
    ILogger<SnoozeService> logger)
{
    /// <summary>How long a snooze lasts: 10 minutes.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMinutes(10);

    /// <summary>A tap on a prompt's snooze button. The answer is for the caller only.</summary>
    public async Task<ClickOutcome> SnoozeClickedAsync(ButtonClick click, long breakId, CancellationToken cancellationToken)
    {
        var brk = await breaks.GetAsync(breakId, cancellationToken);
        if (brk is null || !CompletionCommands.ClickedFrom(brk, click.Channel) || !catalog.TryFind(brk.DrillId, out var drill))
        {
            return Reply("That break isn't known here any more, so there's nothing to remind you of.");
        }

        var now = userClock.Now;
        if (now - brk.StartedAt > CompletionCommands.ClickWindow)
        {
            return Reply($"That break started {Markup.Time(brk.StartedAt)}, too long ago to snooze. Start a new one with {Markup.Code("/drill now")}.");
        }

        if (services.GetService<ISnoozeScheduler>() is not { } scheduler)
        {
            return Reply("This bot runs without a scheduler, so it can't remind you later.");
        }

        await users.SeenAsync(brk.Channel.Team, click.Caller, cancellationToken);
        var zone = await userClock.ZoneOfAsync(brk.Channel, click.Caller, cancellationToken);
        var (snooze, created) = await snoozes.AddAsync(breakId, brk.Channel.Team, click.Caller.Id, click.Caller.DisplayName, now + Delay, cancellationToken);
        if (snooze.Done)
        {
            return Reply($"You've already done **{drill.Title}** ✅, so no reminder needed.");
        }

        var at = TimeZoneInfo.ConvertTime(snooze.DueAt, zone).ToString("HH:mm", CultureInfo.InvariantCulture);
        if (!created)
        {
            return Reply($"Already set: I'll remind you at {at} (your time).");
        }

        try
        {
            scheduler.Schedule(breakId, click.Caller.Id, Delay);
        }
        catch
        {
            await snoozes.RemoveAsync(breakId, click.Caller.Id, CancellationToken.None);
            throw;
        }

        return Reply($"I'll remind you at {at} (your time).");
    }

    /// <summary>The snooze job: DMs the reminder unless the person has logged the break or it went out before.</summary>
    /// <exception cref="ChatPlatformException">A transient failure or a rejected bot token: the job retries.</exception>
    /// <exception cref="DirectMessageHeldException">Another worker is sending it right now: the job retries.</exception>
    public async Task<SnoozeOutcome> SendDueAsync(long breakId, string userId, CancellationToken cancellationToken)
    {
        var snooze = await snoozes.GetAsync(breakId, userId, cancellationToken);
        var brk = snooze is null ? null : await breaks.GetAsync(breakId, cancellationToken);
        if (snooze is null || brk is null || !catalog.TryFind(brk.DrillId, out var drill))
        {
            return SnoozeOutcome.NoSuchSnooze;
        }

        if (snooze.Done)
        {
            LogDoneBefore(logger, breakId);
            return SnoozeOutcome.DoneBefore;
        }

        string? link = null;
        if (await breaks.GetPostedMessageIdAsync(breakId, 0, cancellationToken) is { } promptId)
        {
            try
            {
                link = await platforms.Get(brk.Channel.Platform).GetMessageLinkAsync(brk.Channel, promptId, cancellationToken);
            }
            catch (ChatPlatformException exception) when (!exception.IsFatal)
            {
                LogNoLink(logger, breakId, exception.Message); // the reminder goes without the link
            }
        }

        var text = $"⏰ Your break: **{drill.Title}**. {drill.Dose.TrimEnd('.')}." + (link is null ? "" : $"\nThe prompt with the steps: {link}")
            + "\nTap **Done** once you've done it: it counts for that break.";
        var message = new OutgoingMessage(text, [new MessageButton(ButtonAction.SnoozeDone(breakId), "Done", ButtonStyle.Success)]);
        var result = await poster.SendAsync(Key(breakId, userId), snooze.Team, userId, message, cancellationToken);
        return result.Status switch
        {
            DirectMessageStatus.Sent => SnoozeOutcome.Sent,
            DirectMessageStatus.AlreadySent => SnoozeOutcome.AlreadySent,
            DirectMessageStatus.Refused => SnoozeOutcome.Refused,
            _ => throw new DirectMessageHeldException(Key(breakId, userId)),
        };
    }

    /// <summary>The Done button of a snooze DM: counts for the break, for the person who snoozed it.</summary>
    public async Task<ClickOutcome> DoneClickedAsync(ButtonClick click, long breakId, CancellationToken cancellationToken)
    {
        var snooze = await snoozes.GetAsync(breakId, click.Caller.Id, cancellationToken);
        var brk = snooze is null ? null : await breaks.GetAsync(breakId, cancellationToken);
        if (snooze is null || brk is null || brk.Channel.Platform != click.Channel.Platform)
        {
            return Reply("That reminder isn't known here any more, so nothing was logged. Use `/drill done` to log a break you took.");
        }

        // Counted as a tap on the prompt itself; the DM is left as it is (the prompt's count updates on its next tap).
        var outcome = await completions.DoneClickedAsync(new ButtonClick(brk.Channel, click.Caller, ButtonAction.Done(breakId)), breakId, cancellationToken);
        return outcome with { UpdatedPrompt = null };
    }

    /// <summary>The DM ledger key of a snooze reminder.</summary>
    public static string Key(long breakId, string userId) => string.Create(CultureInfo.InvariantCulture, $"snooze:{breakId}:{userId}");

    private static ClickOutcome Reply(string text) => new(CommandReply.ToCaller(text), null);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Snooze of break {BreakId}: the break was logged before the reminder was due; not sent")]
    private static partial void LogDoneBefore(ILogger logger, long breakId);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Snooze of break {BreakId}: no link to the prompt ({Reason}); the reminder goes without it")]
    private static partial void LogNoLink(ILogger logger, long breakId, string reason);
}

/// <summary>Another worker holds a live claim on a DM; the job retries later.</summary>
public sealed class DirectMessageHeldException(string key)
    : Exception($"Direct message {key} is being sent elsewhere; retrying later.");
