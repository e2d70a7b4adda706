namespace ChatBot.Core.Ports;

/// <summary>What the bot remembers of a person within a team.</summary>
/// <param name="TimeZoneId">Set with <c>/drill tz</c>; wins over everything.</param>
/// <param name="PlatformTimeZoneId">Reported by the platform (Slack <c>users.info</c>).</param>
public sealed record UserProfile(TeamKey Team, string UserId, string DisplayName, string? TimeZoneId, string? PlatformTimeZoneId);

public interface IUserStore
{
    Task<UserProfile?> GetAsync(TeamKey team, string userId, CancellationToken cancellationToken);

    /// <summary>Remembers the latest display name and platform-reported zone (null leaves the stored one).</summary>
    Task SeenAsync(TeamKey team, ChatUser user, CancellationToken cancellationToken);

    /// <summary>Sets (or with null clears) the person's own zone choice.</summary>
    Task SetTimeZoneAsync(TeamKey team, string userId, string? timeZoneId, CancellationToken cancellationToken);
}

public interface IChannelStore
{
    /// <summary>The channel's schedule time zone, if it has one.</summary>
    Task<string?> GetTimeZoneAsync(ChannelKey channel, CancellationToken cancellationToken);
}
