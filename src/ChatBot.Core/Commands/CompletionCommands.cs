using System.Globalization;
using ChatBot.Core.Breaks;
using ChatBot.Core.Drills;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using ChatBot.Core.Telemetry;

namespace ChatBot.Core.Commands;

/// <summary>Logging breaks done: the Done button and <c>/drill done</c>.</summary>
public sealed class CompletionCommands(
    ICompletionStore completions,
    IBreakStore breaks,
    IUserStore users,
    DrillCatalog catalog,
    UserClock userClock,
    StreakReplies streakReplies)
{
    /// <summary>A Done tap later than this after the break started no longer counts (use <c>/drill done</c>).</summary>
    public static readonly TimeSpan ClickWindow = TimeSpan.FromHours(12);

    public async Task<ClickOutcome> DoneClickedAsync(ButtonClick click, long breakId, CancellationToken cancellationToken)
    {
        var brk = await breaks.GetAsync(breakId, cancellationToken);
        if (brk is null || !ClickedFrom(brk, click.Channel) || !catalog.TryFind(brk.DrillId, out var drill))
        {
            return new ClickOutcome(CommandReply.ToCaller("That break isn't known here any more, so nothing was logged. Use `/drill done` to log a break you took."), null);
        }

        var now = userClock.Now;
        if (now - brk.StartedAt > ClickWindow)
        {
            return new ClickOutcome(
                CommandReply.ToCaller($"That break started {Markup.Time(brk.StartedAt)}, too long ago to count. Did one today? Log it with {Markup.Code("/drill done")}."),
                null);
        }

        // The break's team: a tap in a Discord DM (a break started from a reminder) carries no server.
        var team = brk.Channel.Team;
        await users.SeenAsync(team, click.Caller, cancellationToken);
        var zone = await userClock.ZoneOfAsync(brk.Channel, click.Caller, cancellationToken);
        var today = TimeZones.LocalDate(now, zone);
        var outcome = await completions.RecordAsync(
            new NewCompletion(team, click.Caller.Id, click.Caller.DisplayName, brk.Channel, brk.Id, CompletionKind.Button, now, today),
            cancellationToken);
        if (outcome == CompletionOutcome.Recorded)
        {
            ChatBotTelemetry.CompletionRecorded(click.Channel.Platform, "button");
        }

        var stats = await completions.GetStreakAsync(team, click.Caller.Id, today, 0, cancellationToken);
        var doneCount = await completions.CountForBreakAsync(brk.Id, cancellationToken);
        var reply = outcome == CompletionOutcome.Recorded
            ? $"Logged ✅ {drill.Title}. {streakReplies.AfterLogging(today, stats)}"
            : $"Already counted: this break is logged for you. {StreakReplies.Summary(stats)}";
        return new ClickOutcome(CommandReply.ToCaller(reply), BreakContent.Prompt(brk, drill, doneCount));
    }

    /// <summary>
    /// Whether a tap from <paramref name="clicked"/> may count for <paramref name="brk"/>: from the break's team, or
    /// from the break's own conversation (a DM, where Discord names no server).
    /// </summary>
    public static bool ClickedFrom(BreakRecord brk, ChannelKey clicked) =>
        brk.Channel.Team == clicked.Team || (brk.Channel.Platform == clicked.Platform && brk.Channel.ChannelId == clicked.ChannelId);

    public async Task<CommandReply> DoneTypedAsync(CommandInvocation invocation, CancellationToken cancellationToken)
    {
        await users.SeenAsync(invocation.Channel.Team, invocation.Caller, cancellationToken);
        var zone = await userClock.ZoneOfAsync(invocation.Channel, invocation.Caller, cancellationToken);
        var now = userClock.Now;
        var today = TimeZones.LocalDate(now, zone);
        var outcome = await completions.RecordAsync(
            new NewCompletion(invocation.Channel.Team, invocation.Caller.Id, invocation.Caller.DisplayName, invocation.Channel, null, CompletionKind.SelfLogged, now, today),
            cancellationToken);
        if (outcome == CompletionOutcome.Recorded)
        {
            ChatBotTelemetry.CompletionRecorded(invocation.Channel.Platform, "self_logged");
        }

        var stats = await completions.GetStreakAsync(invocation.Channel.Team, invocation.Caller.Id, today, 0, cancellationToken);
        var day = today.ToString("ddd d MMM", CultureInfo.InvariantCulture);
        return CommandReply.ToCaller(outcome == CompletionOutcome.Recorded
            ? $"Logged ✅ a break on your own for {day}. {streakReplies.AfterLogging(today, stats)}"
            : $"You already logged a break on your own for {day}; it counts. Tap **Done** on the channel's breaks to log more. {StreakReplies.Summary(stats)}");
    }
}
