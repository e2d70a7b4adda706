using System.Text.Json;
using ChatBot.Core.Ports;
using ChatBot.Discord.Gateway;
using ChatBot.Discord.Rest;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

public sealed class GatewayClientTests
{
    private const int Interval = 1000;

    [Fact]
    public async Task Connects_with_the_url_from_gateway_bot_identifies_with_minimal_intents_and_reads_ready()
    {
        await using var harness = await DiscordHarness.StartAsync(new FakeTimeProvider());
        var (run, trace, stop) = harness.RunGateway();

        var connection = await harness.Fake.NextConnectionAsync();
        connection.Path.ShouldBe("/gateway");
        connection.Query.ShouldContain("v=10");
        connection.Query.ShouldContain("encoding=json");
        harness.Fake.Requests.ShouldContain(r => r.Route == "GET gateway/bot");

        await connection.HelloAsync(45000);
        var identify = await connection.ExpectAsync(2);
        identify.GetProperty("d").GetProperty("token").GetString().ShouldBe(DiscordHarness.Token);
        identify.GetProperty("d").GetProperty("intents").GetInt32().ShouldBe(0);
        identify.GetProperty("d").GetProperty("properties").GetProperty("os").GetString().ShouldBe("linux");

        await connection.ReadyAsync(1, "session-a");
        await trace.WaitForAsync("ready");
        harness.Gateway.ApplicationId.ShouldBe("111");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        (await connection.ClientClosed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).ShouldBe(1000);
    }

