using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Core.Tests;

public class BreakPosterTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Console, "console", "console");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryBreakStore _store = new();
    private readonly RecordingPlatform _platform = new();
    private readonly BreakPoster _poster;

    public BreakPosterTests()
    {
        var services = new ServiceCollection();
        services.AddKeyedSingleton<IChatPlatform>(ChatPlatform.Console, _platform);
        _poster = new BreakPoster(
            _store, TestCatalog.Shipped, new ChatPlatforms(services.BuildServiceProvider()), new BotInstance("this"), _clock, NullLogger<BreakPoster>.Instance);
    }

    private async Task<long> NewBreakAsync(string drill = "rotation") =>
        (await _store.CreateAsync(new NewBreak(Channel, drill, BreakOrigin.OnDemand, _clock.GetUtcNow()), CancellationToken.None)).Break.Id;

    [Fact]
    public async Task The_prompt_carries_the_done_and_snooze_buttons_and_the_cues_go_into_its_thread()
    {
        var id = await NewBreakAsync();
        (await _poster.PostStepAsync(id, 0, CancellationToken.None)).Status.ShouldBe(StepStatus.Posted);
        (await _poster.PostStepAsync(id, 1, CancellationToken.None)).Status.ShouldBe(StepStatus.Posted);

        var posts = _platform.Posts.ToList();
        posts[0].Message.Text.ShouldContain("Upper back break: Quadruped thoracic rotation");
        posts[0].Message.Buttons.Select(b => (b.ActionId, b.Label)).ShouldBe([($"done:{id}", "Done"), ($"snooze:{id}", "Remind me in 10 min")]);
        posts[0].Options.ThreadRootMessageId.ShouldBeNull();
        posts[1].Options.ThreadRootMessageId.ShouldBe(posts[0].MessageId);
        posts[1].Message.Text.ShouldStartWith("**1/5**");
    }

    [Fact]
    public async Task A_step_run_twice_posts_once()
    {
        var id = await NewBreakAsync();
        await _poster.PostStepAsync(id, 0, CancellationToken.None);
        var again = await _poster.PostStepAsync(id, 0, CancellationToken.None);

        again.Status.ShouldBe(StepStatus.AlreadyPosted);
        _platform.Posts.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_step_claimed_by_a_live_worker_is_left_to_it_until_the_lease_runs_out()
    {
        var id = await NewBreakAsync();
        await _store.ClaimPostAsync(id, 0, "other", _clock.GetUtcNow(), BreakPoster.ClaimLease, CancellationToken.None);

        var held = await _poster.PostStepAsync(id, 0, CancellationToken.None);
        held.Status.ShouldBe(StepStatus.HeldElsewhere);
        _platform.Posts.ShouldBeEmpty();

        _clock.Advance(BreakPoster.ClaimLease + TimeSpan.FromSeconds(1)); // the holder died mid-post
        (await _poster.PostStepAsync(id, 0, CancellationToken.None)).Status.ShouldBe(StepStatus.Posted);
        var post = _platform.Posts.ShouldHaveSingleItem();
        post.Options.IdempotencyKey.ShouldBe($"b{id}s0");
        post.Options.Resend.ShouldBeTrue(); // the dead holder may have sent it: the adapter must look before posting
        post.Options.Tag.ShouldBe(new BreakStepTag(id, 0, _clock.GetUtcNow() - BreakPoster.ClaimLease - TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_claim_of_a_dead_instance_is_taken_over_at_once_and_resent_under_the_same_key()
    {
        var id = await NewBreakAsync();
        await _store.ClaimPostAsync(id, 0, "crashed", _clock.GetUtcNow(), BreakPoster.ClaimLease, CancellationToken.None);
        _store.DeadInstances.Add("crashed");

        (await _poster.PostStepAsync(id, 0, CancellationToken.None)).Status.ShouldBe(StepStatus.Posted);
        _platform.Resends.ShouldHaveSingleItem().IdempotencyKey.ShouldBe($"b{id}s0");
    }

    [Fact]
    public async Task A_refused_prompt_ends_the_break_for_good_and_no_later_step_reaches_the_platform()
    {
        var id = await NewBreakAsync();
        _platform.PermanentFailures = 1;
        _platform.PermanentRefusal = PostRefusal.NotInChannel;

        var refused = await _poster.PostStepAsync(id, 0, CancellationToken.None);

        refused.ShouldBe(new StepResult(StepStatus.Refused, HasNextStep: false));
        (await _store.GetAsync(id, CancellationToken.None))!.Refusal.ShouldBe(
            new BreakRefusal(0, PostRefusal.NotInChannel, "the fake platform refuses this channel"));
        _platform.PermanentFailures = 0;
        (await _poster.PostStepAsync(id, 0, CancellationToken.None)).Status.ShouldBe(StepStatus.Refused); // the safety net, a restart
        (await _poster.PostStepAsync(id, 1, CancellationToken.None)).Status.ShouldBe(StepStatus.Refused);
        _platform.Posts.ShouldBeEmpty();
        (await _store.GetUnfinishedAsync(DateTimeOffset.MinValue, CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_rejected_bot_token_is_not_a_refusal_and_the_break_resumes_once_the_token_is_fixed()
    {
        var id = await NewBreakAsync();
        _platform.PermanentFailures = 1;
        _platform.PermanentIsFatal = true;

        var thrown = await Should.ThrowAsync<ChatPlatformException>(() => _poster.PostStepAsync(id, 0, CancellationToken.None));

        thrown.IsFatal.ShouldBeTrue();
        (await _store.GetAsync(id, CancellationToken.None))!.Refusal.ShouldBeNull();
        (await _store.GetUnfinishedAsync(DateTimeOffset.MinValue, CancellationToken.None)).ShouldContain(b => b.Break.Id == id);
        (await _poster.PostStepAsync(id, 0, CancellationToken.None)).Status.ShouldBe(StepStatus.Posted); // token fixed, bot restarted
        _platform.Posts.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Posting_the_last_step_finishes_the_break()
    {
        var id = await NewBreakAsync("rotation");
        var steps = BreakContent.StepCount(TestCatalog.Shipped.Get("rotation"));
        for (var step = 0; step < steps; step++)
        {
            _store.IsFinished(id).ShouldBeFalse();
            await _poster.PostStepAsync(id, step, CancellationToken.None);
        }

        _store.IsFinished(id).ShouldBeTrue();
    }

    [Fact]
    public async Task A_failed_post_releases_its_claim_so_a_retry_posts()
    {
        var id = await NewBreakAsync();
        _platform.TransientFailures = 1;
        await Should.ThrowAsync<ChatPlatformException>(() => _poster.PostStepAsync(id, 0, CancellationToken.None));

        (await _poster.PostStepAsync(id, 0, CancellationToken.None)).Status.ShouldBe(StepStatus.Posted);
        _platform.Posts.ShouldHaveSingleItem().Options.Resend.ShouldBeTrue(); // a failed attempt's outcome may be unknown
    }

    [Fact]
    public async Task A_cue_waits_for_its_prompt()
    {
        var id = await NewBreakAsync();
        (await _poster.PostStepAsync(id, 1, CancellationToken.None)).Status.ShouldBe(StepStatus.HeldElsewhere);
        _platform.Posts.ShouldBeEmpty();
    }

    [Fact]
    public async Task Steps_past_the_end_or_of_unknown_breaks_do_nothing()
    {
        var id = await NewBreakAsync("rotation");
        (await _poster.PostStepAsync(id, BreakContent.StepCount(TestCatalog.Shipped.Get("rotation")), CancellationToken.None))
            .Status.ShouldBe(StepStatus.NoSuchStep);
        (await _poster.PostStepAsync(999, 0, CancellationToken.None)).Status.ShouldBe(StepStatus.NoSuchStep);
        _platform.Posts.ShouldBeEmpty();
    }
}
