using System.Collections.Concurrent;
using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Messages;
using ChatBot.Core.Ports;

namespace ChatBot.Scheduling.Tests.Fakes;

/// <summary>One post the fake platform accepted.</summary>
internal sealed record RecordedPost(ChannelKey Channel, OutgoingMessage Message, PostOptions Options, string MessageId);

/// <summary>
/// A chat platform that records every post it completes. Tests await counts with <see cref="WaitForPostsAsync"/>,
/// and may make a post hang (until cancelled) to catch the bot mid-thread.
/// </summary>
internal sealed class RecordingPlatform(ChatPlatform platform = ChatPlatform.Console, string idPrefix = "m") : IChatPlatform
{
    private readonly ConcurrentQueue<RecordedPost> posts = new();
    private readonly Lock gate = new();
    private readonly List<(Func<IReadOnlyCollection<RecordedPost>, bool> Condition, TaskCompletionSource Signal)> waiters = [];
    private long nextId;

    public ChatPlatform Platform => platform;

    public IReadOnlyCollection<RecordedPost> Posts => posts.ToArray();

    /// <summary>Posts whose idempotency key matches hang until cancelled (the host stopping), never completing.</summary>
    public Func<PostOptions, bool> Hang { get; set; } = _ => false;

    /// <summary>This many posts fail first with a transient refusal (a 5xx, say).</summary>
    public int TransientFailures;

    /// <summary>Signalled when a post starts hanging.</summary>
    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<string> PostAsync(ChannelKey channel, OutgoingMessage message, PostOptions options, CancellationToken cancellationToken)
    {
        if (Hang(options))
        {
            Hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (Interlocked.Decrement(ref TransientFailures) >= 0)
        {
            throw new ChatPlatformException("503 from the fake platform", isPermanent: false);
        }

        var id = idPrefix + Interlocked.Increment(ref nextId).ToString(CultureInfo.InvariantCulture);
        posts.Enqueue(new RecordedPost(channel, message, options, id));
        Notify();
        return id;
    }

    public async Task WaitForPostsAsync(Func<IReadOnlyCollection<RecordedPost>, bool> condition, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            waiters.Add((condition, signal));
        }

        Notify();
        try
        {
            await signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The expected posts did not arrive. Got {posts.Count}: {string.Join(", ", posts.Select(p => p.Options.IdempotencyKey))}");
        }
    }

    private void Notify()
    {
        var snapshot = posts.ToArray();
        lock (gate)
        {
            foreach (var waiter in waiters.Where(w => w.Condition(snapshot)).ToList())
            {
                waiter.Signal.TrySetResult();
                waiters.Remove(waiter);
            }
        }
    }
}
