using System.Collections.Concurrent;
using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;

namespace ChatBot.Testing;

/// <summary>One post the fake platform accepted, and when (by the clock it was given).</summary>
public sealed record RecordedPost(ChannelKey Channel, OutgoingMessage Message, PostOptions Options, string MessageId, DateTimeOffset At);

/// <summary>One direct message the fake platform accepted.</summary>
public sealed record RecordedDirectMessage(TeamKey Team, string UserId, OutgoingMessage Message, PostOptions Options, string ChannelId, string MessageId);

/// <summary>
/// A chat platform that records every post it completes. Tests await posts with <see cref="WaitForPostsAsync"/>,
/// can make the next posts fail (transiently or for good), and can make a post hang to catch the bot mid-thread.
/// </summary>
public sealed class RecordingPlatform(ChatPlatform platform = ChatPlatform.Console, TimeProvider? clock = null, string idPrefix = "m") : IChatPlatform
{
    private readonly ConcurrentQueue<RecordedPost> _posts = new();
    private readonly ConcurrentQueue<PostOptions> _resends = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<IReadOnlyCollection<RecordedPost>, bool> Condition, TaskCompletionSource Signal)> _waiters = [];
    private long _nextId;
    private int _transientFailures;
    private int _permanentFailures;
    private int _directMessageTransientFailures;

    public ChatPlatform Platform => platform;

    public IReadOnlyCollection<RecordedPost> Posts => _posts.ToArray();

    private readonly ConcurrentQueue<RecordedDirectMessage> _directMessages = new();

    /// <summary>The direct messages sent, in order.</summary>
    public IReadOnlyCollection<RecordedDirectMessage> DirectMessages => _directMessages.ToArray();

    /// <summary>Every person has closed their DMs: each DM is refused for good with <see cref="PostRefusal.DirectMessagesClosed"/>.</summary>
    public bool DirectMessagesClosed { get; set; }

    /// <summary>How many of the next DMs fail with a 503 (transient), each before it is recorded.</summary>
    public int DirectMessageTransientFailures
    {
        get => Volatile.Read(ref _directMessageTransientFailures);
        set => Volatile.Write(ref _directMessageTransientFailures, value);
    }

    /// <summary>
    /// Records the DM in the conversation <c>dm-{user}</c>; refused when <see cref="DirectMessagesClosed"/>, a 503 while
    /// <see cref="DirectMessageTransientFailures"/> lasts.
    /// </summary>
    public Task<DirectMessageReceipt> SendDirectMessageAsync(TeamKey team, string userId, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        if (DirectMessagesClosed)
        {
            throw new ChatPlatformException("the fake platform: cannot send messages to this user", PostRefusal.DirectMessagesClosed);
        }

        if (Interlocked.Decrement(ref _directMessageTransientFailures) >= 0)
        {
            throw new ChatPlatformException("503 from the fake platform", isPermanent: false);
        }

        var id = idPrefix + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        _directMessages.Enqueue(new RecordedDirectMessage(team, userId, message, options, "dm-" + userId, id));
        return Task.FromResult(new DirectMessageReceipt("dm-" + userId, id));
    }

    /// <summary>A made-up link: <c>https://chat.example/{channel}/{message}</c>.</summary>
    public Task<string?> GetMessageLinkAsync(ChannelKey channel, string messageId, CancellationToken cancellationToken) =>
        Task.FromResult<string?>($"https://chat.example/{channel.ChannelId}/{messageId}");

    /// <summary>This many posts fail first with a transient refusal (a 5xx, say).</summary>
    public int TransientFailures
    {
        get => Volatile.Read(ref _transientFailures);
        set => Volatile.Write(ref _transientFailures, value);
    }

    /// <summary>This many posts fail first with a permanent refusal (no access to the channel, say).</summary>
    public int PermanentFailures
    {
        get => Volatile.Read(ref _permanentFailures);
        set => Volatile.Write(ref _permanentFailures, value);
    }

    /// <summary>The reason the permanent failures give (see <see cref="PermanentFailures"/>).</summary>
    public PostRefusal PermanentRefusal { get; set; } = PostRefusal.NotInChannel;

    /// <summary>The permanent failures are a rejected bot token (<see cref="ChatPlatformException.IsFatal"/>), not a refusal of the channel.</summary>
    public bool PermanentIsFatal { get; set; }

    /// <summary>
    /// Behave as the real adapters do for a <see cref="PostOptions.Resend"/> (Discord's nonce, Slack's metadata
    /// lookup): a post already made under the same idempotency key is returned instead of posted again.
    /// </summary>
    public bool FindsResends { get; set; } = true;

    /// <summary>
    /// Other bot instances' views of the same chat (several instances post to one workspace): a resend looks for the
    /// earlier post among theirs too, as the real platform would find a message whichever instance posted it.
    /// </summary>
    public IReadOnlyCollection<RecordingPlatform> SameChatAs { get; set; } = [];

    /// <summary>Resends (posts with <see cref="PostOptions.Resend"/>) this platform was asked for, found or not.</summary>
    public IReadOnlyCollection<PostOptions> Resends => _resends.ToArray();

    /// <summary>
    /// Runs before a post is recorded, with the options and whether the platform has taken the message yet
    /// (false: before; true: after it is recorded, before the answer returns). A test blocks here to "kill" the bot
    /// at that point.
    /// </summary>
    public Func<PostOptions, bool, Task>? Intercept { get; set; }

    /// <summary>Posts whose options match hang until cancelled (the host stopping), never completing.</summary>
    public Func<PostOptions, bool> Hang { get; set; } = _ => false;

    /// <summary>Signalled when a post starts hanging.</summary>
    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        if (Hang(options))
        {
            Hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (Interlocked.Decrement(ref _permanentFailures) >= 0)
        {
            throw PermanentIsFatal
                ? new ChatPlatformException("the fake platform rejects the bot token", PostRefusal.Other) { IsFatal = true }
                : new ChatPlatformException("the fake platform refuses this channel", PermanentRefusal);
        }

        if (Interlocked.Decrement(ref _transientFailures) >= 0)
        {
            throw new ChatPlatformException("503 from the fake platform", isPermanent: false);
        }

        if (options.Resend)
        {
            _resends.Enqueue(options);
            if (FindsResends && _posts.Concat(SameChatAs.SelectMany(p => p._posts)).FirstOrDefault(p => p.Options.IdempotencyKey == options.IdempotencyKey) is { } earlier)
            {
                return earlier.MessageId;
            }
        }

        if (Intercept is { } before)
        {
            await before(options, false);
        }

        var id = idPrefix + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        _posts.Enqueue(new RecordedPost(channel, message, options, id, (clock ?? TimeProvider.System).GetUtcNow()));
        Notify();
        if (Intercept is { } after)
        {
            await after(options, true);
        }

        return id;
    }

    /// <summary>Completes once the posts so far satisfy <paramref name="condition"/>.</summary>
    /// <param name="timeout">30 s unless given: generous for a fake platform, and short enough that a cue held up
    /// by a lost lock wake-up (the ~90 s stall fixed in <c>SqliteJobStorage</c>) fails the test.</param>
    public async Task WaitForPostsAsync(Func<IReadOnlyCollection<RecordedPost>, bool> condition, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((condition, signal));
        }

        Notify();
        try
        {
            await signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The expected posts did not arrive. Got {_posts.Count}: {string.Join(", ", _posts.Select(p => p.Options.IdempotencyKey))}");
        }
    }

    private void Notify()
    {
        var snapshot = _posts.ToArray();
        lock (_gate)
        {
            foreach (var waiter in _waiters.Where(w => w.Condition(snapshot)).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
