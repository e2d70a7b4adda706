using ChatBot.Core;
using ChatBot.Core.Digests;

namespace ChatBot.Scheduling.Tests.Fakes;

/// <summary>The digest settings in memory, for tests of the schedule commands and the registrar (counting needs the real store).</summary>
internal sealed class InMemoryDigestStore : IDigestStore
{
    private readonly Dictionary<ChannelKey, DigestSetting> settings = [];

    public Task<DigestSetting> GetSettingAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        lock (settings)
        {
            return Task.FromResult(settings.GetValueOrDefault(channel, DigestSetting.Default));
        }
    }

    public Task SetSettingAsync(ChannelKey channel, DigestSetting setting, CancellationToken cancellationToken)
    {
        lock (settings)
        {
            settings[channel] = setting;
        }

        return Task.CompletedTask;
    }

    public Task<DigestCounts> CountAsync(ChannelKey channel, IReadOnlyList<DateOnly> dates, IReadOnlyList<DateTimeOffset> dayBoundaries, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Counting is tested against the SQLite store.");

    public Task<DateTimeOffset?> TryTakeOnDemandTurnAsync(ChannelKey channel, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The rate limit is tested against the SQLite store.");

    public Task<bool> ClaimPostAsync(ChannelKey channel, string periodKey, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Claims are tested against the SQLite store.");

    public Task RecordPostAsync(ChannelKey channel, string periodKey, string messageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Claims are tested against the SQLite store.");

    public Task ReleaseClaimAsync(ChannelKey channel, string periodKey, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Claims are tested against the SQLite store.");
}
