using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>
/// A busy workspace gets one Information line a minute with the totals, not one per command: the line per
/// slash command or tap is Debug.
/// </summary>
public sealed class CommandLoggingTests
{
    [Fact]
    public async Task A_slash_command_is_logged_at_Debug_and_counted_in_the_summary_written_when_the_bot_stops()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack));
        var socket = await slack.NextSocketAsync();

        var envelopeId = await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("list"));
        await socket.WaitForAckAsync(envelopeId);

        var command = host.Logs.Entries.Where(e => e.Message == "Slack /drill list").ShouldHaveSingleItem();
        command.Level.ShouldBe(LogLevel.Debug);
        host.Logs.Entries.ShouldNotContain(e => e.Category == typeof(SlackInteractionDispatcher).FullName && e.Level == LogLevel.Information);

        await host.DisposeAsync();
        host.Logs.Entries.ShouldContain(e => e.Level == LogLevel.Information
            && e.Message.StartsWith("Slack: 1 slash commands in the last ", StringComparison.Ordinal)
            && e.Message.EndsWith("(1 answered in the ack, 0 after it, 0 failed), 0 button taps", StringComparison.Ordinal));
    }

    [Fact]
    public void The_summary_writes_one_line_a_minute_by_outcome_and_nothing_for_a_quiet_minute()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 23, 59, 30, TimeSpan.FromHours(14)));
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var summary = new SlackCommandSummary(clock, factory.CreateLogger<SlackCommandSummary>());

        summary.Answered(inAck: true);
        summary.Answered(inAck: true);
        summary.Answered(inAck: true);
        summary.Answered(inAck: false);
        summary.Failed();
        summary.Tapped();
        summary.Tapped();
        clock.Advance(SlackCommandSummary.Interval - TimeSpan.FromSeconds(1));
        logs.Entries.ShouldBeEmpty();

        clock.Advance(TimeSpan.FromSeconds(1));
        logs.Entries.ShouldHaveSingleItem().Message
            .ShouldBe("Slack: 5 slash commands in the last 60 s (3 answered in the ack, 1 after it, 1 failed), 2 button taps");

        clock.Advance(SlackCommandSummary.Interval * 3);
        logs.Entries.Count.ShouldBe(1);

        summary.Tapped();
        clock.Advance(TimeSpan.FromSeconds(20));
        summary.Dispose();
        logs.Entries.Count.ShouldBe(2);
        logs.Entries.Last().Message.ShouldBe("Slack: 0 slash commands in the last 20 s (0 answered in the ack, 0 after it, 0 failed), 1 button taps");
    }
}
