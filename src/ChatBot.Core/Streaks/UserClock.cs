using ChatBot.Core.Ports;
using Microsoft.Extensions.Options;

namespace ChatBot.Core.Streaks;

/// <summary>
/// A person's time zone and local date. The zone is, in order: their own choice (<c>/drill tz</c>), the one
/// their platform reports (Slack), the channel's schedule zone, the configured default.
/// </summary>
public sealed class UserClock(IUserStore users, IChannelStore channels, IOptions<BreaksOptions> options, TimeProvider clock)
{
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<TimeZoneInfo> ZoneOfAsync(ChannelKey channel, ChatUser user, CancellationToken cancellationToken)
    {
        var profile = await users.GetAsync(channel.Team, user.Id, cancellationToken);
        foreach (var candidate in new[] { profile?.TimeZoneId, user.TimeZoneId, profile?.PlatformTimeZoneId })
        {
            if (TimeZones.TryFind(candidate, out var zone))
            {
                return zone;
            }
        }

        return await ChannelZoneAsync(channel, cancellationToken);
    }

    public async Task<TimeZoneInfo> ChannelZoneAsync(ChannelKey channel, CancellationToken cancellationToken) =>
        TimeZones.TryFind(await channels.GetTimeZoneAsync(channel, cancellationToken), out var zone) ? zone : options.Value.DefaultZone;

    public DateOnly Today(TimeZoneInfo zone) => TimeZones.LocalDate(clock.GetUtcNow(), zone);
}
