using System.Collections.Concurrent;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;

namespace ChatBot.Core.Tests;

/// <summary>An in-memory <see cref="IBreakStore"/> with the claim semantics the SQLite store has.</summary>
internal sealed class InMemoryBreakStore : IBreakStore
{
    private readonly Lock _gate = new();
    private readonly List<BreakRecord> _breaks = [];
    private readonly Dictionary<(long, int), (string? MessageId, DateTimeOffset LeaseUntil)> _posts = [];

    public Task<(BreakRecord Break, bool Created)> CreateAsync(NewBreak newBreak, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = _breaks.FirstOrDefault(b => newBreak.SlotKey is not null && b.Channel == newBreak.Channel && b.SlotKey == newBreak.SlotKey);
            if (existing is not null)
            {
                return Task.FromResult((existing, false));
            }

            var record = new BreakRecord(_breaks.Count + 1, newBreak.Channel, newBreak.DrillId, newBreak.Origin, newBreak.StartedAt, newBreak.StartedBy, newBreak.SlotKey);
            _breaks.Add(record);
            return Task.FromResult((record, true));
        }
    }

    public Task<BreakRecord?> GetAsync(long breakId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_breaks.FirstOrDefault(b => b.Id == breakId));
        }
    }

    public Task<string?> GetLastDrillAsync(ChannelKey channel, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_breaks.LastOrDefault(b => b.Channel == channel)?.DrillId);
        }
    }

    public Task<PostClaim> ClaimPostAsync(long breakId, int step, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_posts.TryGetValue((breakId, step), out var post))
            {
                if (post.MessageId is not null)
                {
                    return Task.FromResult<PostClaim>(new PostClaim.AlreadyPosted(post.MessageId));
                }

                if (post.LeaseUntil > now)
                {
                    return Task.FromResult<PostClaim>(new PostClaim.HeldElsewhere(post.LeaseUntil));
                }
            }

            _posts[(breakId, step)] = (null, now + lease);
            _posts.TryGetValue((breakId, 0), out var prompt);
            return Task.FromResult<PostClaim>(new PostClaim.Granted(prompt.MessageId));
        }
    }

    public Task RecordPostAsync(long breakId, int step, string messageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _posts[(breakId, step)] = (messageId, DateTimeOffset.MinValue);
        }

        return Task.CompletedTask;
    }

    public Task ReleaseClaimAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_posts.TryGetValue((breakId, step), out var post) && post.MessageId is null)
            {
                _posts.Remove((breakId, step));
            }
        }

        return Task.CompletedTask;
    }

    public Task<string?> GetPostedMessageIdAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_posts.TryGetValue((breakId, step), out var post) ? post.MessageId : null);
        }
    }
}
