using ChatBot.Core;
using ChatBot.Core.Ports;
using Dapper;

namespace ChatBot.Data;

public sealed class UserStore(Database database) : IUserStore, IChannelStore
{
    public async Task<UserProfile?> GetAsync(TeamKey team, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            "SELECT display_name, time_zone, platform_time_zone FROM users WHERE platform = @Platform AND team_id = @TeamId AND user_id = @userId;",
            new { Platform = Names.Of(team.Platform), team.TeamId, userId },
            cancellationToken: cancellationToken));
        return row is null ? null : new UserProfile(team, userId, row.Display_Name, row.Time_Zone, row.Platform_Time_Zone);
    }

    public async Task SeenAsync(TeamKey team, ChatUser user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            UpsertSql,
            new { Platform = Names.Of(team.Platform), team.TeamId, UserId = user.Id, user.DisplayName, PlatformTimeZone = user.TimeZoneId },
            cancellationToken: cancellationToken));
    }

    public async Task SetTimeZoneAsync(TeamKey team, string userId, string? timeZoneId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (platform, team_id, user_id, display_name, time_zone) VALUES (@Platform, @TeamId, @userId, @userId, @timeZoneId)
            ON CONFLICT (platform, team_id, user_id) DO UPDATE SET time_zone = excluded.time_zone;
            """,
            new { Platform = Names.Of(team.Platform), team.TeamId, userId, timeZoneId },
            cancellationToken: cancellationToken));
    }

    public async Task<string?> GetTimeZoneAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT time_zone FROM channels WHERE platform = @Platform AND team_id = @TeamId AND channel_id = @ChannelId;",
            new { Platform = Names.Of(channel.Platform), channel.TeamId, channel.ChannelId },
            cancellationToken: cancellationToken));
    }

    /// <summary>Keeps the latest display name, and the platform's zone when it reports one.</summary>
    internal const string UpsertSql = """
        INSERT INTO users (platform, team_id, user_id, display_name, platform_time_zone)
        VALUES (@Platform, @TeamId, @UserId, @DisplayName, @PlatformTimeZone)
        ON CONFLICT (platform, team_id, user_id) DO UPDATE SET
            display_name = excluded.display_name,
            platform_time_zone = COALESCE(excluded.platform_time_zone, users.platform_time_zone);
        """;

    private sealed record UserRow(string Display_Name, string? Time_Zone, string? Platform_Time_Zone);
}
