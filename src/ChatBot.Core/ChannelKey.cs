namespace ChatBot.Core;

/// <summary>
/// Identifies one channel on one platform. <paramref name="TeamId"/> is the Slack workspace, the Discord
/// server (guild) or "console"; streaks belong to a person within a team.
/// </summary>
public sealed record ChannelKey(ChatPlatform Platform, string TeamId, string ChannelId)
{
    public TeamKey Team => new(Platform, TeamId);

    public override string ToString() => $"{Platform.ToString().ToLowerInvariant()}:{TeamId}/{ChannelId}";
}

/// <summary>A Slack workspace, a Discord server or the console: the scope of a person's streak.</summary>
public sealed record TeamKey(ChatPlatform Platform, string TeamId)
{
    public override string ToString() => $"{Platform.ToString().ToLowerInvariant()}:{TeamId}";
}
