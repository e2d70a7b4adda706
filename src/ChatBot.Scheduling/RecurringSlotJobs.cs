using ChatBot.Core;
using ChatBot.Core.Schedules;

namespace ChatBot.Scheduling;

/// <summary>
/// The Hangfire recurring job of each distinct slot: one per time zone, clock time and days, shared by every
/// channel scheduled then ("break-slots:Europe/Berlin:0930:1-5", the last part the cron day field).
/// </summary>
internal static class RecurringSlotJobs
{
    public const string Prefix = "break-slots:";

    /// <summary>The per-channel slot jobs of earlier versions ("break-slot:slack:T1:C1:0930"): removed at sync.</summary>
    public const string ChannelJobPrefix = "break-slot:";

    public static string Id(TimeZoneInfo zone, TimeOnly time, ScheduleDays days) =>
        Prefix + zone.Id + ":" + SlotTime.Compact(time) + ":" + ScheduleDaysFormat.ToCronField(days);

    /// <summary>Whether a recurring job id is one of ours for schedule slots (either kind).</summary>
    public static bool IsSlotJob(string id) =>
        id.StartsWith(Prefix, StringComparison.Ordinal) || id.StartsWith(ChannelJobPrefix, StringComparison.Ordinal);
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
