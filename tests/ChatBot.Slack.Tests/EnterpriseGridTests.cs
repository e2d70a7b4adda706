using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ChatBot.Core;
using ChatBot.Core.Breaks;
using ChatBot.Core.Commands;
using ChatBot.Core.Ports;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace ChatBot.Slack.Tests;

/// <summary>
/// Enterprise Grid shared channels end to end: the real Socket Mode client, the real command core and the real
/// SQLite store, against the loopback fake Slack. Workspaces T0ONE and T0TWO of org E0GRID share C0SHARED.
/// </summary>
public sealed class EnterpriseGridTests : IAsyncLifetime
{
    private readonly RecordingBreakRunner runner = new();
    private SlackEndToEndHost e2e = null!;
    private FakeSlackServer slack = null!;
    private IHost host = null!;

    public async ValueTask InitializeAsync()
    {
        e2e = await SlackEndToEndHost.StartAsync(
            new Dictionary<string, string?> { ["Breaks:Workdays"] = "daily" },
            services => services.AddSingleton<IBreakRunner>(runner));
        (slack, host) = (e2e.Slack, e2e.Host);
    }

    public ValueTask DisposeAsync() => e2e.DisposeAsync();

    private static JsonObject Payload(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", name)))!.AsObject();

    [Fact]
    public async Task A_tap_from_a_second_workspace_on_a_break_started_in_the_first_counts_on_that_break()
    {
        var socket = await slack.NextSocketAsync();

        // Ann (workspace T0ONE) starts a break in the shared channel.
        var started = await socket.SendEnvelopeAsync("slash_commands", Payload("slash_command_grid_workspace1.json"));
        await socket.WaitForAckAsync(started);
        var breakId = await runner.Started.Task.WaitAsync(TestTimeouts.Guard, TestContext.Current.CancellationToken);
        var stored = await host.Services.GetRequiredService<IBreakStore>().GetAsync(breakId, TestContext.Current.CancellationToken);
        stored.ShouldNotBeNull().Channel.ShouldBe(new ChannelKey(ChatPlatform.Slack, "E0GRID", "C0SHARED"));

        // Bob (workspace T0TWO) taps Done on it: block_actions carries team.id = T0TWO.
        var tap = Payload("block_actions_grid_workspace2.json");
        tap["actions"]![0]!["action_id"] = ButtonAction.Done(breakId);
        tap["response_url"] = slack.ResponseUrl("bob-tap").ToString();
        var tapped = await socket.SendEnvelopeAsync("interactive", tap, acceptsResponsePayload: false);
        await socket.WaitForAckAsync(tapped);

        var reply = (await slack.WaitForCallsAsync("response_url")).ShouldHaveSingleItem();
        reply.Arg("text").ShouldNotBeNull().ShouldNotContain("isn't known");
        (await slack.WaitForCallsAsync("chat.update")).ShouldHaveSingleItem().Arg("ts").ShouldBe("1700000000.002002");
        (await host.Services.GetRequiredService<ICompletionStore>().CountForBreakAsync(breakId, TestContext.Current.CancellationToken)).ShouldBe(1);

        // Bob asks for the leaderboard from his workspace: the one shared channel shows his break.
        var board = Payload("slash_command_grid_workspace1.json");
        board["team_id"] = "T0TWO";
        board["user_id"] = "W0BOB";
        board["text"] = "leaderboard all";
        var asked = await socket.SendEnvelopeAsync("slash_commands", board);
        var (ack, _) = await socket.WaitForAckAsync(asked);
        ack.ToJsonString().ShouldContain("Display W0BOB");
    }

    [Fact]
    public async Task The_same_person_from_either_workspace_is_one_person_with_one_streak()
    {
        var socket = await slack.NextSocketAsync();
        var done = Payload("slash_command_grid_workspace1.json");
        done["text"] = "done";
        await socket.WaitForAckAsync(await socket.SendEnvelopeAsync("slash_commands", done));

        // Ann again, the same day, from the other workspace in another channel: already logged today.
        var again = done.DeepClone().AsObject();
        again["team_id"] = "T0TWO";
        again["channel_id"] = "C0OTHER";
        await socket.WaitForAckAsync(await socket.SendEnvelopeAsync("slash_commands", again));

        var users = host.Services.GetRequiredService<IUserStore>();
        (await users.GetAsync(new TeamKey(ChatPlatform.Slack, "E0GRID"), "W0ANN", TestContext.Current.CancellationToken)).ShouldNotBeNull();
        (await users.GetAsync(new TeamKey(ChatPlatform.Slack, "T0ONE"), "W0ANN", TestContext.Current.CancellationToken)).ShouldBeNull();
        (await users.GetAsync(new TeamKey(ChatPlatform.Slack, "T0TWO"), "W0ANN", TestContext.Current.CancellationToken)).ShouldBeNull();
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + e2e.DatabasePath);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT team_id || '/' || COUNT(*) FROM completions WHERE user_id = 'W0ANN' GROUP BY team_id;";
        (await query.ExecuteScalarAsync(TestContext.Current.CancellationToken)).ShouldBe("E0GRID/1");
    }

    /// <summary>Records the breaks Core hands off (posting is not what these tests are about).</summary>
    private sealed class RecordingBreakRunner : IBreakRunner
    {
        public TaskCompletionSource<long> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<long> All { get; } = new();

        public Task StartAsync(long breakId, CancellationToken cancellationToken)
        {
            All.Enqueue(breakId);
            Started.TrySetResult(breakId);
            return Task.CompletedTask;
        }

        public Task WhenIdleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
