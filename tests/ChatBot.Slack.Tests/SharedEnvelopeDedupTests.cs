using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Data;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>
/// Two bot instances (two real hosts, each with its own Socket Mode connection to the loopback fake Slack) on one
/// database: Slack gives the same envelope to both, and the command runs once.
/// </summary>
public sealed class SharedEnvelopeDedupTests : IAsyncLifetime
{
    private static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(15);

    private readonly TempSqliteDatabase shared = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private FakeSlackServer slack = null!;
    private Database database = null!;

    public async ValueTask InitializeAsync()
    {
        slack = await FakeSlackServer.StartAsync();
        database = shared.Database;
    }

    public async ValueTask DisposeAsync()
    {
        await slack.DisposeAsync();
        shared.Dispose();
    }

    [Fact]
    public async Task SameEnvelopeToTwoInstances_RunsOnce_TheSecondIsAckedEmpty_AndAfterTheLifetimeItRunsAgain()
    {
        var (a, socketA, claimsA) = await StartInstanceAsync("instance-a");
        await using var hostA = a;
        var (b, socketB, _) = await StartInstanceAsync("instance-b");
        await using var hostB = b;

        var envelopeId = await socketA.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("help"));
        (await socketA.WaitForAckAsync(envelopeId)).Ack["payload"]!["text"]!.GetValue<string>().ShouldBe("You said help");

        // Instance A records "handled" just after its ack; until then B rightly leaves the envelope to A (see the next
        // test). Redelivering to B before that record made this test flaky under load.
        await claimsA.CompletedAsync(envelopeId);
        await socketB.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("help"), envelopeId);
        (await socketB.WaitForAckAsync(envelopeId)).Ack.ContainsKey("payload").ShouldBeFalse();
        hostA.Handler.CommandCount.ShouldBe(1);
        hostB.Handler.CommandCount.ShouldBe(0);

        clock.Advance(ClaimLifetime);
        await socketB.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("help"), envelopeId);

        var acks = await socketB.WaitForAcksAsync(envelopeId, 2);
        acks[1].Ack["payload"]!["text"]!.GetValue<string>().ShouldBe("You said help");
        hostB.Handler.CommandCount.ShouldBe(1);
        hostA.Handler.CommandCount.ShouldBe(1);
    }

    [Fact]
    public async Task EnvelopeStillRunningOnOneInstance_IsNeitherRunNorAckedOnTheOther()
    {
        var (a, socketA, _) = await StartInstanceAsync("instance-a");
        await using var hostA = a;
        var (b, socketB, _) = await StartInstanceAsync("instance-b");
        await using var hostB = b;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hostA.Handler.OnCommand = async (invocation, _) =>
        {
            await release.Task;
            return ChatBot.Core.Commands.CommandReply.ToCaller("slow " + invocation.Text);
        };

        var envelopeId = await socketA.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("stats"));
        await hostA.Handler.NextInvocationAsync();
        await socketB.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("stats"), envelopeId);
        await hostB.Logs.WaitForAsync(line => line.Contains(envelopeId, StringComparison.Ordinal) && line.Contains("PendingElsewhere", StringComparison.Ordinal));

        release.SetResult();
        await socketA.WaitForAckAsync(envelopeId);
        hostB.Handler.CommandCount.ShouldBe(0);
        socketB.AckCount(envelopeId).ShouldBe(0);
    }

    [Fact]
    public async Task ClickStillStoringAcrossAClockJump_FailsAfterIt_TheRedeliveryRunningSinceIsNotRunAThirdTime()
    {
        var (host, socket, _) = await StartInstanceAsync("instance-a");
        await using var _ = host;
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstRelease = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRelease = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        host.Handler.OnClick = async _ =>
        {
            if (Interlocked.Increment(ref runs) == 1)
            {
                firstEntered.TrySetResult();
                await firstRelease.Task;
                throw new InvalidOperationException("database is locked");
            }

            secondEntered.TrySetResult();
            await secondRelease.Task;
        };
        JsonObject Click() => SocketModeTests.DoneClick("1700000000.001001", responseUrlId: "c1", slack: slack);

        var envelopeId = await socket.SendEnvelopeAsync("interactive", Click(), acceptsResponsePayload: false);
        await firstEntered.Task.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        clock.Advance(ClaimLifetime); // the laptop sleeps (or the process pauses) while Core stores the click
        await socket.SendEnvelopeAsync("interactive", Click(), envelopeId, acceptsResponsePayload: false); // not acked: Slack redelivers
        await secondEntered.Task.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        firstRelease.SetResult(); // the first delivery fails after the wake
        await host.Logs.WaitForAsync(line => line.Contains(envelopeId, StringComparison.Ordinal) && line.Contains("after its claim expired", StringComparison.Ordinal));

        // Slack tries again while the second delivery still runs: it waits for that one, it does not run beside it.
        await socket.SendEnvelopeAsync("interactive", Click(), envelopeId, acceptsResponsePayload: false);
        secondRelease.SetResult();

        await socket.WaitForAcksAsync(envelopeId, 2);
        host.Handler.ClickCount.ShouldBe(2);
    }

    [Fact]
    public async Task DatabaseUnreachable_TheEnvelopeIsStillHandled_AndTheOutageIsLoggedOnce()
    {
        // A regular file where the database's directory should be: every open fails.
        var blocker = Path.Combine(shared.DirectoryPath, "not-a-directory");
        await File.WriteAllTextAsync(blocker, "x", TestContext.Current.CancellationToken);
        database = TempSqliteDatabase.Open(Path.Combine(blocker, "chatbot.db"));
        var (host, socket, _) = await StartInstanceAsync("instance-a");
        await using var _ = host;

        var first = await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("help"));
        (await socket.WaitForAckAsync(first)).Ack["payload"]!["text"]!.GetValue<string>().ShouldBe("You said help");
        var second = await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("help"));
        await socket.WaitForAckAsync(second);
        await socket.SendEnvelopeAsync("slash_commands", SocketModeTests.SlashCommand("help"), first);
        await socket.WaitForAcksAsync(first, 2);

        host.Handler.CommandCount.ShouldBe(2);
        host.Logs.Lines.Count(line => line.Contains("Shared inbound de-duplication is unavailable", StringComparison.Ordinal)).ShouldBe(1);
    }

    private async Task<(SlackTestHost Host, FakeSocket Socket, ObservedClaimStore Claims)> StartInstanceAsync(string instanceId)
    {
        var claims = new ObservedClaimStore(new InboundClaimStore(database, new BotInstance(instanceId), clock));
        var host = await SlackTestHost.StartAsync(SlackTestHost.SocketModeConfig(slack), services: services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<IInboundClaimStore>(claims);
        });
        return (host, await slack.NextSocketAsync(), claims);
    }

    /// <summary>An instance's real claim store that also lets a test wait until an outcome was recorded in it.</summary>
    private sealed class ObservedClaimStore(InboundClaimStore store) : IInboundClaimStore
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> completed = new(StringComparer.Ordinal);

        public Task<InboundClaim> TryClaimAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken) =>
            store.TryClaimAsync(key, lifetime, cancellationToken);

        public async Task CompleteAsync(string key, bool handled, CancellationToken cancellationToken)
        {
            await store.CompleteAsync(key, handled, cancellationToken);
            Completion(key).TrySetResult();
        }

        /// <summary>Completes once this instance recorded the outcome of <paramref name="key"/> in the database.</summary>
        public Task CompletedAsync(string key) => Completion(key).Task.WaitAsync(TestTimeouts.Guard);

        private TaskCompletionSource Completion(string key) =>
            completed.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
