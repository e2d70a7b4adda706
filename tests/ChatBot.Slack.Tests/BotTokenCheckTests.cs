using System.Globalization;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>The bot token's check at start (<see cref="SlackBotTokenCheck"/>) against the fake Slack, on a fake clock.</summary>
public sealed class BotTokenCheckTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 28, 23, 59, 30, TimeSpan.FromHours(14)));
    private readonly CapturingLoggerProvider logs = new();
    private readonly RecordingFatalErrorReporter fatal = new();
    private FakeSlackServer slack = null!;
    private SlackApiClient api = null!;
    private SlackBotTokenCheck check = null!;

    public async ValueTask InitializeAsync()
    {
        slack = await FakeSlackServer.StartAsync();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        api = new SlackApiClient(
            Options.Create(new SlackOptions { BotToken = Secrets.BotToken, AppToken = Secrets.AppToken, ApiBaseUrl = slack.ApiUrl }),
            clock,
            fatal,
            factory.CreateLogger<SlackApiClient>());
        check = new SlackBotTokenCheck(api, clock, factory.CreateLogger<SlackBotTokenCheck>());
    }

    public async ValueTask DisposeAsync()
    {
        check.Dispose();
        api.Dispose();
        fatal.Dispose();
        await slack.DisposeAsync();
    }

    [Fact]
    public async Task An_error_that_is_not_the_tokens_fault_is_logged_and_tried_again_after_1_to_2_s_until_Slack_accepts()
    {
        var attempts = 0;
        slack.Script("auth.test", _ => Interlocked.Increment(ref attempts) == 1 ? FakeReply.Error("missing_scope") : null);

        var accepted = check.Accepted;
        const string Retry = "Slack auth.test failed (missing_scope); trying again in ";
        await logs.WaitForAsync(line => line.Contains(Retry, StringComparison.Ordinal));
        var line = logs.Lines.First(l => l.Contains(Retry, StringComparison.Ordinal));
        var seconds = double.Parse(line[(line.IndexOf(Retry, StringComparison.Ordinal) + Retry.Length)..].Split(' ')[0], CultureInfo.InvariantCulture);
        seconds.ShouldBeInRange(1, 2); // the first of Backoff.Exponential's jittered waits
        accepted.IsCompleted.ShouldBeFalse();
        slack.Calls("auth.test").Count.ShouldBe(1);

        clock.Advance(SlackBotTokenCheck.FirstRetry);

        (await accepted.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken)).ShouldBeTrue();
        slack.Calls("auth.test").Count.ShouldBe(2);
        fatal.Count.ShouldBe(0);
    }

    [Fact]
    public async Task Cancelled_while_waiting_to_try_again_it_answers_false_without_another_call()
    {
        slack.Script("auth.test", _ => FakeReply.Error("missing_scope"));

        var accepted = check.Accepted;
        await logs.WaitForAsync(line => line.Contains("trying again in", StringComparison.Ordinal));
        check.Cancel();

        (await accepted.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken)).ShouldBeFalse();
        slack.Calls("auth.test").Count.ShouldBe(1);
    }
}
