using System.Text.Json;
using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using Dapper;

namespace ChatBot.Data;

public sealed class CompletionStore(Database database) : ICompletionStore
{
    /// <summary>Consistency looks at this many workdays.</summary>
    public const int RecentWorkdays = StreakStats.ConsistencyWindow;

    private readonly WorkdaySet _workdays = database.Workdays;

    public async Task<CompletionOutcome> RecordAsync(NewCompletion completion, CancellationToken cancellationToken)
    {
        var team = completion.Team;
        var parameters = new
        {
            Platform = Names.Of(team.Platform),
            team.TeamId,
            completion.UserId,
            completion.DisplayName,
            PlatformTimeZone = (string?)null,
            completion.Channel.ChannelId,
            completion.BreakId,
            Kind = (int)completion.Kind,
            At = completion.At.ToUnixTimeMilliseconds(),
            LocalDay = WorkdaySet.DayNumber(completion.LocalDay),
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await database.Dialect.LockAsync(connection, transaction, StreakSql.LockKey(parameters.Platform, team.TeamId, completion.UserId), cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO completions (platform, team_id, user_id, channel_id, break_id, kind, at, local_day)
            VALUES (@Platform, @TeamId, @UserId, @ChannelId, @BreakId, @Kind, @At, @LocalDay)
            ON CONFLICT DO NOTHING;
            """,
            parameters,
            transaction,
            cancellationToken: cancellationToken));
        if (inserted == 0)
        {
            return CompletionOutcome.Duplicate;
        }

        await connection.ExecuteAsync(new CommandDefinition(UserStore.UpsertSql, parameters, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO channel_members (platform, team_id, channel_id, user_id, breaks) VALUES (@Platform, @TeamId, @ChannelId, @UserId, 1)
            ON CONFLICT (platform, team_id, channel_id, user_id) DO UPDATE SET breaks = channel_members.breaks + 1;
            """,
            parameters,
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(StreakSql.RefreshOne(_workdays), parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return CompletionOutcome.Recorded;
    }

    public async Task<int> CountForBreakAsync(long breakId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM completions WHERE break_id = @breakId;", new { breakId }, cancellationToken: cancellationToken));
    }

    public async Task<StreakStats> GetStreakAsync(TeamKey team, string userId, DateOnly today, int ledgerDays, CancellationToken cancellationToken)
    {
        var user = new { Platform = Names.Of(team.Platform), team.TeamId, UserId = userId };
        await using var connection = await database.OpenAsync(cancellationToken);
        var summary = await connection.QuerySingleOrDefaultAsync<SummaryRow>(new CommandDefinition(
            """
            SELECT s.total, s.best, s.run_end, s.run_length,
                   (SELECT MIN(c.local_day) FROM completions c
                    WHERE c.platform = s.platform AND c.team_id = s.team_id AND c.user_id = s.user_id) AS first_day
            FROM streaks s WHERE s.platform = @Platform AND s.team_id = @TeamId AND s.user_id = @UserId;
            """,
            user,
            cancellationToken: cancellationToken)) ?? new SummaryRow(0, 0, null, 0, null);
        DateOnly? firstDay = summary.First_Day is { } first ? WorkdaySet.FromDayNumber(first) : null;

        // Current while no workday lies between the run's last day and today (today itself stays open). Away
        // workdays right after the run are already folded into run_end (see StreakSql).
        var current = summary.Run_End >= _workdays.OrdinalBefore(today) ? (int)summary.Run_Length : 0;

        var away = firstDay is null
            ? []
            : (await connection.QueryAsync<long>(new CommandDefinition(
                """
                SELECT local_day FROM away_days
                WHERE platform = @Platform AND team_id = @TeamId AND user_id = @UserId AND local_day BETWEEN @from AND @to;
                """,
                new { user.Platform, user.TeamId, user.UserId, from = summary.First_Day, to = WorkdaySet.DayNumber(today) },
                cancellationToken: cancellationToken))).Select(WorkdaySet.FromDayNumber).ToHashSet();

        // The ledger: the asked-for calendar days back, from the first break on (only today before any break).
        var ledgerFrom = today.AddDays(-Math.Max(0, ledgerDays - 1));
        if (firstDay is null || (firstDay > ledgerFrom && firstDay <= today))
        {
            ledgerFrom = firstDay ?? today;
        }

        // Consistency: the last 20 workdays that were not away days, ending today if today is one and done, else at
        // the last one before today; none before the first break (so away days before it need not be known).
        var window = 0;
        var windowDone = 0;
        var days = new HashSet<DateOnly>();
        if (firstDay is { } started)
        {
            var counted = new List<DateOnly>(RecentWorkdays + 1);
            for (var day = today; counted.Count <= RecentWorkdays && day >= started; day = day.AddDays(-1))
            {
                if (_workdays.Contains(day) && !away.Contains(day))
                {
                    counted.Add(day);
                }
            }

            var windowStart = counted.Count > 0 ? counted[^1] : today;
            var from = WorkdaySet.DayNumber(windowStart < ledgerFrom ? windowStart : ledgerFrom);
            days = (await connection.QueryAsync<long>(new CommandDefinition(
                """
                SELECT DISTINCT local_day FROM completions
                WHERE platform = @Platform AND team_id = @TeamId AND user_id = @UserId AND local_day BETWEEN @from AND @to;
                """,
                new { user.Platform, user.TeamId, user.UserId, from, to = WorkdaySet.DayNumber(today) },
                cancellationToken: cancellationToken))).Select(WorkdaySet.FromDayNumber).ToHashSet();

            // Today counts only once done; the window then holds the 20 counted days up to the newest kept.
            if (counted.Count > 0 && counted[0] == today && !days.Contains(today))
            {
                counted.RemoveAt(0);
            }

            foreach (var day in counted.Take(RecentWorkdays))
            {
                window++;
                windowDone += days.Contains(day) ? 1 : 0;
            }
        }

        return new StreakStats(
            today,
            current,
            (int)summary.Best,
            (int)summary.Total,
            windowDone,
            window,
            ledgerFrom,
            days.Where(d => d >= ledgerFrom).ToHashSet(),
            firstDay,
            away.Where(d => d >= ledgerFrom).ToHashSet());
    }

    public async Task<IReadOnlyList<LeaderboardRow>> GetLeaderboardAsync(
        ChannelKey channel,
        DateOnly? since,
        string channelZone,
        DateTimeOffset now,
        int limit,
        CancellationToken cancellationToken)
    {
        var scope = new { Platform = Names.Of(channel.Platform), channel.TeamId, channel.ChannelId };
        await using var connection = await database.OpenAsync(cancellationToken);

        // Each person's streak is current if its latest run reaches the last workday before *their* today.
        // The zone → ordinal map is parsed once into a small table and joined (an indexed lookup per person);
        // a JSON-members subquery per row re-parsed the JSON for every participant and dominated the query.
        var zones = (await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT DISTINCT COALESCE(time_zone, platform_time_zone) FROM users
            WHERE platform = @Platform AND team_id = @TeamId AND COALESCE(time_zone, platform_time_zone) IS NOT NULL;
            """,
            scope,
            cancellationToken: cancellationToken))).Append(channelZone).Distinct();
        var fallback = TimeZones.TryFind(channelZone, out var found) ? found : TimeZoneInfo.Utc;
        var ordinals = zones.ToDictionary(
            zone => zone,
            zone => _workdays.OrdinalBefore(TimeZones.LocalDate(now, TimeZones.TryFind(zone, out var own) ? own : fallback)));
        var parameters = new DynamicParameters(new
        {
            scope.Platform,
            scope.TeamId,
            scope.ChannelId,
            Since = since is { } day ? WorkdaySet.DayNumber(day) : 0,
            OpenFrom = JsonSerializer.Serialize(ordinals),
            MinOrdinal = ordinals.Values.Min(),
            MaxOrdinal = ordinals.Values.Max(),
            ChannelZone = channelZone,
            Limit = limit,
            Offset = limit - 1,
        });

        // Usually the board's top is people with current streaks: then only those whose streak may reach the
        // limit-th longest current one are read (found by a scan of ix_streaks_run from the longest down; a separate
        // statement, so the board's plan is made knowing how few they are). With fewer current streaks than places
        // the board is ranked by breaks too, and every participant is read.
        var threshold = limit > 0
            ? await connection.ExecuteScalarAsync<long?>(new CommandDefinition(ThresholdSql(since is not null), parameters, cancellationToken: cancellationToken))
            : null;
        parameters.Add("Threshold", threshold);
        var rows = await connection.QueryAsync<BoardRow>(new CommandDefinition(
            threshold is null ? EveryParticipantSql(since is not null) : TopStreaksSql(since is not null), parameters, cancellationToken: cancellationToken));

        return rows.Select(r => new LeaderboardRow(r.UserId, r.DisplayName, (int)r.CurrentStreak, (int)r.BestStreak, (int)r.Breaks)).ToList();
    }

    /// <summary>
    /// The board from every participant of the channel (all time: <c>channel_members</c>; since a day: their
    /// completions counted), each with their streak, current if it reaches the last workday before today in their zone.
    /// </summary>
    private string EveryParticipantSql(bool sinceADay)
    {
        var participants = sinceADay
            ? """
              SELECT user_id, COUNT(*) AS breaks FROM completions
              WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId AND local_day >= @Since
              GROUP BY user_id
              """
            : "SELECT user_id, breaks FROM channel_members WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId";
        return $"""
            WITH participants AS ({participants}),
            open_from (zone, ordinal) AS MATERIALIZED ({database.Dialect.JsonIntegerMembers("@OpenFrom")})
            SELECT p.user_id AS UserId,
                   COALESCE(u.display_name, p.user_id) AS DisplayName,
                   CASE WHEN s.run_end >= o.ordinal THEN s.run_length ELSE 0 END AS CurrentStreak,
                   COALESCE(s.best, 0) AS BestStreak,
                   p.breaks AS Breaks
            FROM participants p
            LEFT JOIN users u ON u.platform = @Platform AND u.team_id = @TeamId AND u.user_id = p.user_id
            LEFT JOIN streaks s ON s.platform = @Platform AND s.team_id = @TeamId AND s.user_id = p.user_id
            LEFT JOIN open_from o ON o.zone = COALESCE(u.time_zone, u.platform_time_zone, @ChannelZone)
            ORDER BY CurrentStreak DESC, Breaks DESC, {database.Dialect.CaseInsensitive("COALESCE(u.display_name, p.user_id)")}, UserId
            LIMIT @Limit;
            """;
    }

    /// <summary>
    /// The <c>@Limit</c>-th longest streak among participants whose streak is current in every zone of the board
    /// (<c>run_end &gt;= @MaxOrdinal</c>), or no row when fewer have one.
    /// </summary>
    private string ThresholdSql(bool sinceADay) => $"""
        SELECT s.run_length
        FROM streaks s {database.Dialect.IndexedBy("ix_streaks_run")}
        WHERE s.platform = @Platform AND s.team_id = @TeamId AND s.run_length > 0 AND s.run_end >= @MaxOrdinal
          AND EXISTS ({TookPart(sinceADay, "s.user_id")})
        ORDER BY s.run_length DESC
        LIMIT 1 OFFSET @Offset;
        """;

    /// <summary>
    /// The same board as <see cref="EveryParticipantSql"/> given the <see cref="ThresholdSql"/> <c>@Threshold</c> T:
    /// at least <c>@Limit</c> people rank at T or above, so only those whose streak may be current in some zone
    /// (<c>run_end &gt;= @MinOrdinal</c>) with <c>run_length &gt;= T</c> can be on the board, and those few are ranked.
    /// </summary>
    private string TopStreaksSql(bool sinceADay)
    {
        var breaks = sinceADay
            ? $"SELECT COUNT(*) FROM completions c {ByPerson} WHERE c.platform = @Platform AND c.team_id = @TeamId AND c.user_id = k.user_id AND c.local_day >= @Since AND c.channel_id = @ChannelId"
            : "SELECT m.breaks FROM channel_members m WHERE m.platform = @Platform AND m.team_id = @TeamId AND m.channel_id = @ChannelId AND m.user_id = k.user_id";
        return $"""
            WITH open_from (zone, ordinal) AS MATERIALIZED ({database.Dialect.JsonIntegerMembers("@OpenFrom")}),
            candidates AS (
                SELECT s.user_id, s.run_end, s.run_length, s.best
                FROM streaks s {database.Dialect.IndexedBy("ix_streaks_run")}
                WHERE s.platform = @Platform AND s.team_id = @TeamId AND s.run_length >= @Threshold AND s.run_end >= @MinOrdinal
                  AND EXISTS ({TookPart(sinceADay, "s.user_id")})
            )
            SELECT k.user_id AS UserId,
                   COALESCE(u.display_name, k.user_id) AS DisplayName,
                   CASE WHEN k.run_end >= o.ordinal THEN k.run_length ELSE 0 END AS CurrentStreak,
                   k.best AS BestStreak,
                   ({breaks}) AS Breaks
            FROM candidates k
            LEFT JOIN users u ON u.platform = @Platform AND u.team_id = @TeamId AND u.user_id = k.user_id
            LEFT JOIN open_from o ON o.zone = COALESCE(u.time_zone, u.platform_time_zone, @ChannelZone)
            ORDER BY CurrentStreak DESC, Breaks DESC, {database.Dialect.CaseInsensitive("COALESCE(u.display_name, k.user_id)")}, UserId
            LIMIT @Limit;
            """;
    }

    /// <summary>
    /// One person's completions since a day are a range of <c>ix_completions_user</c>; SQLite, without statistics,
    /// took <c>ix_completions_channel</c> and read the channel's whole period once per person.
    /// </summary>
    private string ByPerson => database.Dialect.IndexedBy("ix_completions_user");

    /// <summary>A row when <paramref name="user"/> took part in the channel: since <c>@Since</c>, or ever.</summary>
    private string TookPart(bool sinceADay, string user) => sinceADay
        ? $"SELECT 1 FROM completions c {ByPerson} WHERE c.platform = @Platform AND c.team_id = @TeamId AND c.user_id = {user} AND c.local_day >= @Since AND c.channel_id = @ChannelId"
        : $"SELECT 1 FROM channel_members m WHERE m.platform = @Platform AND m.team_id = @TeamId AND m.channel_id = @ChannelId AND m.user_id = {user}";

    private sealed record SummaryRow(long Total, long Best, long? Run_End, long Run_Length, long? First_Day);

    /// <summary>
    /// A class with setters, not a positional record: on an empty result SQLite reports the computed columns as
    /// BLOBs, Dapper then finds no constructor matching (string, byte[], …) and throws, so an empty board crashed.
    /// </summary>
    private sealed class BoardRow
    {
        public string UserId { get; set; } = "";

        public string DisplayName { get; set; } = "";

        public long CurrentStreak { get; set; }

        public long BestStreak { get; set; }

        public long Breaks { get; set; }
    }
}
