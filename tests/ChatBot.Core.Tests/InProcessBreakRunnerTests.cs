using ChatBot.Core.Breaks;
using ChatBot.Core.Drills;
using ChatBot.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Core.Tests;

public class InProcessBreakRunnerTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Console, "console", "console");
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(20);
    private readonly SignalingClock _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryBreakStore _store = new();
    private readonly RecordingPlatform _platform;
    private readonly ServiceProvider _services;

    public InProcessBreakRunnerTests()
    {
        _platform = new RecordingPlatform(ChatPlatform.Console, _clock);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<IBreakStore>(_store);
        services.AddSingleton(TestCatalog.Shipped);
        services.AddKeyedSingleton<IChatPlatform>(ChatPlatform.Console, _platform);
        services.AddSingleton<ChatPlatforms>();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(new BotInstance("test"));
        services.AddSingleton<BreakPoster>();
        services.AddSingleton(Options.Create(new BreaksOptions { CueInterval = Interval }));
        services.AddSingleton<InProcessBreakRunner>();
        _services = services.BuildServiceProvider();
    }

    [Fact]
    public async Task The_prompt_posts_at_once_and_each_cue_one_interval_later()
    {
        var runner = _services.GetRequiredService<InProcessBreakRunner>();
        var brk = (await _store.CreateAsync(new NewBreak(Channel, "rotation", BreakOrigin.OnDemand, _clock.GetUtcNow()), CancellationToken.None)).Break;
        var steps = BreakContent.StepCount(TestCatalog.Shipped.Get("rotation"));

        var start = _clock.GetUtcNow();
        await runner.StartAsync(brk.Id, CancellationToken.None);
        _platform.Posts.Count.ShouldBe(1); // the prompt, before StartAsync returned

        // Before each cue the runner sets a timer; it must be due exactly when that cue's interval is up,
        // and nothing may post before the clock gets there.
        for (var step = 1; step < steps; step++)
        {
            var due = await _clock.NextTimerAsync();
            (_clock.GetUtcNow() + due - start).ShouldBe(Interval * step, $"cue {step} was not paced one interval after the last");
            _platform.Posts.Count.ShouldBe(step, "a cue came early");
            _clock.Inner.Advance(due);
            await _platform.WaitForPostsAsync(posts => posts.Count > step);
        }

        await runner.WhenIdleAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var posts = _platform.Posts.ToList();
        posts.Count.ShouldBe(steps);
        for (var i = 0; i < steps; i++)
        {
            (posts[i].At - start).ShouldBe(Interval * i, $"step {i} was posted off its pace");
        }

        posts.Skip(1).ShouldAllBe(p => p.Options.ThreadRootMessageId == "m1");
    }

    [Fact]
    public async Task Stopping_the_host_ends_threads_without_posting_more()
    {
        var runner = _services.GetRequiredService<InProcessBreakRunner>();
        var brk = (await _store.CreateAsync(new NewBreak(Channel, "rotation", BreakOrigin.OnDemand, _clock.GetUtcNow()), CancellationToken.None)).Break;
        await runner.StartAsync(brk.Id, CancellationToken.None);

        await ((IHostedService)runner).StopAsync(CancellationToken.None);
        await runner.WhenIdleAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        _clock.Inner.Advance(Interval * 10);
        _platform.Posts.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_permanent_platform_refusal_drops_the_thread_instead_of_looping()
    {
        var runner = _services.GetRequiredService<InProcessBreakRunner>();
        var brk = (await _store.CreateAsync(new NewBreak(Channel, "rotation", BreakOrigin.OnDemand, _clock.GetUtcNow()), CancellationToken.None)).Break;
        _platform.PermanentFailures = 1;

        await runner.StartAsync(brk.Id, CancellationToken.None);

        await runner.WhenIdleAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        _platform.Posts.ShouldBeEmpty();
        (await _store.GetPostedMessageIdAsync(brk.Id, 0, CancellationToken.None)).ShouldBeNull();
    }
}
