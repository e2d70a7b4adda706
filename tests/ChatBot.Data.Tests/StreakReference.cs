using ChatBot.Core.Streaks;

namespace ChatBot.Data.Tests;

/// <summary>
/// The streak rules written the plain way, day by day over a set of done dates, as a yardstick for the SQL.
/// </summary>
public static class StreakReference
{
    public sealed record Expected(int Current, int Best, int RecentWorkdaysDone);

    public static Expected Compute(IReadOnlySet<DateOnly> done, WorkdaySet workdays, DateOnly today, int recent = 20)
    {
        // Current: walk back over workdays from today (if done) or the last workday before today.
        var start = workdays.Contains(today) && done.Contains(today) ? today : PreviousWorkday(today, workdays);
        var current = 0;
        for (var day = start; done.Contains(day); day = PreviousWorkday(day, workdays))
        {
            current++;
        }

        // Best: the longest run of done workdays, scanning every calendar day.
        int best = 0, run = 0;
        if (done.Count > 0)
        {
            for (var day = done.Min(); day <= done.Max(); day = day.AddDays(1))
            {
                if (!workdays.Contains(day))
                {
                    continue;
                }

                run = done.Contains(day) ? run + 1 : 0;
                best = Math.Max(best, run);
            }
        }

        // Consistency: the last 20 workdays, ending today if done, else at the last workday before today.
        var recentDone = 0;
        var cursor = start;
        for (var i = 0; i < recent; i++, cursor = PreviousWorkday(cursor, workdays))
        {
            recentDone += done.Contains(cursor) ? 1 : 0;
        }

        return new Expected(current, best, recentDone);
    }

    private static DateOnly PreviousWorkday(DateOnly day, WorkdaySet workdays)
    {
        do
        {
            day = day.AddDays(-1);
        }
        while (!workdays.Contains(day));

        return day;
    }
}
