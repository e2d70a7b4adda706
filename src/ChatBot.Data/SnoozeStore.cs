using ChatBot.Core;
using ChatBot.Core.Ports;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// Snoozes in <c>snoozes</c>, one per break and person (<c>ON CONFLICT DO NOTHING</c>: of two instances adding the
/// same one at once, one creates it); whether the person has done the break is read from <c>completions</c>.
/// </summary>
public sealed class SnoozeStore(Database database) : ISnoozeStore
{
    private const string Select = """
        SELECT s.break_id AS BreakId, s.platform AS Platform, s.team_id AS TeamId, s.user_id AS UserId, s.display_name AS DisplayName,
               s.due_at AS DueAt,
               CAST(CASE WHEN EXISTS (SELECT 1 FROM completions c WHERE c.break_id = s.break_id AND c.user_id = s.user_id) THEN 1 ELSE 0 END AS BIGINT) AS Done
        FROM snoozes s
        WHERE s.break_id = @breakId AND s.user_id = @userId;
        """;

    public async Task<(Snooze Snooze, bool Created)> AddAsync(
        long breakId, TeamKey team, string userId, string displayName, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO snoozes (break_id, user_id, platform, team_id, display_name, due_at)
            VALUES (@breakId, @userId, @Platform, @TeamId, @displayName, @dueAt)
            ON CONFLICT DO NOTHING;
            """,
            new { breakId, userId, Platform = Names.Of(team.Platform), team.TeamId, displayName, dueAt = dueAt.ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken)) == 1;
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(Select, new { breakId, userId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (row.ToSnooze(), created);
    }

    public async Task<Snooze?> GetAsync(long breakId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Select, new { breakId, userId }, cancellationToken: cancellationToken));
        return row?.ToSnooze();
    }

    public async Task RemoveAsync(long breakId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM snoozes WHERE break_id = @breakId AND user_id = @userId;", new { breakId, userId }, cancellationToken: cancellationToken));
    }

    private sealed class Row
    {
        public long BreakId { get; set; }

        public string Platform { get; set; } = "";

        public string TeamId { get; set; } = "";

        public string UserId { get; set; } = "";

        public string DisplayName { get; set; } = "";

        public long DueAt { get; set; }

        public long Done { get; set; }

        public Snooze ToSnooze() => new(
            BreakId, new TeamKey(Names.Platform(Platform), TeamId), UserId, DisplayName, DateTimeOffset.FromUnixTimeMilliseconds(DueAt), Done != 0);
    }
}
