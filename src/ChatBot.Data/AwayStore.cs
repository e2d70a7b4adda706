using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// Away days in <c>away_days</c>, one row per day. Each change and the streak refresh it causes
/// (<see cref="StreakSql.RefreshOne"/>) share one write transaction under the person's lock, so several instances
/// never see one without the other; adding ignores days already there, so a repeated or concurrent command changes nothing twice.
/// </summary>
public sealed class AwayStore(Database database) : IAwayStore
{
    private readonly WorkdaySet _workdays = database.Workdays;

    public async Task<int> AddAsync(TeamKey team, string userId, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        if (last < first)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"The last away day is before the first ({first:yyyy-MM-dd}).");
        }

        var user = Key(team, userId);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await database.Dialect.LockAsync(connection, transaction, StreakSql.LockKey(user.Platform, user.TeamId, user.UserId), cancellationToken);
        var added = 0;
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            added += await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO away_days (platform, team_id, user_id, local_day) VALUES (@Platform, @TeamId, @UserId, @Day) ON CONFLICT DO NOTHING;
                """,
                new { user.Platform, user.TeamId, user.UserId, Day = WorkdaySet.DayNumber(day) },
                transaction,
                cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(StreakSql.RefreshOne(_workdays), user, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    public async Task<int> RemoveFromAsync(TeamKey team, string userId, DateOnly from, CancellationToken cancellationToken)
    {
        var user = Key(team, userId);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await database.Dialect.LockAsync(connection, transaction, StreakSql.LockKey(user.Platform, user.TeamId, user.UserId), cancellationToken);
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM away_days WHERE platform = @Platform AND team_id = @TeamId AND user_id = @UserId AND local_day >= @From;",
            new { user.Platform, user.TeamId, user.UserId, From = WorkdaySet.DayNumber(from) },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(StreakSql.RefreshOne(_workdays), user, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return removed;
    }

    public async Task<IReadOnlyList<AwayPeriod>> GetPeriodsAsync(TeamKey team, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var days = await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT local_day FROM away_days WHERE platform = @Platform AND team_id = @TeamId AND user_id = @UserId ORDER BY local_day;",
            Key(team, userId),
            cancellationToken: cancellationToken));
        var periods = new List<AwayPeriod>();
        foreach (var day in days.Select(WorkdaySet.FromDayNumber))
        {
            if (periods.Count > 0 && periods[^1].Last.AddDays(1) == day)
            {
                periods[^1] = periods[^1] with { Last = day };
            }
            else
            {
                periods.Add(new AwayPeriod(day, day));
            }
        }

        return periods;
    }

    private static UserKey Key(TeamKey team, string userId) => new(Names.Of(team.Platform), team.TeamId, userId);

    private sealed record UserKey(string Platform, string TeamId, string UserId);
}
