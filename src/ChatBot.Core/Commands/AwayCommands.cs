using System.Globalization;
using System.Text;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;

namespace ChatBot.Core.Commands;

/// <summary>
/// <c>/drill away</c>: a person's away days (holiday, sick leave), counted in their own zone. Away days never
/// break the streak and are left out of consistency, like days off; a break logged on one still counts
/// (design.md "Streak rules", issue 12). Every reply is for the caller only.
/// </summary>
public sealed class AwayCommands(IAwayStore away, IUserStore users, UserClock userClock)
{
    /// <summary>The longest period one command sets, in days (today included).</summary>
    public const int MaxDays = 60;

    /// <summary>How many periods <c>/drill away</c> lists (the latest ones).</summary>
    public const int ShownPeriods = 10;

    public async Task<CommandReply> HandleAsync(CommandInvocation invocation, ParsedCommand.Away command, CancellationToken cancellationToken)
    {
        var team = invocation.Channel.Team;
        var zone = await userClock.ZoneOfAsync(invocation.Channel, invocation.Caller, cancellationToken);
        var today = userClock.Today(zone);
        if (command.Off)
        {
            await users.SeenAsync(team, invocation.Caller, cancellationToken);
            var removed = await away.RemoveFromAsync(team, invocation.Caller.Id, today, cancellationToken);
            return CommandReply.ToCaller(removed == 0
                ? $"You have no away days from today ({Day(today)}) on, so nothing changed. Set some with {Markup.Code("/drill away 5")} or {Markup.Code("/drill away until YYYY-MM-DD")}."
                : $"Welcome back! Removed {Plural(removed, "away day")} from today ({Day(today)}) on; today counts as usual. Away days already passed stay away.");
        }

        if (command.Days is null && command.Until is null)
        {
            return CommandReply.ToCaller(await ShowAsync(invocation, zone, today, cancellationToken));
        }

        var last = command.Until ?? today.AddDays(command.Days!.Value - 1);
        var latest = today.AddDays(MaxDays - 1);
        if (last < today)
        {
            return CommandReply.ToCaller(
                $"{Iso(last)} is in the past: today is {Day(today)} in {zone.Id}. Pick today or a later date, up to {Iso(latest)} ({MaxDays} days from today).");
        }

        if (last > latest)
        {
            return CommandReply.ToCaller(
                $"{Iso(last)} is {Plural(last.DayNumber - today.DayNumber + 1, "day")} away counting today: one away period is at most {MaxDays} days, so the latest date is {Iso(latest)}. Set the rest nearer the time.");
        }

        await users.SeenAsync(team, invocation.Caller, cancellationToken);
        await away.AddAsync(team, invocation.Caller.Id, today, last, cancellationToken);
        var days = last.DayNumber - today.DayNumber + 1;
        var span = days == 1 ? $"today, {Day(today)}" : $"{Day(today)} to {Day(last)}";
        return CommandReply.ToCaller(
            $"You're away {span} ({Plural(days, "day")}, in {zone.Id}). Those days never break your streak and are left out of your consistency; a break you log on one still counts. Back early? {Markup.Code("/drill away off")}");
    }

    private async Task<string> ShowAsync(CommandInvocation invocation, TimeZoneInfo zone, DateOnly today, CancellationToken cancellationToken)
    {
        var periods = await away.GetPeriodsAsync(invocation.Channel.Team, invocation.Caller.Id, cancellationToken);
        var text = new StringBuilder();
        if (periods.Count == 0)
        {
            text.Append("You have no away days. ");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"**Your away days** (in {zone.Id}, today is {Day(today)})\n");
            if (periods.Count > ShownPeriods)
            {
                text.Append(CultureInfo.InvariantCulture, $"… {Plural(periods.Count - ShownPeriods, "earlier period")} not shown\n");
            }

            foreach (var period in periods.TakeLast(ShownPeriods))
            {
                var when = period.Last < today ? "past" : period.First > today ? "planned" : "now";
                var span = period.Days == 1 ? Day(period.First) : $"{Day(period.First)} to {Day(period.Last)}";
                text.Append(CultureInfo.InvariantCulture, $"{span} ({Plural(period.Days, "day")}, {when})\n");
            }
        }

        text.Append(CultureInfo.InvariantCulture,
            $"Set some with {Markup.Code("/drill away 5")} (the next 5 days) or {Markup.Code("/drill away until YYYY-MM-DD")}; end them with {Markup.Code("/drill away off")}.");
        return text.ToString();
    }

    private static string Day(DateOnly day) => day.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture);

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Plural(int count, string noun) =>
        count == 1 ? $"1 {noun}" : string.Create(CultureInfo.InvariantCulture, $"{count} {noun}s");
}
