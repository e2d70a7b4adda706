using System.Runtime.CompilerServices;
using System.Text;
using ChatBot.Core.Breaks;
using ChatBot.Core.Drills;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Core.Streaks;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBot.Core.Commands;

/// <summary>The command core: parses <c>/drill …</c> and sends each command to the code that answers it.</summary>
public sealed class CommandRouter(
    CommandParser parser,
    DrillCatalog catalog,
    BreakService breakService,
    CompletionCommands completionCommands,
    StreakReplies streakReplies,
    AwayCommands awayCommands,
    Personal.SnoozeService snoozes,
    Personal.ReminderService reminders,
    IDirectMessageStore directMessages,
    IUserStore users,
    UserClock zones,
    IServiceProvider services) : ICommandHandler
{
    public async Task<CommandReply> HandleAsync(CommandInvocation invocation, CancellationToken cancellationToken)
    {
        var parsed = parser.Parse(invocation.Text);
        var name = CommandName(parsed);
        using var activity = ChatBotTelemetry.Core.StartSpan("drill", name);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("chatbot.platform", ChatBotTelemetry.Name(invocation.Channel.Platform));
        }
        try
        {
            var reply = await RouteAsync(invocation, parsed, cancellationToken);
            ChatBotTelemetry.CommandHandled(invocation.Channel.Platform, name, parsed is ParsedCommand.Invalid ? "invalid" : "ok");
            return await WithDirectMessageNoteAsync(reply, invocation.Channel, invocation.Caller, cancellationToken);
        }
        catch (Exception exception)
        {
            ChatBotTelemetry.CommandHandled(invocation.Channel.Platform, name, "error");
            activity.Failed(exception);
            throw;
        }
    }

    /// <summary>The metric and span name of a command: a fixed word, never the typed text.</summary>
    internal static string CommandName(ParsedCommand command) => command switch
    {
        ParsedCommand.Help => "help",
        ParsedCommand.List => "list",
        ParsedCommand.StartDrill => "drill",
        ParsedCommand.Now => "now",
        ParsedCommand.Done => "done",
        ParsedCommand.Streak => "streak",
        ParsedCommand.Leaderboard => "leaderboard",
        ParsedCommand.TimeZone => "tz",
        ParsedCommand.Schedule => "schedule",
        ParsedCommand.Remind => "remind",
        _ => "invalid",
    };

    private async Task<CommandReply> RouteAsync(CommandInvocation invocation, ParsedCommand parsed, CancellationToken cancellationToken) =>
        parsed switch
        {
            ParsedCommand.Help => Constant.Help,
            ParsedCommand.List => Constant.List,
            ParsedCommand.StartDrill start => await StartBreakAsync(invocation, start.DrillId, cancellationToken),
            ParsedCommand.Now => await StartBreakAsync(invocation, null, cancellationToken),
            ParsedCommand.Done => await completionCommands.DoneTypedAsync(invocation, cancellationToken),
            ParsedCommand.Streak => await streakReplies.StreakAsync(invocation, cancellationToken),
            ParsedCommand.Leaderboard board => await streakReplies.LeaderboardAsync(invocation, board.Period, cancellationToken),
            ParsedCommand.Stats stats => await StatsAsync(invocation, stats.Period, cancellationToken),
            ParsedCommand.TimeZone tz => await TimeZoneAsync(invocation, tz.ZoneId, cancellationToken),
            ParsedCommand.Away away => await awayCommands.HandleAsync(invocation, away, cancellationToken),
            ParsedCommand.Remind remind => await reminders.HandleAsync(invocation, remind, cancellationToken),
            ParsedCommand.Schedule schedule => await ScheduleAsync(invocation, schedule.Arguments, cancellationToken),
            ParsedCommand.Invalid invalid => CommandReply.ToCaller(invalid.Message),
            var other => throw new InvalidOperationException($"No handler for {other.GetType().Name}."),
        };

    public async Task<ClickOutcome> HandleClickAsync(ButtonClick click, CancellationToken cancellationToken)
    {
        using var activity = ChatBotTelemetry.Core.StartActivity("button done");
        try
        {
            var known = true;
            var outcome = click.ActionId switch
            {
                var id when ButtonAction.TryParseDone(id, out var breakId) => await completionCommands.DoneClickedAsync(click, breakId, cancellationToken),
                var id when ButtonAction.TryParseSnooze(id, out var breakId) => await snoozes.SnoozeClickedAsync(click, breakId, cancellationToken),
                var id when ButtonAction.TryParseSnoozeDone(id, out var breakId) => await snoozes.DoneClickedAsync(click, breakId, cancellationToken),
                var id when ButtonAction.TryParseReminderStart(id, out var reminderId) => await reminders.StartClickedAsync(click, reminderId, cancellationToken),
                var id when ButtonAction.TryParseReminderDone(id, out var reminderId) => await reminders.DoneClickedAsync(click, reminderId, cancellationToken),
                _ => Unknown(out known),
            };
            ChatBotTelemetry.CommandHandled(click.Channel.Platform, "button", known ? "ok" : "invalid");
            return outcome with { Reply = await WithDirectMessageNoteAsync(outcome.Reply, click.Channel, click.Caller, cancellationToken) };
        }
        catch (Exception exception)
        {
            ChatBotTelemetry.CommandHandled(click.Channel.Platform, "button", "error");
            activity.Failed(exception);
            throw;
        }
    }

    private static ClickOutcome Unknown(out bool known)
    {
        known = false;
        return new ClickOutcome(CommandReply.ToCaller("That button isn't one of mine any more, so nothing happened. Try `/drill help`."), null);
    }

    /// <summary>
    /// Adds the one-line note that reminders can't reach the person when their last DM was refused (closed DMs),
    /// once, to a reply only they see.
    /// </summary>
    private async Task<CommandReply> WithDirectMessageNoteAsync(CommandReply reply, ChannelKey channel, ChatUser caller, CancellationToken cancellationToken)
    {
        if (reply.Visibility != ReplyVisibility.CallerOnly || await directMessages.TakeRefusalAsync(channel.Team, caller.Id, cancellationToken) is null)
        {
            return reply;
        }

        var note = channel.Platform == ChatPlatform.Discord
            ? "Note: my reminders can't reach you: Discord refused my direct message. Allow direct messages from this server's members (Privacy Settings) to get them."
            : "Note: my reminders can't reach you: the chat service refused my direct message to you.";
        return reply with { Message = reply.Message with { Text = reply.Message.Text + "\n" + note, IsConstant = false } };
    }

    private async Task<CommandReply> StartBreakAsync(CommandInvocation invocation, string? drillId, CancellationToken cancellationToken)
    {
        await users.SeenAsync(invocation.Channel.Team, invocation.Caller, cancellationToken);
        var start = await breakService.StartAsync(invocation.Channel, drillId, BreakOrigin.OnDemand, invocation.Caller.Id, null, cancellationToken);
        var drill = catalog.Get(start.Break.DrillId);
        return start.Prompt switch
        {
            PromptState.Posted => CommandReply.ToCaller(
                $"Started **{drill.Title}** for the channel: the steps follow under the prompt. Tap **Done** when you've done it."),
            PromptState.Refused => CommandReply.ToCaller(RefusalText(drill, start.Break.Refusal!)),
            _ => CommandReply.ToCaller(
                $"**{drill.Title}** isn't posted yet: the chat service didn't take the prompt just now. I'll keep trying for a few minutes; nothing else to do."),
        };
    }

    /// <summary>Why the break could not be posted and what the caller can do about it (shown to the caller only).</summary>
    internal static string RefusalText(Drill drill, BreakRefusal refusal)
    {
        var what = refusal.Step == 0 ? $"I couldn't post **{drill.Title}** here" : $"**{drill.Title}** stopped after step {refusal.Step}";
        return $"{what}: {RefusalAdvice(refusal.Reason)} ({Markup.Plain(refusal.Detail)})";
    }

    /// <summary>
    /// The caller-only answer when a reply meant for the channel (e.g. the <c>/drill stats</c> digest) was refused:
    /// one line with the reason and what to do, the same wording as a refused break.
    /// <paramref name="detail"/> is the platform's error (plain text, shown in brackets).
    /// </summary>
    public static CommandReply PostRefusedReply(PostRefusal reason, string detail) =>
        CommandReply.ToCaller($"I can't post in this channel: {RefusalAdvice(reason)} ({Markup.Plain(detail)})");

    private static string RefusalAdvice(PostRefusal reason) =>
        reason switch
        {
            PostRefusal.NotInChannel =>
                "I'm not a member of this conversation (a private channel, or a direct message I'm not part of). Invite me to the channel (on Slack: type `/invite` and pick me), or run the command in a channel I'm in.",
            PostRefusal.ChannelArchived => "this channel is archived. Run the command in an active channel.",
            PostRefusal.NotAllowed =>
                "I'm not allowed to post here. Ask an admin to let me send messages (and create threads) in this channel, or use another channel.",
            PostRefusal.UnsupportedChannel => "this kind of channel doesn't take my messages. Run the command in a regular text channel.",
            _ => "the chat service refused the post. Try another channel, or tell whoever runs the bot.",
        };

    private async Task<CommandReply> TimeZoneAsync(CommandInvocation invocation, string? zoneId, CancellationToken cancellationToken)
    {
        var team = invocation.Channel.Team;
        if (zoneId is null)
        {
            var zone = await zones.ZoneOfAsync(invocation.Channel, invocation.Caller, cancellationToken);
            // Plain text, not a platform time token: a token renders in the reader's zone, not the named one.
            var there = TimeZoneInfo.ConvertTime(zones.Now, zone).ToString("ddd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
            return CommandReply.ToCaller(
                $"Your days are counted in **{zone.Id}** (it's {there} there). Change it with {Markup.Code("/drill tz Area/City")}, e.g. {Markup.Code("/drill tz Europe/Berlin")}.");
        }

        if (zoneId.Equals("reset", StringComparison.OrdinalIgnoreCase) || zoneId.Equals("clear", StringComparison.OrdinalIgnoreCase))
        {
            await users.SeenAsync(team, invocation.Caller, cancellationToken);
            await users.SetTimeZoneAsync(team, invocation.Caller.Id, null, cancellationToken);
            await reminders.ZoneChangedAsync(invocation.Channel, invocation.Caller, cancellationToken);
            var zone = await zones.ZoneOfAsync(invocation.Channel, invocation.Caller, cancellationToken);
            return CommandReply.ToCaller($"Cleared your own time zone: your days now follow **{zone.Id}**.");
        }

        if (!TimeZones.TryFind(zoneId, out var found))
        {
            var suggestion = TimeZones.Suggest(zoneId);
            var hint = suggestion is null ? "" : $" Did you mean {Markup.Code(suggestion)}?";
            return CommandReply.ToCaller(
                $"'{Markup.Plain(CommandText.Shorten(zoneId, 40))}' is not a time zone I know.{hint} Use {TimeZones.Valid}.");
        }

        await users.SeenAsync(team, invocation.Caller, cancellationToken);
        await users.SetTimeZoneAsync(team, invocation.Caller.Id, found.Id, cancellationToken);
        await reminders.ZoneChangedAsync(invocation.Channel, invocation.Caller, cancellationToken);
        return CommandReply.ToCaller($"Your time zone is now **{found.Id}**: your streak counts your days there. (Undo with {Markup.Code("/drill tz reset")}.)");
    }

    private async Task<CommandReply> ScheduleAsync(CommandInvocation invocation, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var handler = services.GetService<IScheduleCommandHandler>();
        return handler is null
            ? CommandReply.ToCaller("This bot runs without a scheduler, so channel schedules can't be set here.")
            : await handler.HandleAsync(invocation, arguments, cancellationToken);
    }

    private async Task<CommandReply> StatsAsync(CommandInvocation invocation, Digests.DigestPeriodKind period, CancellationToken cancellationToken)
    {
        var digests = services.GetService<Digests.DigestService>();
        return digests is null
            ? CommandReply.ToCaller("This bot runs without storage for digests, so `/drill stats` isn't available here.")
            : await digests.OnDemandAsync(invocation, period, cancellationToken);
    }

    /// <summary>
    /// Help and the drill list depend only on the catalogue, which is fixed at start: each is built once per
    /// catalogue and sent as the same instance, marked <see cref="OutgoingMessage.IsConstant"/> so a platform
    /// renderer can keep its rendering instead of tokenizing the markup on every command.
    /// </summary>
    private static readonly ConditionalWeakTable<DrillCatalog, ConstantReplies> Constants = new();

    private ConstantReplies Constant => Constants.GetValue(catalog, c => new ConstantReplies(Constantly(Help(c)), Constantly(List(c))));

    private static CommandReply Constantly(CommandReply reply) => reply with { Message = reply.Message with { IsConstant = true } };

    private static CommandReply Help(DrillCatalog catalog)
    {
        var text = new StringBuilder();
        text.Append("**Upper back breaks**: short drills for the upper back, a few times every workday.\n");
        text.Append($"{Markup.Code("/drill <drill>")} start a break in this channel: {string.Join(", ", catalog.Drills.Select(d => d.Id))}\n");
        text.Append($"{Markup.Code("/drill now")} start the channel's next drill in the rotation\n");
        text.Append($"{Markup.Code("/drill list")} the drills, one line each\n");
        text.Append($"{Markup.Code("/drill done")} log a break you took on your own today\n");
        text.Append($"{Markup.Code("/drill streak")} your streak, day by day\n");
        text.Append($"{Markup.Code("/drill leaderboard [week|month|all]")} the channel's top streaks\n");
        text.Append($"{Markup.Code("/drill stats [week|month]")} the team's digest: a chart of the breaks and who's on a streak\n");
        text.Append($"{Markup.Code("/drill tz <Area/City>")} set your time zone, e.g. Europe/Berlin\n");
        text.Append($"{Markup.Code("/drill away <days>|until YYYY-MM-DD|off")} away days (holiday, sick): they never break your streak\n");
        text.Append($"{Markup.Code("/drill remind HH:MM|off")} a DM on your workdays at that time if you haven't logged a break yet\n");
        text.Append($"{Markup.Code("/drill schedule list|add HH:MM [days]|remove HH:MM|tz <Area/City>|digest <day> HH:MM|off")} the channel's break times and weekly digest (admins)\n");
        text.Append("Tap **Done** on a break to count it, or **Remind me in 10 min** to get it back as a DM. Streaks count days in a row with a break; a day off without one never breaks it.");
        return CommandReply.ToCaller(text.ToString());
    }

    private static CommandReply List(DrillCatalog catalog)
    {
        var text = new StringBuilder("**Drills**\n");
        foreach (var drill in catalog.Drills)
        {
            var aliases = drill.Aliases.Count > 0 ? $" (also {string.Join(", ", drill.Aliases.Select(Markup.Code))})" : "";
            text.Append($"{Markup.Code(drill.Id)}{aliases}: **{drill.Title}**. {drill.Summary}\n");
        }

        text.Append($"Start one with {Markup.Code("/drill <drill>")}, e.g. {Markup.Code("/drill rotation")}.");
        return CommandReply.ToCaller(text.ToString());
    }

    private sealed record ConstantReplies(CommandReply Help, CommandReply List);
}
