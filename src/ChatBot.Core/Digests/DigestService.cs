using System.Globalization;
using ChatBot.Core.Commands;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;
using ChatBot.Core.Streaks;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Core.Digests;

/// <summary>
/// Makes a channel's digest (the week's or month's breaks per day in the channel's zone, the top five current
/// streaks, the best day, the function done least) and posts it: on demand for <c>/drill stats</c> (one per
/// channel per <see cref="OnDemandInterval"/>, durable in the database so it holds across instances), and on
/// the channel's weekly slot, claimed in the database so it is posted once.
/// </summary>
public sealed partial class DigestService(
    IDigestStore store,
    ICompletionStore completions,
    UserClock clock,
    ChatPlatforms platforms,
    IOptions<BreaksOptions> options,
    ILogger<DigestService> logger,
    IDigestChart? chart = null)
{
    /// <summary>At most one on-demand digest per channel this often.</summary>
    public static readonly TimeSpan OnDemandInterval = TimeSpan.FromMinutes(10);

    /// <summary>How long a scheduled digest's claim keeps another run from posting it while the first one is posting.</summary>
    public static readonly TimeSpan PostLease = TimeSpan.FromMinutes(5);

    public const int TopStreakCount = 5;

    private readonly WorkdaySet _workdays = options.Value.WorkdaySet;

    /// <summary>
    /// <c>/drill stats [week|month]</c>: the digest of the current period for the channel, or, when the channel had
    /// one less than <see cref="OnDemandInterval"/> ago, an answer to the caller saying when the next is possible.
    /// </summary>
    public async Task<CommandReply> OnDemandAsync(CommandInvocation invocation, DigestPeriodKind kind, CancellationToken cancellationToken)
    {
        var channel = invocation.Channel;
        var now = clock.Now;
        if (await store.TryTakeOnDemandTurnAsync(channel, now, OnDemandInterval, cancellationToken) is { } next)
        {
            var minutes = Math.Max(1, (int)Math.Ceiling((next - now).TotalMinutes));
            return CommandReply.ToCaller(string.Create(CultureInfo.InvariantCulture,
                $"This channel had a digest less than {OnDemandInterval.TotalMinutes} minutes ago: it's just above. The next one can be posted in {minutes} min ({Markup.Time(next)})."));
        }

        var report = await BuildAsync(channel, kind, clock.Today(await clock.ChannelZoneAsync(channel, cancellationToken)), cancellationToken);
        LogOnDemand(logger, channel, report.Period.Key, invocation.Caller.Id);
        return new CommandReply(Compose(report), ReplyVisibility.Channel);
    }

    /// <summary>
    /// Posts the channel's scheduled digest of <paramref name="period"/>, once: the post is claimed in the database
    /// first and its message id recorded after, so a job that runs again does not post again.
    /// </summary>
    /// <returns>True when this call posted it; false when it was posted (or is being posted) already.</returns>
    /// <exception cref="ChatPlatformException">The platform refused even the text; the claim is released for a retry.</exception>
    public async Task<bool> PostScheduledAsync(ChannelKey channel, DigestPeriod period, CancellationToken cancellationToken)
    {
        if (!await store.ClaimPostAsync(channel, period.Key, clock.Now, PostLease, cancellationToken))
        {
            return false;
        }

        try
        {
            var zone = await clock.ChannelZoneAsync(channel, cancellationToken);
            var today = clock.Today(zone);
            var report = await BuildAsync(channel, period.Kind, period.First > today ? period.First : (period.Last < today ? period.Last : today), cancellationToken);
            string messageId;
            try
            {
                messageId = await platforms.Get(channel.Platform).PostAsync(
                    channel, Compose(report), new PostOptions("digest:" + period.Key), cancellationToken);
            }
            catch
            {
                ChatBotTelemetry.Posted(channel.Platform, "digest", ok: false);
                throw;
            }

            ChatBotTelemetry.Posted(channel.Platform, "digest", ok: true);
            await store.RecordPostAsync(channel, period.Key, messageId, clock.Now, cancellationToken);
            return true;
        }
        catch
        {
            await store.ReleaseClaimAsync(channel, period.Key, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Gathers the report of the <paramref name="kind"/> period that contains <paramref name="dayInPeriod"/> (a local date in the channel's zone).</summary>
    public async Task<DigestReport> BuildAsync(ChannelKey channel, DigestPeriodKind kind, DateOnly dayInPeriod, CancellationToken cancellationToken)
    {
        var zone = await clock.ChannelZoneAsync(channel, cancellationToken);
        var today = clock.Today(zone);
        var period = DigestPeriod.Containing(kind, dayInPeriod);
        var current = await CountAsync(channel, period, zone, cancellationToken);
        var previous = await CountAsync(channel, period.Previous, zone, cancellationToken);
        var board = await completions.GetLeaderboardAsync(
            channel, null, zone.Id, clock.Now, TopStreakCount, cancellationToken);
        var streaks = board.Where(r => r.CurrentStreak > 0).Select(r => new DigestStreak(r.DisplayName, r.CurrentStreak)).ToList();
        var name = await ChannelNameAsync(channel, cancellationToken);
        return new DigestReport(name, period, today, current, previous, streaks, _workdays.Contains);
    }

    /// <summary>The digest message: its text, and the chart attached when there is something to draw.</summary>
    public OutgoingMessage Compose(DigestReport report)
    {
        var message = new OutgoingMessage(DigestComposer.Text(report));
        if (chart is null || report.Current.Breaks == 0)
        {
            return message;
        }

        var png = chart.RenderPng(report);
        var fileName = string.Create(CultureInfo.InvariantCulture, $"digest-{report.Period.Kind.ToString().ToLowerInvariant()}-{report.Period.First:yyyy-MM-dd}.png");
        return message with { File = new MessageFile(fileName, png, "image/png", DigestComposer.AltText(report)) };
    }

    private Task<DigestCounts> CountAsync(ChannelKey channel, DigestPeriod period, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        store.CountAsync(channel, period.Dates.ToList(), period.DayBoundaries(zone), cancellationToken);

    private async Task<string> ChannelNameAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        try
        {
            return await platforms.Get(channel.Platform).GetChannelNameAsync(channel, cancellationToken) ?? channel.ChannelId;
        }
        catch (ChatPlatformException ex)
        {
            LogNoChannelName(logger, channel, ex.Message);
            return channel.ChannelId;
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Digest {PeriodKey} of {Channel} on demand by {UserId}")]
    private static partial void LogOnDemand(ILogger logger, ChannelKey channel, string periodKey, string userId);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "No name for channel {Channel} ({Reason}); the digest shows its id")]
    private static partial void LogNoChannelName(ILogger logger, ChannelKey channel, string reason);
}
