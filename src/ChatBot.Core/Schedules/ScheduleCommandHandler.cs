using System.Text;
using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Digests;
using ChatBot.Core.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Core.Schedules;

/// <summary>
/// <c>/drill schedule list | add HH:MM [days] | remove HH:MM | tz &lt;Area/City&gt; | digest &lt;day&gt; HH:MM|off|on</c>: admins only. Bad input
/// gets a reply naming what is valid; every change is stored, then mirrored to the scheduler.
/// </summary>
public sealed partial class ScheduleCommandHandler(
    IScheduleStore store,
    IScheduleSync sync,
    IDigestStore digests,
    TimeProvider time,
    IOptions<BreaksOptions> breaks,
    ILogger<ScheduleCommandHandler> logger) : IScheduleCommandHandler
{
    /// <summary>More would be a wall of pings, and caps what one admin can make the scheduler carry.</summary>
    public const int MaxSlotsPerChannel = 12;

    internal const string Usage =
        "Usage: `/drill schedule list`, `/drill schedule add HH:MM [days]`, `/drill schedule remove HH:MM`, `/drill schedule tz <Area/City>`, `/drill schedule digest fri 16:00` or `off`.";

    public async Task<CommandReply> HandleAsync(CommandInvocation invocation, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (!invocation.Caller.IsAdmin)
        {
            return CommandReply.ToCaller(
                "Sorry, only admins can see and change this channel's break schedule (workspace or server admins, "
                + "or people who can manage the channel). `/drill now` starts a break right away for anyone.");
        }

        var verb = arguments.Count == 0 ? "list" : arguments[0].ToLowerInvariant();
        var rest = arguments.Skip(1).ToList();
        return verb switch
        {
            "list" or "show" => await ListAsync(invocation.Channel, cancellationToken),
            "add" or "set" => await AddAsync(invocation, rest, cancellationToken),
            "remove" or "rm" or "delete" or "del" => await RemoveAsync(invocation, rest, cancellationToken),
            "tz" or "timezone" or "zone" => await SetZoneAsync(invocation, rest, cancellationToken),
            "digest" => await DigestAsync(invocation, rest, cancellationToken),
            _ => CommandReply.ToCaller($"Unknown schedule command '{Markup.Plain(Truncate(arguments[0]))}'. {Usage}"),
        };
    }

    private async Task<CommandReply> ListAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        var schedule = await store.GetAsync(channel, cancellationToken);
        var zone = EffectiveZone(schedule.TimeZoneId);
        var text = new StringBuilder();
        text.Append("**Break schedule** (").Append(ZoneLabel(schedule.TimeZoneId, zone)).Append(')');
        if (schedule.Slots.Count == 0)
        {
            text.Append("\nNo scheduled breaks yet. Add one with `/drill schedule add 09:30` (weekdays) or ")
                .Append("`/drill schedule add 14:00 mon,wed,fri`.");
            return CommandReply.ToCaller(text.ToString());
        }

        foreach (var slot in schedule.Slots.OrderBy(s => s.Time))
        {
            text.Append("\n• `").Append(SlotTime.Format(slot.Time)).Append("` ").Append(ScheduleDaysFormat.Format(slot.Days));
        }

        if (NextBreak(schedule.Slots, zone) is { } next)
        {
            text.Append("\nNext break: ").Append(Markup.Time(next));
        }

        text.Append('\n').Append(await DigestLineAsync(channel, zone, cancellationToken));
        return CommandReply.ToCaller(text.ToString());
    }

    private async Task<CommandReply> AddAsync(CommandInvocation invocation, List<string> rest, CancellationToken cancellationToken)
    {
        if (rest.Count == 0)
        {
            return CommandReply.ToCaller($"Which time? Use {SlotTime.Valid}, then optionally the days: {ScheduleDaysFormat.Valid}.");
        }

        if (!SlotTime.TryParse(rest[0], out var at))
        {
            return CommandReply.ToCaller($"'{Markup.Plain(Truncate(rest[0]))}' is not a time. Use {SlotTime.Valid}.");
        }

        var daysText = string.Join(',', rest.Skip(1));
        if (!ScheduleDaysFormat.TryParse(daysText, out var days))
        {
            return CommandReply.ToCaller($"'{Markup.Plain(Truncate(string.Join(' ', rest.Skip(1))))}' is not a set of days. Use {ScheduleDaysFormat.Valid}.");
        }

        var channel = invocation.Channel;
        var schedule = await store.GetAsync(channel, cancellationToken);
        var existing = schedule.Slots.FirstOrDefault(s => s.Time == at);
        if (existing is null && schedule.Slots.Count >= MaxSlotsPerChannel)
        {
            return CommandReply.ToCaller(
                $"This channel has {schedule.Slots.Count} scheduled breaks, the most it can have. Remove one first with `/drill schedule remove HH:MM`.");
        }

        var slot = new ScheduleSlot(channel, at, days);
        if (existing == slot)
        {
            return CommandReply.ToCaller($"There is already a break at `{SlotTime.Format(at)}` {ScheduleDaysFormat.Describe(days)}.");
        }

        var previous = await store.UpsertSlotAsync(slot, cancellationToken);
        await sync.SyncChannelAsync(channel, cancellationToken);
        LogChanged(logger, channel, "add", slot.ToString(), invocation.Caller.Id);

        var zone = EffectiveZone(schedule.TimeZoneId);
        var text = previous is null
            ? $"Scheduled a break at **{SlotTime.Format(at)}** {ScheduleDaysFormat.Describe(days)} ({ZoneLabel(schedule.TimeZoneId, zone)})."
            : $"The **{SlotTime.Format(at)}** break now runs {ScheduleDaysFormat.Describe(days)} (was {ScheduleDaysFormat.Describe(previous.Days)}).";
        if (SlotOccurrences.Next(slot, time.GetUtcNow(), zone) is { } next)
        {
            text += " Next: " + Markup.Time(next) + ".";
        }

        return CommandReply.ToChannel(text);
    }

    private async Task<CommandReply> RemoveAsync(CommandInvocation invocation, List<string> rest, CancellationToken cancellationToken)
    {
        if (rest.Count != 1 || !SlotTime.TryParse(rest[0], out var at))
        {
            var shown = rest.Count == 0 ? "nothing" : $"'{Markup.Plain(Truncate(string.Join(' ', rest)))}'";
            return CommandReply.ToCaller($"Remove which break? Got {shown}; use {SlotTime.Valid}.");
        }

        var channel = invocation.Channel;
        if (!await store.RemoveSlotAsync(channel, at, cancellationToken))
        {
            var schedule = await store.GetAsync(channel, cancellationToken);
            var times = schedule.Slots.Count == 0
                ? "This channel has no scheduled breaks."
                : "Scheduled: " + string.Join(", ", schedule.Slots.OrderBy(s => s.Time).Select(s => $"`{SlotTime.Format(s.Time)}`")) + ".";
            return CommandReply.ToCaller($"There is no break at `{SlotTime.Format(at)}`. {times}");
        }

        await sync.SyncChannelAsync(channel, cancellationToken);
        LogChanged(logger, channel, "remove", SlotTime.Format(at), invocation.Caller.Id);
        return CommandReply.ToChannel($"Removed the **{SlotTime.Format(at)}** break from this channel's schedule.");
    }

    private async Task<CommandReply> SetZoneAsync(CommandInvocation invocation, List<string> rest, CancellationToken cancellationToken)
    {
        var channel = invocation.Channel;
        if (rest.Count == 0)
        {
            var schedule = await store.GetAsync(channel, cancellationToken);
            return CommandReply.ToCaller(
                $"This channel's breaks follow {ZoneLabel(schedule.TimeZoneId, EffectiveZone(schedule.TimeZoneId))}. Change it with `/drill schedule tz <Area/City>`.");
        }

        var name = string.Join(' ', rest);
        if (rest.Count != 1 || !TimeZones.TryFind(name, out var zone))
        {
            var suggestion = TimeZones.Suggest(name);
            var hint = suggestion is null ? string.Empty : $" Did you mean `{suggestion}`?";
            return CommandReply.ToCaller($"Unknown time zone '{Markup.Plain(Truncate(name))}'.{hint} Use {TimeZones.Valid}.");
        }

        await store.SetTimeZoneAsync(channel, zone.Id, cancellationToken);
        await sync.SyncChannelAsync(channel, cancellationToken);
        LogChanged(logger, channel, "tz", zone.Id, invocation.Caller.Id);
        return CommandReply.ToChannel($"This channel's scheduled breaks now follow **{zone.Id}** time.");
    }

    private async Task<CommandReply> DigestAsync(CommandInvocation invocation, List<string> rest, CancellationToken cancellationToken)
    {
        var channel = invocation.Channel;
        var zone = EffectiveZone((await store.GetAsync(channel, cancellationToken)).TimeZoneId);
        DigestSetting setting;
        switch (rest.Count == 0 ? "" : rest[0].ToLowerInvariant())
        {
            case "":
                return CommandReply.ToCaller(await DigestLineAsync(channel, zone, cancellationToken) + " " + DigestUsage);
            case "off" or "stop" or "none":
                setting = new DigestSetting(false, null);
                break;
            case "on" or "default" when rest.Count == 1:
                setting = DigestSetting.Default;
                break;
            default:
                if (rest.Count != 2 || !ScheduleDaysFormat.TryParse(rest[0], out var days) || !IsOneDay(days, out var day))
                {
                    return CommandReply.ToCaller($"'{Markup.Plain(Truncate(rest[0]))}' is not one day of the week. {DigestUsage}");
                }

                if (!SlotTime.TryParse(rest[1], out var at))
                {
                    return CommandReply.ToCaller($"'{Markup.Plain(Truncate(rest[1]))}' is not a time. Use {SlotTime.Valid}.");
                }

                setting = new DigestSetting(true, new DigestSlot(day, at));
                break;
        }

        await digests.SetSettingAsync(channel, setting, cancellationToken);
        await sync.SyncChannelAsync(channel, cancellationToken);
        LogChanged(logger, channel, "digest", setting.Effective(breaks.Value.WorkdaySet)?.ToString() ?? "off", invocation.Caller.Id);
        return CommandReply.ToChannel(await DigestLineAsync(channel, zone, cancellationToken));
    }

    private const string DigestUsage = "Use `/drill schedule digest fri 16:00` (a day and a time), `/drill schedule digest off`, or `on` for the default.";

    private async Task<string> DigestLineAsync(ChannelKey channel, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var setting = await digests.GetSettingAsync(channel, cancellationToken);
        if (setting.Effective(breaks.Value.WorkdaySet) is not { } slot)
        {
            return "Weekly digest: **off** (`/drill stats` still posts one on demand).";
        }

        var text = $"Weekly digest: **{slot}** ({zone.Id}){(setting.Slot is null ? ", the default" : "")}";
        var schedule = await store.GetAsync(channel, cancellationToken);
        return schedule.Slots.Count == 0
            ? text + ", once this channel has scheduled breaks."
            : SlotOccurrences.Next(slot.AsSlot(channel), time.GetUtcNow(), zone) is { } next ? $"{text}. Next: {Markup.Time(next)}." : text + ".";
    }

    private static bool IsOneDay(ScheduleDays days, out DayOfWeek day)
    {
        day = Enum.GetValues<DayOfWeek>().FirstOrDefault(d => ScheduleDaysFormat.Flag(d) == days);
        return ScheduleDaysFormat.Flag(day) == days;
    }

    private TimeZoneInfo EffectiveZone(string? channelZone) => breaks.Value.ZoneOf(channelZone);

    private static string ZoneLabel(string? channelZone, TimeZoneInfo effective) =>
        channelZone is null ? $"time zone {effective.Id}, the default" : $"time zone {effective.Id}";

    private DateTimeOffset? NextBreak(IEnumerable<ScheduleSlot> slots, TimeZoneInfo zone)
    {
        var now = time.GetUtcNow();
        return slots.Select(s => SlotOccurrences.Next(s, now, zone)).Where(n => n is not null).Min();
    }

    private static string Truncate(string text) => CommandText.Shorten(text, 40);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Schedule of {Channel} changed: {Change} {Detail} by {UserId}")]
    private static partial void LogChanged(ILogger logger, ChannelKey channel, string change, string detail, string userId);
}
