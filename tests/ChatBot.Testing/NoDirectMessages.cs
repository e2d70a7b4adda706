using ChatBot.Core;
using ChatBot.Core.Ports;

namespace ChatBot.Testing;

/// <summary>A DM ledger where no direct message was ever refused (for routers that never send one); the rest throws.</summary>
public sealed class NoDirectMessages : IDirectMessageStore
{
    public Task<DirectMessageClaim> ClaimAsync(string key, TeamKey team, string userId, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task RecordSentAsync(string key, DirectMessageReceipt receipt, DateTimeOffset at, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task ReleaseAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task RecordRefusedAsync(string key, TeamKey team, string userId, string detail, DateTimeOffset at, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<DirectMessageReceipt?> GetSentAsync(string key, CancellationToken cancellationToken) => Task.FromResult<DirectMessageReceipt?>(null);

    public Task<IReadOnlyList<DirectMessageClaim>> ClaimManyAsync(
        IReadOnlyList<DirectMessageTarget> targets, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task RecordSentManyAsync(IReadOnlyList<(string Key, DirectMessageReceipt Receipt)> sent, DateTimeOffset at, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<string?> TakeRefusalAsync(TeamKey team, string userId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
