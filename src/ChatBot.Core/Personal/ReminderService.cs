using System.Globalization;
using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Drills;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Core.Streaks;
using Microsoft.Extensions.Options;

namespace ChatBot.Core.Personal;

/// <summary>What one <see cref="ReminderService.RunPassAsync"/> did.</summary>
/// <param name="Due">Due occurrences this pass claimed.</param>
/// <param name="Sent">DMs sent.</param>
/// <param name="Skipped">Occurrences on a day off or away day, with a break logged, or too late to send.</param>
/// <param name="NotSent">DMs refused (closed DMs), already sent, held by another instance, or failed (a failed one is resent by a later pass within <c>Breaks:CatchUpWindow</c>).</param>
/// <param name="Resent">Earlier reminders whose DM had failed (or whose sender died), sent by this pass.</param>
public sealed record ReminderPassResult(int Due, int Sent, int Skipped, int NotSent, int Resent);

/// <summary>
/// <c>/drill remind HH:MM|off</c> (issue 12): on each of the person's workdays at that local time, if they have
/// logged no break that day, a DM with the next drill of their own rotation, a <b>Start</b> button (the drill just
/// for them, its cues in the DM's thread) and a <b>Done</b> button. Never on days off or away days; at most one per
/// person and local day (a unique row); the time is resolved like schedule slots
/// (<see cref="SlotOccurrences.At"/>: a time in the skipped hour fires when the clocks jump, one in the repeated
/// hour once). Each reminder stores its next occurrence (UTC) in the person's zone; <c>/drill tz</c> recomputes it.
/// A recurring job calls <see cref="RunPassAsync"/> every minute; occurrences are claimed in the database, so
/// several instances never send one twice, and a DM that failed transiently (or whose sender died) is resent by a
/// later pass while it is at most <c>Breaks:CatchUpWindow</c> late (the DM ledger keeps it to one).
/// </summary>
public sealed class ReminderService(
    IReminderStore reminders,
    IAwayStore away,
    IUserStore users,
    UserClock userClock,
    DrillCatalog catalog,
    DirectMessagePoster poster,
    BreakService breakService,
    CompletionCommands completions,
    IOptions<BreaksOptions> options)
{
    /// <summary>How many due reminders one query of a pass reads.</summary>
    public const int BatchSize = 1000;

    /// <summary>How many DMs a pass sends at once.</summary>
    public const int Parallelism = 8;

    /// <summary>How many DMs are claimed, sent and recorded together (one transaction each way).</summary>
    public const int SendChunk = 100;

    public async Task<CommandReply> HandleAsync(CommandInvocation invocation, ParsedCommand.Remind command, CancellationToken cancellationToken)
    {
        var team = invocation.Channel.Team;
        var caller = invocation.Caller;
        if (command.Off)
        {
            return CommandReply.ToCaller(await reminders.RemoveAsync(team, caller.Id, cancellationToken)
                ? $"Daily reminder off. Set it again with {Markup.Code("/drill remind 15:00")}."
                : $"You have no daily reminder, so nothing changed. Set one with {Markup.Code("/drill remind 15:00")}.");
        }

        var zone = await userClock.ZoneOfAsync(invocation.Channel, caller, cancellationToken);
        if (command.At is { } at)
        {
            await users.SeenAsync(team, caller, cancellationToken);
            var setting = Setting(team, caller, at, zone, userClock.Now);
            await reminders.SetAsync(setting, cancellationToken);
            return CommandReply.ToCaller(
                $"Daily reminder set: on your workdays at {SlotTime.Format(at)} ({zone.Id}), if you haven't logged a break yet, I'll DM you the next drill. "
                + await NextTextAsync(setting, zone, cancellationToken) + $" Stop it with {Markup.Code("/drill remind off")}.");
        }

        var current = await reminders.GetAsync(team, caller.Id, cancellationToken);
        if (current is null)
        {
            return CommandReply.ToCaller(
                $"You have no daily reminder. {Markup.Code("/drill remind 15:00")} DMs you on your workdays at 15:00 in your zone ({zone.Id}) when you haven't logged a break yet.");
        }

        var stored = TimeZones.TryFind(current.TimeZoneId, out var storedZone) ? storedZone : zone;
        return CommandReply.ToCaller(
            $"Your daily reminder: workdays at {SlotTime.Format(current.LocalTime)} ({stored.Id}), when you haven't logged a break yet. "
            + await NextTextAsync(current, stored, cancellationToken) + $" Change it with {Markup.Code("/drill remind HH:MM")}, stop it with {Markup.Code("/drill remind off")}.");
    }

    /// <summary>After <c>/drill tz</c>: the person's reminder follows their new zone (same local time).</summary>
    public async Task ZoneChangedAsync(ChannelKey channel, ChatUser caller, CancellationToken cancellationToken)
    {
        if (await reminders.GetAsync(channel.Team, caller.Id, cancellationToken) is { } current)
        {
            var zone = await userClock.ZoneOfAsync(channel, caller, cancellationToken);
            await reminders.SetAsync(Setting(channel.Team, caller with { DisplayName = current.DisplayName }, current.LocalTime, zone, userClock.Now), cancellationToken);
        }
    }

    /// <summary>
    /// Sends the reminders due now: first resends the earlier ones whose DM failed or whose sender died (at most
    /// <c>Breaks:CatchUpWindow</c> late, no break or away day logged since; one indexed query), then reads the due
    /// ones (one indexed query per batch), claims them by moving each to its next occurrence, and DMs those whose day
    /// is a workday, not an away day, with no break logged, at most <c>Breaks:CatchUpWindow</c> late. A DM that fails
    /// now is left to the next pass.
    /// </summary>
    public async Task<ReminderPassResult> RunPassAsync(CancellationToken cancellationToken)
    {
        var now = userClock.Now;
        var workdays = options.Value.WorkdaySet;
        var window = options.Value.CatchUpWindow;
        int due = 0, sent = 0, skipped = 0, notSent = 0, resent = 0;

        // Before the due ones, so a DM failing in this pass waits for the next one rather than being retried at once.
        var unsent = await reminders.GetUnsentAsync(now, window, KeyPrefix, BatchSize, cancellationToken);
        (resent, notSent) = await SendAsync(unsent, cancellationToken);

        for (var batch = 0; batch < 1000; batch++)
        {
            var rows = await reminders.GetDueAsync(now, BatchSize, cancellationToken);
            if (rows.Count == 0)
            {
                break;
            }

            var advances = new List<ReminderAdvance>(rows.Count);
            foreach (var row in rows)
            {
                var setting = row.Setting;
                var zone = TimeZones.TryFind(setting.TimeZoneId, out var found) ? found : options.Value.DefaultZone;
                var (nextDay, nextAt) = NextOccurrence(setting.LocalTime, zone, now, setting.NextDay);
                var send = workdays.Contains(setting.NextDay) && !row.Away && !row.Logged && now - setting.NextDueAt <= window;
                advances.Add(new ReminderAdvance(setting, nextDay, nextAt, send ? catalog.NextInRotation(row.LastDrillId).Id : null));
            }

            var claimed = await reminders.AdvanceAsync(advances, cancellationToken);
            due += rows.Count;
            skipped += advances.Count(a => a.SendDrillId is null);
            var (batchSent, batchNotSent) = await SendAsync(claimed, cancellationToken);
            sent += batchSent;
            notSent += batchNotSent;

            if (rows.Count < BatchSize)
            {
                break;
            }
        }

        return new ReminderPassResult(due, sent, skipped, notSent, resent);
    }

    /// <summary>DMs the reminders <see cref="SendChunk"/> at a time; answers how many went out and how many did not.</summary>
    private async Task<(int Sent, int NotSent)> SendAsync(IReadOnlyList<SentReminder> toSend, CancellationToken cancellationToken)
    {
        int sent = 0, notSent = 0;
        foreach (var chunk in toSend.Chunk(SendChunk))
        {
            var results = await poster.SendManyAsync(
                chunk.Select(r => new DirectMessageRequest(Key(r.Id), r.Team, r.UserId, Message(r))).ToList(), Parallelism, cancellationToken);
            sent += results.Count(r => r.Status == DirectMessageStatus.Sent);
            notSent += results.Count(r => r.Status != DirectMessageStatus.Sent);
        }

        return (sent, notSent);
    }

    /// <summary>Start on a reminder DM: the suggested drill just for this person, prompt and cues in the DM.</summary>
    public async Task<ClickOutcome> StartClickedAsync(ButtonClick click, long reminderId, CancellationToken cancellationToken)
    {
        if (await OwnAsync(click, reminderId, cancellationToken) is not { } reminder)
        {
            return NotYours();
        }

        var channel = new ChannelKey(click.Channel.Platform, reminder.Team.TeamId, click.Channel.ChannelId);
        var start = await breakService.StartAsync(channel, reminder.DrillId, BreakOrigin.OnDemand, click.Caller.Id, null, cancellationToken);
        var drill = catalog.Get(start.Break.DrillId);
        var text = start.Prompt switch
        {
            PromptState.Posted => $"Started **{drill.Title}** just for you: the steps follow here. Tap **Done** on it when you've done it.",
            PromptState.Refused => CommandRouter.RefusalText(drill, start.Break.Refusal!),
            _ => $"**{drill.Title}** isn't posted yet: the chat service didn't take it just now. I'll keep trying for a few minutes.",
        };
        return new ClickOutcome(CommandReply.ToCaller(text), null);
    }

    /// <summary>Done on a reminder DM: logs a break for the person today (as <c>/drill done</c>).</summary>
    public async Task<ClickOutcome> DoneClickedAsync(ButtonClick click, long reminderId, CancellationToken cancellationToken)
    {
        if (await OwnAsync(click, reminderId, cancellationToken) is not { } reminder)
        {
            return NotYours();
        }

        var channel = new ChannelKey(click.Channel.Platform, reminder.Team.TeamId, click.Channel.ChannelId);
        var reply = await completions.DoneTypedAsync(new CommandInvocation(channel, click.Caller, "done"), cancellationToken);
        return new ClickOutcome(reply, null);
    }

    /// <summary>
    /// The first occurrence of <paramref name="time"/> in <paramref name="zone"/> after <paramref name="now"/> and on a
    /// later day than <paramref name="after"/> (the occurrence just handled), as its local day and instant (UTC).
    /// </summary>
    public static (DateOnly Day, DateTimeOffset At) NextOccurrence(TimeOnly time, TimeZoneInfo zone, DateTimeOffset now, DateOnly? after = null)
    {
        var day = TimeZones.LocalDate(now, zone).AddDays(-1);
        if (after is { } handled && day <= handled)
        {
            day = handled.AddDays(1);
        }

        for (; ; day = day.AddDays(1))
        {
            var at = SlotOccurrences.At(day, time, zone);
            if (at > now)
            {
                return (day, at);
            }
        }
    }

    /// <summary>The start of every reminder's DM ledger key (<see cref="Key"/>).</summary>
    public const string KeyPrefix = "remind:";

    /// <summary>The DM ledger key of a sent reminder.</summary>
    public static string Key(long reminderId) => string.Create(CultureInfo.InvariantCulture, $"{KeyPrefix}{reminderId}");

    private OutgoingMessage Message(SentReminder reminder)
    {
        var drill = catalog.Get(reminder.DrillId);
        return new OutgoingMessage(
            $"👋 No break logged yet today. Next in your rotation: **{drill.Title}**. {drill.Summary}\n"
            + "Tap **Start** to do it now (the steps follow here), or **Done** if you've moved on your own.",
            [
                new MessageButton(ButtonAction.ReminderStart(reminder.Id), "Start", ButtonStyle.Primary),
                new MessageButton(ButtonAction.ReminderDone(reminder.Id), "Done", ButtonStyle.Success),
            ]);
    }

    private static ReminderSetting Setting(TeamKey team, ChatUser caller, TimeOnly at, TimeZoneInfo zone, DateTimeOffset now)
    {
        var (day, due) = NextOccurrence(at, zone, now);
        return new ReminderSetting(team, caller.Id, caller.DisplayName, at, zone.Id, day, due);
    }

    /// <summary>"Next: Mon 30 Nov at 15:00." — the next day that is a workday and not an away day (within 90 days).</summary>
    private async Task<string> NextTextAsync(ReminderSetting setting, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var periods = await away.GetPeriodsAsync(setting.Team, setting.UserId, cancellationToken);
        var workdays = options.Value.WorkdaySet;
        for (var day = setting.NextDay; day <= setting.NextDay.AddDays(90); day = day.AddDays(1))
        {
            if (workdays.Contains(day) && !periods.Any(p => p.First <= day && day <= p.Last))
            {
                var at = TimeZoneInfo.ConvertTime(SlotOccurrences.At(day, setting.LocalTime, zone), zone);
                return $"Next: {day.ToString("ddd d MMM", CultureInfo.InvariantCulture)} at {at.ToString("HH:mm", CultureInfo.InvariantCulture)} your time.";
            }
        }

        return "None due in the next 90 days (days off and away days).";
    }

    private async Task<SentReminder?> OwnAsync(ButtonClick click, long reminderId, CancellationToken cancellationToken) =>
        await reminders.GetSentAsync(reminderId, cancellationToken) is { } reminder
            && reminder.UserId == click.Caller.Id && reminder.Team.Platform == click.Channel.Platform
            ? reminder
            : null;

    private static ClickOutcome NotYours() =>
        new(CommandReply.ToCaller("That reminder isn't known here any more, so nothing happened. Try `/drill help`."), null);

}
