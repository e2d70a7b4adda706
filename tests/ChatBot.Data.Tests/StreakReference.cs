using ChatBot.Core.Streaks;

namespace ChatBot.Data.Tests;

/// <summary>
/// The streak rules (design.md "Streak rules") written the plain way, day by day over a set of done dates, as a
/// yardstick for the SQL: a done day counts, a workday without a break ends a run, a day off or away day without
/// one is skipped. Consistency counts workdays that are not away days, and everything starts at the first break.
/// </summary>
public static class StreakReference
{
    public sealed record Expected(int Current, int Best, int RecentWorkdaysDone, int RecentWorkdays);

    public static Expected Compute(IReadOnlySet<DateOnly> done, WorkdaySet workdays, DateOnly today, IReadOnlySet<DateOnly>? away = null, int recent = 20)
    {
        away ??= new HashSet<DateOnly>();
        bool Counts(DateOnly day) => workdays.Contains(day) && !away.Contains(day);

        if (done.Count == 0)
        {
            return new Expected(0, 0, 0, 0);
        }

        var first = done.Min();

        // Current: walk back from today; today without a break is still open, so it is skipped like a day off.
        var current = 0;
        for (var day = today; day >= first; day = day.AddDays(-1))
        {
            if (done.Contains(day))
            {
                current++;
            }
            else if (Counts(day) && day != today)
            {
                break;
            }
        }

        // Best: the longest run, scanning every calendar day.
        int best = 0, run = 0;
        for (var day = first; day <= done.Max(); day = day.AddDays(1))
        {
            if (done.Contains(day))
            {
                best = Math.Max(best, ++run);
            }
            else if (Counts(day))
            {
                run = 0;
            }
        }

        // Consistency: the last 20 workdays that are not away days, ending today if done, else at the last such
        // day before today, none before the first break.
        int recentDays = 0, recentDone = 0;
        for (var day = done.Contains(today) ? today : today.AddDays(-1); recentDays < recent && day >= first; day = day.AddDays(-1))
        {
            if (Counts(day))
            {
                recentDays++;
                recentDone += done.Contains(day) ? 1 : 0;
            }
        }

        return new Expected(current, best, recentDone, recentDays);
    }
}
