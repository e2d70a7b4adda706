namespace ChatBot.Core;

/// <summary>
/// The person behind an inbound command or click, as the platform adapter knows them.
/// </summary>
/// <param name="Id">The platform's user id.</param>
/// <param name="DisplayName">A name to show on leaderboards (never a mention).</param>
/// <param name="TimeZoneId">The IANA zone the platform reports for the user (Slack <c>users.info</c>), if any.</param>
/// <param name="IsAdmin">Whether the adapter judged the caller allowed to manage this channel's schedule.</param>
public sealed record ChatUser(string Id, string DisplayName, string? TimeZoneId = null, bool IsAdmin = false);
