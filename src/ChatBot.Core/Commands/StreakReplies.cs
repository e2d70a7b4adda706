using System.Globalization;
using System.Text;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Microsoft.Extensions.Options;

namespace ChatBot.Core.Commands;

/// <summary>
/// <c>/drill streak</c>, <c>/drill leaderboard</c> and the streak line after logging a break: numbers from the
/// store, explained in words. Rules: design.md "Streak rules" (a break on a day off or away day counts, one
/// without a break is skipped, everything starts at the person's first break).
/// </summary>
public sealed class StreakReplies(ICompletionStore completions, UserClock userClock, IOptions<BreaksOptions> options)
{
    public const int LedgerDays = 14;
    public const int LeaderboardSize = 10;

    private readonly WorkdaySet _workdays = options.Value.WorkdaySet;

    /// <summary>"Streak: 3 days 🔥", "Streak: 0 days".</summary>
    public static string Summary(StreakStats stats) => $"Streak: {Plural(stats.Current, "day")}{Fire(stats.Current)}";

    /// <summary>
    /// What logging a break on <paramref name="day"/> (the person's local date) did to the streak, in plain words:
    /// "Sunday is a day off: it still counts. Streak: 1 day 🔥".
    /// </summary>
    public string AfterLogging(DateOnly day, StreakStats stats)
    {
        var what = stats.AwayDays.Contains(day)
            ? "You're away today: a break still counts. "
            : _workdays.Contains(day)
            ? stats.TotalBreaks == 1 ? "Your first break: your streak starts today. " : stats.Current == 1 ? "A new streak starts today. " : ""
            : $"{day.DayOfWeek} is a day off: it still counts. ";
        return what + Summary(stats);
    }

    public async Task<CommandReply> StreakAsync(CommandInvocation invocation, CancellationToken cancellationToken)
    {
        var zone = await userClock.ZoneOfAsync(invocation.Channel, invocation.Caller, cancellationToken);
        var today = userClock.Today(zone);
        var stats = await completions.GetStreakAsync(invocation.Channel.Team, invocation.Caller.Id, today, LedgerDays, cancellationToken);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"**Your streak: {Plural(stats.Current, "day")}**{Fire(stats.Current)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Best: {Plural(stats.Best, "day")} · Breaks in total: {stats.TotalBreaks} · Consistency: {Consistency(stats)}\n");
        if (stats.FirstDay is null)
        {
            text.Append(CultureInfo.InvariantCulture, $"No breaks logged yet. Tap **Done** on a break, or log one you took with {Markup.Code("/drill done")}.\n");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"Your days in {zone.Id} since {(stats.LedgerFrom == stats.FirstDay ? "your first break" : stats.LedgerFrom.ToString("d MMM", CultureInfo.InvariantCulture))} (workdays: {_workdays}):\n");
            for (var day = today; day >= stats.LedgerFrom; day = day.AddDays(-1))
            {
                var done = stats.DaysDone.Contains(day);
                var label = day.ToString("ddd d MMM", CultureInfo.InvariantCulture);
                var note = (done, _workdays.Contains(day), day == today) switch
                {
                    (true, _, _) when stats.AwayDays.Contains(day) => "✅ done while away: counts",
                    (false, _, _) when stats.AwayDays.Contains(day) => "· away, skipped",
                    (true, true, _) => "✅ done",
                    (true, false, _) => "✅ done on a day off: counts",
                    (false, true, true) => "⏳ today, still open",
                    (false, true, false) => "❌ missed",
                    (false, false, _) => "· day off, skipped",
                };
                text.Append(CultureInfo.InvariantCulture, $"{label}  {note}{(day == stats.FirstDay ? " (your first break)" : "")}\n");
            }
        }

        text.Append("A streak counts days in a row with a break. A break on a day off or away day counts; one without a break is skipped and never breaks it.");
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
            invocation.Channel, since, channelZone.Id, userClock.Now, LeaderboardSize, cancellationToken);
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
                $"{medal} {Markup.Plain(row.DisplayName)}: streak {Plural(row.CurrentStreak, "day")}{Fire(row.CurrentStreak)} · {Plural(row.BreaksInPeriod, "break")} · best {row.BestStreak}\n");
        }

        return CommandReply.ToChannel(text.ToString().TrimEnd('\n'));
    }

    /// <summary>"16 of the last 20 workdays", or for a newcomer "4 of the 6 workdays since you started".</summary>
    private static string Consistency(StreakStats stats) => stats.RecentWorkdays switch
    {
        0 => "no workday since your first break yet",
        < StreakStats.ConsistencyWindow => $"{stats.RecentWorkdaysDone} of the {Plural(stats.RecentWorkdays, "workday")} since you started",
        _ => $"{stats.RecentWorkdaysDone} of the last {stats.RecentWorkdays} workdays",
    };

    private static string Fire(int streak) => streak > 0 ? " 🔥" : "";

    private static string Plural(int count, string noun) =>
        count == 1 ? $"1 {noun}" : string.Create(CultureInfo.InvariantCulture, $"{count} {noun}s");
}
