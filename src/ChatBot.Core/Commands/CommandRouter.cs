using System.Text;
using ChatBot.Core.Breaks;
using ChatBot.Core.Drills;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Core.Streaks;
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
    IUserStore users,
    UserClock zones,
    IServiceProvider services) : ICommandHandler
{
    public async Task<CommandReply> HandleAsync(CommandInvocation invocation, CancellationToken cancellationToken) =>
        parser.Parse(invocation.Text) switch
        {
            ParsedCommand.Help => Help(),
            ParsedCommand.List => List(),
            ParsedCommand.StartDrill start => await StartBreakAsync(invocation, start.DrillId, cancellationToken),
            ParsedCommand.Now => await StartBreakAsync(invocation, null, cancellationToken),
            ParsedCommand.Done => await completionCommands.DoneTypedAsync(invocation, cancellationToken),
            ParsedCommand.Streak => await streakReplies.StreakAsync(invocation, cancellationToken),
            ParsedCommand.Leaderboard board => await streakReplies.LeaderboardAsync(invocation, board.Period, cancellationToken),
            ParsedCommand.TimeZone tz => await TimeZoneAsync(invocation, tz.ZoneId, cancellationToken),
            ParsedCommand.Away away => await awayCommands.HandleAsync(invocation, away, cancellationToken),
            ParsedCommand.Schedule schedule => await ScheduleAsync(invocation, schedule.Arguments, cancellationToken),
            ParsedCommand.Invalid invalid => CommandReply.ToCaller(invalid.Message),
            var other => throw new InvalidOperationException($"No handler for {other.GetType().Name}."),
        };

    public async Task<ClickOutcome> HandleClickAsync(ButtonClick click, CancellationToken cancellationToken)
    {
        if (ButtonAction.TryParseDone(click.ActionId, out var breakId))
        {
            return await completionCommands.DoneClickedAsync(click, breakId, cancellationToken);
        }

        return new ClickOutcome(CommandReply.ToCaller("That button isn't one of mine any more, so nothing happened. Try `/drill help`."), null);
    }

    private async Task<CommandReply> StartBreakAsync(CommandInvocation invocation, string? drillId, CancellationToken cancellationToken)
    {
        await users.SeenAsync(invocation.Channel.Team, invocation.Caller, cancellationToken);
        var (brk, _) = await breakService.StartAsync(invocation.Channel, drillId, BreakOrigin.OnDemand, invocation.Caller.Id, null, cancellationToken);
        var drill = catalog.Get(brk.DrillId);
        return CommandReply.ToCaller($"Starting **{drill.Title}** for the channel: the steps follow in the thread. Tap **Done** when you've done it.");
    }

    private async Task<CommandReply> TimeZoneAsync(CommandInvocation invocation, string? zoneId, CancellationToken cancellationToken)
    {
        var team = invocation.Channel.Team;
        if (zoneId is null)
        {
            var zone = await zones.ZoneOfAsync(invocation.Channel, invocation.Caller, cancellationToken);
            return CommandReply.ToCaller(
                $"Your days are counted in **{zone.Id}** (it's {Markup.Time(zones.Now)} there). Change it with {Markup.Code("/drill tz Area/City")}, e.g. {Markup.Code("/drill tz Europe/Berlin")}.");
        }

        if (zoneId.Equals("reset", StringComparison.OrdinalIgnoreCase) || zoneId.Equals("clear", StringComparison.OrdinalIgnoreCase))
        {
            await users.SeenAsync(team, invocation.Caller, cancellationToken);
            await users.SetTimeZoneAsync(team, invocation.Caller.Id, null, cancellationToken);
            var zone = await zones.ZoneOfAsync(invocation.Channel, invocation.Caller, cancellationToken);
            return CommandReply.ToCaller($"Cleared your own time zone: your days now follow **{zone.Id}**.");
        }

        if (!TimeZones.TryFind(zoneId, out var found))
        {
            var suggestion = TimeZones.Suggest(zoneId);
            var hint = suggestion is null ? "" : $" Did you mean {Markup.Code(suggestion)}?";
            return CommandReply.ToCaller(
                $"'{Markup.Plain(zoneId.Length > 40 ? zoneId[..40] : zoneId)}' is not a time zone I know.{hint} Use {TimeZones.Valid}.");
        }

        await users.SeenAsync(team, invocation.Caller, cancellationToken);
        await users.SetTimeZoneAsync(team, invocation.Caller.Id, found.Id, cancellationToken);
        return CommandReply.ToCaller($"Your time zone is now **{found.Id}**: your streak counts your days there. (Undo with {Markup.Code("/drill tz reset")}.)");
    }

    private async Task<CommandReply> ScheduleAsync(CommandInvocation invocation, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var handler = services.GetService<IScheduleCommandHandler>();
        return handler is null
            ? CommandReply.ToCaller("This bot runs without a scheduler, so channel schedules can't be set here.")
            : await handler.HandleAsync(invocation, arguments, cancellationToken);
    }

    private CommandReply Help()
    {
        var text = new StringBuilder();
        text.Append("**Upper back breaks**: short drills for the upper back, a few times every workday.\n");
        text.Append($"{Markup.Code("/drill <drill>")} start a break in this channel: {string.Join(", ", catalog.Drills.Select(d => d.Id))}\n");
        text.Append($"{Markup.Code("/drill now")} start the channel's next drill in the rotation\n");
        text.Append($"{Markup.Code("/drill list")} the drills, one line each\n");
        text.Append($"{Markup.Code("/drill done")} log a break you took on your own today\n");
        text.Append($"{Markup.Code("/drill streak")} your streak, day by day\n");
        text.Append($"{Markup.Code("/drill leaderboard [week|month|all]")} the channel's top streaks\n");
        text.Append($"{Markup.Code("/drill tz <Area/City>")} set your time zone, e.g. Europe/Berlin\n");
        text.Append($"{Markup.Code("/drill away <days>|until YYYY-MM-DD|off")} away days (holiday, sick): they never break your streak\n");
        text.Append($"{Markup.Code("/drill schedule list|add HH:MM [days]|remove HH:MM|tz <Area/City>")} the channel's break times (admins)\n");
        text.Append("Tap **Done** on a break to count it. Streaks count days in a row with a break; a day off without one never breaks it.");
        return CommandReply.ToCaller(text.ToString());
    }

    private CommandReply List()
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
}
