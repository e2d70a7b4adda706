using System.Globalization;
using System.Text;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Microsoft.Extensions.Options;

namespace ChatBot.Core.Commands;

/// <summary><c>/drill streak</c> and <c>/drill leaderboard</c>: numbers from the store, explained in words.</summary>
public sealed class StreakReplies(ICompletionStore completions, UserClock userClock, IOptions<BreaksOptions> options)
{
    public const int LedgerDays = 14;
    public const int LeaderboardSize = 10;

    private readonly WorkdaySet _workdays = options.Value.WorkdaySet;

    public string Summary(StreakStats stats) =>
        stats.Current == 1
            ? "Streak: 1 workday 🔥"
            : $"Streak: {stats.Current.ToString(CultureInfo.InvariantCulture)} workdays{(stats.Current > 0 ? " 🔥" : "")}";

    public async Task<CommandReply> StreakAsync(CommandInvocation invocation, CancellationToken cancellationToken)
    {
        var zone = await userClock.ZoneOfAsync(invocation.Channel, invocation.Caller, cancellationToken);
        var today = userClock.Today(zone);
        var stats = await completions.GetStreakAsync(invocation.Channel.Team, invocation.Caller.Id, today, LedgerDays, cancellationToken);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"**Your streak: {Plural(stats.Current, "workday")}**{(stats.Current > 0 ? " 🔥" : "")}\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Best: {Plural(stats.Best, "workday")} · Breaks in total: {stats.TotalBreaks} · Consistency: {stats.RecentWorkdaysDone} of the last {stats.RecentWorkdays} workdays\n");
        text.Append(CultureInfo.InvariantCulture, $"Your days in {zone.Id} (workdays: {_workdays}):\n");
        for (var day = today; day >= stats.LedgerFrom; day = day.AddDays(-1))
        {
            var done = stats.DaysDone.Contains(day);
            var label = day.ToString("ddd d MMM", CultureInfo.InvariantCulture);
            var note = (done, _workdays.Contains(day), day == today) switch
            {
                (true, true, _) => "✅ done",
                (true, false, _) => "✅ done (not a workday: counts in totals)",
                (false, true, true) => "⏳ today, still open",
                (false, true, false) => "❌ missed",
                (false, false, _) => "· not a workday",
            };
            text.Append(CultureInfo.InvariantCulture, $"{label}  {note}\n");
        }

        text.Append("A streak counts workdays in a row with at least one break; days off never break it.");
        return CommandReply.ToCaller(text.ToString());
    }

    public async Task<CommandReply> LeaderboardAsync(CommandInvocation invocation, LeaderboardPeriod period, CancellationToken cancellationToken)
    {
        var channelZone = await userClock.ChannelZoneAsync(invocation.Channel, cancellationToken);
        var today = userClock.Today(channelZone);
        DateOnly? since = period switch
        {
            LeaderboardPeriod.Week => today.AddDays(-(((int)today.DayOfWeek + 6) % 7)),
            LeaderboardPeriod.Month => new DateOnly(today.Year, today.Month, 1),
            _ => null,
        };
        var title = period switch
        {
            LeaderboardPeriod.Week => "this week",
            LeaderboardPeriod.Month => "this month",
            _ => "all time",
        };
        var rows = await completions.GetLeaderboardAsync(
            invocation.Channel, since, channelZone.Id, id => userClock.Today(TimeZones.TryFind(id, out var z) ? z : channelZone), LeaderboardSize, cancellationToken);
        if (rows.Count == 0)
        {
            return CommandReply.ToChannel(
                $"**Leaderboard, {title}**\nNo breaks logged in this channel {(period == LeaderboardPeriod.All ? "yet" : title)}. Start one with {Markup.Code("/drill now")}.");
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"**Leaderboard, {title}** (current streak, then breaks {title})\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var medal = i switch { 0 => "🥇", 1 => "🥈", 2 => "🥉", _ => $"{i + 1}." };
            text.Append(CultureInfo.InvariantCulture,
                $"{medal} {Markup.Plain(row.DisplayName)}: {Plural(row.CurrentStreak, "workday")} streak{(row.CurrentStreak > 0 ? " 🔥" : "")} · {Plural(row.BreaksInPeriod, "break")} · best {row.BestStreak}\n");
        }

        return CommandReply.ToChannel(text.ToString().TrimEnd('\n'));
    }

    private static string Plural(int count, string noun) =>
        count == 1 ? $"1 {noun}" : string.Create(CultureInfo.InvariantCulture, $"{count} {noun}s");
}
