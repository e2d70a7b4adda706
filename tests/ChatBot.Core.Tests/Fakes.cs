using System.Collections.Concurrent;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;

namespace ChatBot.Core.Tests;

/// <summary>An in-memory <see cref="IBreakStore"/> with the claim semantics the SQLite store has.</summary>
internal sealed class InMemoryBreakStore : IBreakStore
{
    private readonly Lock _gate = new();
    private readonly List<BreakRecord> _breaks = [];
    private readonly Dictionary<(long, int), (string? MessageId, DateTimeOffset LeaseUntil, string? Instance)> _posts = [];
    private readonly Dictionary<long, DateTimeOffset> _finished = [];

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

    /// <summary>Instances the test declares dead (the SQLite store reads this from the instances table).</summary>
    public HashSet<string> DeadInstances { get; } = [];

    public Task<PostClaim> ClaimPostAsync(long breakId, int step, string instanceId, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var attempted = _posts.TryGetValue((breakId, step), out var post);
            if (attempted)
            {
                if (post.MessageId is not null)
                {
                    return Task.FromResult<PostClaim>(new PostClaim.AlreadyPosted(post.MessageId));
                }

                if (post.LeaseUntil > now && !DeadInstances.Contains(post.Instance ?? ""))
                {
                    return Task.FromResult<PostClaim>(new PostClaim.HeldElsewhere(post.LeaseUntil));
                }
            }

            _posts[(breakId, step)] = (null, now + lease, instanceId);
            _posts.TryGetValue((breakId, 0), out var prompt);
            return Task.FromResult<PostClaim>(new PostClaim.Granted(prompt.MessageId, attempted));
        }
    }

    public Task RecordPostAsync(long breakId, int step, string messageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _posts[(breakId, step)] = (messageId, DateTimeOffset.MinValue, null);
        }

        return Task.CompletedTask;
    }

    public Task ReleaseClaimAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_posts.TryGetValue((breakId, step), out var post) && post.MessageId is null)
            {
                _posts[(breakId, step)] = (null, DateTimeOffset.MinValue, null);
            }
        }

        return Task.CompletedTask;
    }

    public Task RecordRefusalAsync(long breakId, BreakRefusal refusal, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _breaks.FindIndex(b => b.Id == breakId);
            if (index >= 0 && _breaks[index].Refusal is null)
            {
                _breaks[index] = _breaks[index] with { Refusal = refusal };
            }
        }

        return Task.CompletedTask;
    }

    public Task RecordFinishedAsync(long breakId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _finished.TryAdd(breakId, at);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<UnfinishedBreak>> GetUnfinishedAsync(DateTimeOffset startedSince, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<UnfinishedBreak> open = _breaks
                .Where(b => b.Refusal is null && !_finished.ContainsKey(b.Id) && b.StartedAt >= startedSince)
                .Select(b => new UnfinishedBreak(b, _posts.Count(p => p.Key.Item1 == b.Id && p.Value.MessageId is not null), null))
                .ToList();
            return Task.FromResult(open);
        }
    }

    public bool IsFinished(long breakId)
    {
        lock (_gate)
        {
            return _finished.ContainsKey(breakId);
        }
    }

    public Task<string?> GetPostedMessageIdAsync(long breakId, int step, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_posts.TryGetValue((breakId, step), out var post) ? post.MessageId : null);
        }
    }
}
