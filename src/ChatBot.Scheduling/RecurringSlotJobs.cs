using ChatBot.Core;
using ChatBot.Core.Schedules;

namespace ChatBot.Scheduling;

/// <summary>The Hangfire recurring job id of each schedule slot: "break-slot:slack:T1:C1:0930".</summary>
internal static class RecurringSlotJobs
{
    public const string Prefix = "break-slot:";

    public static string ChannelPrefix(ChannelKey channel) =>
        Prefix
        + channel.Platform.ToString().ToLowerInvariant() + ":"
        + Uri.EscapeDataString(channel.TeamId) + ":"
        + Uri.EscapeDataString(channel.ChannelId) + ":";

    public static string Id(ChannelKey channel, TimeOnly time) => ChannelPrefix(channel) + SlotTime.Compact(time);
}

/// <summary>The Hangfire recurring job id of each channel's weekly digest: "digest:slack:T1:C1".</summary>
internal static class RecurringDigestJobs
{
    public const string Prefix = "digest:";

    public static string Id(ChannelKey channel) =>
        Prefix
        + channel.Platform.ToString().ToLowerInvariant() + ":"
        + Uri.EscapeDataString(channel.TeamId) + ":"
        + Uri.EscapeDataString(channel.ChannelId);
}