    [Fact]
    public async Task Gateway_bot_begun_during_the_start_checks_is_the_answer_the_first_connect_uses()
    {
        await using var harness = await DiscordHarness.StartAsync(new FakeTimeProvider());
        await BeginGatewayBotAsync(harness);

        var (run, trace, stop) = harness.RunGateway();
        await InteractionTests.ReadyAsync(harness, trace);

        harness.Fake.Requests.Count(r => r.Route == "GET gateway/bot").ShouldBe(1);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Gateway_bot_begun_long_before_a_shard_starts_is_asked_again()
    {
        var clock = new FakeTimeProvider();
        await using var harness = await DiscordHarness.StartAsync(clock);
        await BeginGatewayBotAsync(harness);

        // A standby instance winning the shard's lease later: the session start limit may have moved since.
        clock.Advance(DiscordRestClient.BegunGatewayBotLifetime);
        var (run, trace, stop) = harness.RunGateway();
        var connection = await harness.Fake.NextConnectionAsync();
        await connection.HelloAsync(45000);
        await connection.ExpectAsync(2);

        harness.Fake.Requests.Count(r => r.Route == "GET gateway/bot").ShouldBe(2);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    /// <summary>What the host does while it checks the database, before any hosted service starts; returns once the fake saw the request.</summary>
    private static async Task BeginGatewayBotAsync(DiscordHarness harness)
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Fake.RestHandler = (request, _) =>
        {
            if (request.Route == "GET gateway/bot")
            {
                asked.TrySetResult();
            }

            return null;
        };
        harness.Services.GetServices<IStartupPreparation>().OfType<GatewayBotPrefetch>().Single().Begin();
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Heartbeats_carry_the_last_sequence_are_acked_and_keep_the_connection()
    {
        var clock = new FakeTimeProvider();
        await using var harness = await DiscordHarness.StartAsync(clock);
        var (run, trace, stop) = harness.RunGateway();
        var connection = await harness.Fake.NextConnectionAsync();
        await connection.HelloAsync(Interval);
        await connection.ExpectAsync(2);
        await connection.ReadyAsync(5, "session-a");
        await trace.WaitForAsync("ready");

        for (var beat = 0; beat < 3; beat++)
        {
            // One interval per beat: advancing again before the ACK is read would make the next beat find the last
            // one unacknowledged (a zombie). A beat whose timer is not yet set when the clock moves is sent at once.
            clock.Advance(TimeSpan.FromMilliseconds(Interval));
            var heartbeat = await connection.ExpectAsync(1);
            heartbeat.GetProperty("d").GetInt64().ShouldBe(5);
            var seen = await trace.WaitForAsync("ack");
            seen.ShouldNotContain("zombie");
        }

        // The server may ask for a beat: answered at once, without the clock moving.
        await connection.SendAsync("""{"op":1,"d":null}""");
        (await connection.ExpectAsync(1)).GetProperty("d").GetInt64().ShouldBe(5);
        await trace.WaitForAsync("ack");

        harness.Fake.Connections.Reader.TryRead(out _).ShouldBeFalse();
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_zombie_connection_is_closed_with_a_non_1000_code_and_resumed_on_the_resume_url()
    {
        var clock = new FakeTimeProvider();
        await using var harness = await DiscordHarness.StartAsync(clock);
        harness.Fake.AutoAckHeartbeats = false;
        var (run, trace, stop) = harness.RunGateway();
        var first = await harness.Fake.NextConnectionAsync();
        await first.HelloAsync(Interval);
        await first.ExpectAsync(2);
        // READY carries the last sequence itself: a later dispatch could still be in the receive loop when the
        // clock moves, and the beat would race it (Op7's test covers sequences from later dispatches).
        await first.ReadyAsync(2, "session-z");
        await trace.WaitForAsync("ready");

        clock.Advance(TimeSpan.FromMilliseconds(Interval));
        (await first.ExpectAsync(1)).GetProperty("d").GetInt64().ShouldBe(2);

        // No ACK arrives; at the next beat the client gives up on this socket.
        await AdvanceUntilAsync(clock, trace.WaitForAsync("zombie"), TimeSpan.FromMilliseconds(Interval));
        var code = await first.ClientClosed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        code.ShouldNotBeNull();
        code.Value.ShouldNotBeOneOf(1000, 1001);

        var second = await harness.Fake.NextConnectionAsync();
        second.Path.ShouldBe("/resume");
        second.Query.ShouldContain("v=10");
        await second.HelloAsync(45000);
        var resume = await second.ExpectAsync(6);
        resume.GetProperty("d").GetProperty("session_id").GetString().ShouldBe("session-z");
        resume.GetProperty("d").GetProperty("seq").GetInt64().ShouldBe(2);
        resume.GetProperty("d").GetProperty("token").GetString().ShouldBe(DiscordHarness.Token);
        second.All.ShouldNotContain(p => p.GetProperty("op").GetInt32() == 2);

        await second.DispatchAsync("RESUMED", 3, "{}");
        await trace.WaitForAsync("resumed");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Op7_reconnect_resumes_with_the_session_id_and_last_sequence()
    {
        await using var harness = await DiscordHarness.StartAsync(new FakeTimeProvider());
        var (run, trace, stop) = harness.RunGateway();
        var first = await harness.Fake.NextConnectionAsync();
        await first.HelloAsync(45000);
        await first.ExpectAsync(2);
        await first.ReadyAsync(1, "session-7");
        await first.DispatchAsync("GUILD_CREATE", 2, """{"id":"1"}""");
        await first.DispatchAsync("THREAD_CREATE", 3, """{"id":"2"}""");
        await first.SendAsync("""{"op":7,"d":null}""");

        (await first.ClientClosed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).ShouldBe(4000);
        var second = await harness.Fake.NextConnectionAsync();
        second.Path.ShouldBe("/resume");
        await second.HelloAsync(45000);
        var resume = await second.ExpectAsync(6);
        resume.GetProperty("d").GetProperty("session_id").GetString().ShouldBe("session-7");
        resume.GetProperty("d").GetProperty("seq").GetInt64().ShouldBe(3);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Op9_not_resumable_identifies_afresh_on_the_gateway_url_within_the_identify_limit()
    {
        var clock = new FakeTimeProvider();
        await using var harness = await DiscordHarness.StartAsync(clock);
        var (run, trace, stop) = harness.RunGateway();
        var first = await harness.Fake.NextConnectionAsync();
        await first.HelloAsync(45000);
        await first.ExpectAsync(2);
        await first.ReadyAsync(1, "session-9");
        await trace.WaitForAsync("ready");
        await first.SendAsync("""{"op":9,"d":false}""");

        var code = await first.ClientClosed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        code.ShouldNotBeNull();
        code.Value.ShouldNotBeOneOf(1000, 1001);
        var second = await harness.Fake.NextConnectionAsync();
        second.Path.ShouldBe("/gateway");
        await second.HelloAsync(45000);

        // max_concurrency 1: the second IDENTIFY waits until 5 s after the first.
        var identify = await AdvanceUntilAsync(clock, second.ExpectAsync(2), TimeSpan.FromSeconds(5));
        identify.GetProperty("d").GetProperty("token").GetString().ShouldBe(DiscordHarness.Token);
        second.All.ShouldNotContain(p => p.GetProperty("op").GetInt32() == 6);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(4007)]
    [InlineData(4009)]
    public async Task Close_codes_that_end_the_session_lead_to_a_fresh_identify(int closeCode)
    {
        var clock = new FakeTimeProvider();
        await using var harness = await DiscordHarness.StartAsync(clock);
        var (run, trace, stop) = harness.RunGateway();
        var first = await harness.Fake.NextConnectionAsync();
        await first.HelloAsync(45000);
        await first.ExpectAsync(2);
        await first.ReadyAsync(1, "session-c");
        await trace.WaitForAsync("ready");
        await first.CloseAsync(closeCode);

        var second = await harness.Fake.NextConnectionAsync();
        second.Path.ShouldBe("/gateway");
        await second.HelloAsync(45000);
        await AdvanceUntilAsync(clock, second.ExpectAsync(2), TimeSpan.FromSeconds(5));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Op9_resumable_and_a_dropped_connection_both_resume()
    {
        await using var harness = await DiscordHarness.StartAsync(new FakeTimeProvider());
        var (run, trace, stop) = harness.RunGateway();
        var first = await harness.Fake.NextConnectionAsync();
        await first.HelloAsync(45000);
        await first.ExpectAsync(2);
        await first.ReadyAsync(1, "session-t");
        await first.DispatchAsync("GUILD_CREATE", 2, """{"id":"1"}""");
        await first.SendAsync("""{"op":9,"d":true}""");

        var second = await harness.Fake.NextConnectionAsync();
        second.Path.ShouldBe("/resume");
        await second.HelloAsync(45000);
        (await second.ExpectAsync(6)).GetProperty("d").GetProperty("seq").GetInt64().ShouldBe(2);
        await second.DispatchAsync("RESUMED", 3, "{}");
        await trace.WaitForAsync("resumed");

        second.Abort(); // no close code at all
        var third = await harness.Fake.NextConnectionAsync();
        third.Path.ShouldBe("/resume");
        await third.HelloAsync(45000);
        var resume = await third.ExpectAsync(6);
        resume.GetProperty("d").GetProperty("session_id").GetString().ShouldBe("session-t");
        resume.GetProperty("d").GetProperty("seq").GetInt64().ShouldBe(3);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_resumable_close_code_resumes()
    {
        await using var harness = await DiscordHarness.StartAsync(new FakeTimeProvider());
        var (run, trace, stop) = harness.RunGateway();
        var first = await harness.Fake.NextConnectionAsync();
        await first.HelloAsync(45000);
        await first.ExpectAsync(2);
        await first.ReadyAsync(4, "session-r");
        await trace.WaitForAsync("ready");
        await first.CloseAsync(4000);

        var second = await harness.Fake.NextConnectionAsync();
        second.Path.ShouldBe("/resume");
        await second.HelloAsync(45000);
        (await second.ExpectAsync(6)).GetProperty("d").GetProperty("seq").GetInt64().ShouldBe(4);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(4004)]
    [InlineData(4014)]
    public async Task A_fatal_close_code_is_reported_and_stops_the_client(int closeCode)
    {
        await using var harness = await DiscordHarness.StartAsync(new FakeTimeProvider());
        var (run, _, stop) = harness.RunGateway();
        var connection = await harness.Fake.NextConnectionAsync();
        await connection.HelloAsync(45000);
        await connection.ExpectAsync(2);
        await connection.CloseAsync(closeCode);

        var report = await harness.Fatal.Reported.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        report.ToString().ShouldContain(closeCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken); // the client stopped by itself
        harness.Fake.Connections.Reader.TryRead(out _).ShouldBeFalse();
        stop.Dispose();
    }

    [Fact]
    public async Task Malformed_and_unknown_payloads_are_dropped_without_breaking_the_loop()
    {
        await using var harness = await DiscordHarness.StartAsync(new FakeTimeProvider());
        var (run, trace, stop) = harness.RunGateway();
        var connection = await harness.Fake.NextConnectionAsync();
        await connection.SendAsync("{not json");
        await connection.SendAsync("""{"op":42,"d":null}""");
        await connection.SendAsync("""{"d":1}""");
        await connection.HelloAsync(45000);
        await connection.ExpectAsync(2);
        await connection.DispatchAsync("INTERACTION_CREATE", 2, """{"id":"x"}""");
        await connection.ReadyAsync(3, "session-m");
        await trace.WaitForAsync("ready");
        harness.Logs.Lines.ShouldContain(l => l.Contains("malformed", StringComparison.Ordinal));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Send_limiter_keeps_room_for_heartbeats()
    {
        var clock = new FakeTimeProvider();
        var limiter = new Gateway.GatewaySendLimiter(clock);
        for (var i = 0; i < 117; i++)
        {
            limiter.DelayFor(isHeartbeat: false).ShouldBe(TimeSpan.Zero);
            limiter.Record();
        }

        limiter.DelayFor(isHeartbeat: false).ShouldBe(TimeSpan.FromSeconds(60));
        limiter.DelayFor(isHeartbeat: true).ShouldBe(TimeSpan.Zero);
        clock.Advance(TimeSpan.FromSeconds(60));
        limiter.DelayFor(isHeartbeat: false).ShouldBe(TimeSpan.Zero);
    }

    /// <summary>
    /// Keeps the fake clock moving until <paramref name="awaited"/> completes. The client reads "now", computes
    /// a wait and only then registers its timer; one Advance landing in between would leave that timer behind
    /// for good, so time moves in steps, with a short real pause between steps for the client to react.
    /// </summary>
    private static async Task<T> AdvanceUntilAsync<T>(FakeTimeProvider clock, Task<T> awaited, TimeSpan step)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromSeconds(30));
        while (!awaited.IsCompleted)
        {
            clock.Advance(step);
            await Task.WhenAny(awaited, Task.Delay(TimeSpan.FromMilliseconds(50), guard.Token));
            guard.Token.ThrowIfCancellationRequested();
        }

        return await awaited;
    }
}
