using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

public sealed class InteractionTests
{
    private const string ChannelId = "645027906669510667";

    [Fact]
    public async Task Drill_rotation_is_acknowledged_within_3_seconds_then_posts_prompt_thread_and_cues()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        var payload = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_rotation.json"));
        var sent = Stopwatch.GetTimestamp();
        await connection.DispatchAsync("INTERACTION_CREATE", 2, payload);

        var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        Stopwatch.GetElapsedTime(sent, callback.Timestamp).ShouldBeLessThan(TimeSpan.FromSeconds(3));
        callback.Path.ShouldBe("interactions/786008729715212338/aW50ZXJhY3Rpb246Nzg2MDA4NzI5NzE1MjEyMzM4OnRva2Vu/callback");
        callback.Json.GetProperty("type").GetInt32().ShouldBe(5);
        callback.Json.GetProperty("data").GetProperty("flags").GetInt32().ShouldBe(64);

        var prompt = await harness.Fake.NextRequestAsync(r => r.Route == $"POST channels/{ChannelId}/messages");
        prompt.Json.GetProperty("content").GetString().ShouldBe("Upper back break: **rotation** at <t:1764061200:t>");
        prompt.Json.GetProperty("components")[0].GetProperty("components")[0].GetProperty("custom_id").GetString().ShouldBe("done:42");
        prompt.Json.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength().ShouldBe(0);
        prompt.Json.GetProperty("enforce_nonce").GetBoolean().ShouldBeTrue();
        var promptId = await harness.Handler.BreakPosted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var edit = await harness.Fake.NextRequestAsync(r => r.Method == "PATCH");
        edit.Path.ShouldBe("webhooks/111/aW50ZXJhY3Rpb246Nzg2MDA4NzI5NzE1MjEyMzM4OnRva2Vu/messages/@original");
        edit.Json.GetProperty("content").GetString().ShouldBe("Started a **rotation** break.");

        var requests = harness.Fake.Requests.ToList();
        var thread = requests.Single(r => r.Path.EndsWith("/threads", StringComparison.Ordinal));
        thread.Path.ShouldBe($"channels/{ChannelId}/messages/{promptId}/threads");
        thread.Json.GetProperty("name").GetString().ShouldBe("Rotation break");
        var cues = requests.Where(r => r.Route == $"POST channels/{promptId}/messages").ToList();
        cues.Count.ShouldBeGreaterThanOrEqualTo(3);
        cues.Select(c => c.Json.GetProperty("nonce").GetString()).ShouldBe(["break-42-step-1", "break-42-step-2", "break-42-step-3"]);
        requests.IndexOf(thread).ShouldBeLessThan(requests.IndexOf(cues[0]));

        harness.Handler.Invocations.Single().Text.ShouldBe("rotation");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_done_click_delivered_twice_is_stored_before_the_callback_and_counted_once()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var callbackSeenByHandler = new List<int>();
        harness.Handler.BeforeClickReturns = _ =>
        {
            // Stored first: no callback for this click may have reached Discord yet.
            callbackSeenByHandler.Add(harness.Fake.Requests.Count(r => r.Path.EndsWith("/callback", StringComparison.Ordinal)));
            return Task.CompletedTask;
        };
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        var payload = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "button_done.json"));
        await connection.DispatchAsync("INTERACTION_CREATE", 2, payload);
        await connection.DispatchAsync("INTERACTION_CREATE", 3, payload); // redelivered (e.g. replayed after a resume)

        var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        callback.Json.GetProperty("type").GetInt32().ShouldBe(7);
        callback.Json.GetProperty("data").GetProperty("content").GetString().ShouldBe("Upper back break: rotation. Done by 1");
        callback.Json.GetProperty("data").GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength().ShouldBe(0);
        var followUp = await harness.Fake.NextRequestAsync(r => r.Route == "POST webhooks/111/YnV0dG9uLXRva2Vu");
        followUp.Json.GetProperty("flags").GetInt32().ShouldBe(64);
        followUp.Json.GetProperty("content").GetString().ShouldBe("Nice work, that's logged.");
        await harness.Logs.WaitForAsync(l => l.Contains("846462639134605312 seen before", StringComparison.Ordinal));

        harness.Handler.ClickCalls.ShouldBe(1);
        callbackSeenByHandler.ShouldBe([0]);
        harness.Fake.Requests.Count(r => r.Path.EndsWith("/callback", StringComparison.Ordinal)).ShouldBe(1);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_slow_click_is_acknowledged_with_a_deferral_and_the_prompt_edited_afterwards()
    {
        await using var harness = await DiscordHarness.StartAsync(configure: s => s["Discord:ClickDeferAfter"] = "00:00:00.100");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Handler.BeforeClickReturns = _ => release.Task;
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        await connection.DispatchAsync("INTERACTION_CREATE", 2, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "button_done.json")));
        var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        callback.Json.GetProperty("type").GetInt32().ShouldBe(6);
        release.SetResult();

        var edit = await harness.Fake.NextRequestAsync(r => r.Method == "PATCH");
        edit.Path.ShouldBe("webhooks/111/YnV0dG9uLXRva2Vu/messages/@original");
        edit.Json.GetProperty("content").GetString().ShouldBe("Upper back break: rotation. Done by 1");
        var followUp = await harness.Fake.NextRequestAsync(r => r.Route == "POST webhooks/111/YnV0dG9uLXRva2Vu");
        followUp.Json.GetProperty("flags").GetInt32().ShouldBe(64);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_channel_reply_after_an_ephemeral_deferral_replaces_it_with_a_public_follow_up()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        var payload = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_rotation.json"))
            .Replace("\"name\": \"rotation\"", "\"name\": \"now\"", StringComparison.Ordinal);
        await connection.DispatchAsync("INTERACTION_CREATE", 2, payload);
        var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        callback.Json.GetProperty("data").GetProperty("flags").GetInt32().ShouldBe(64);
        var delete = await harness.Fake.NextRequestAsync(r => r.Method == "DELETE");
        delete.Path.ShouldEndWith("/messages/@original");
        var followUp = await harness.Fake.NextRequestAsync(r => r.Method == "POST" && r.Path.StartsWith("webhooks/", StringComparison.Ordinal));
        followUp.Json.TryGetProperty("flags", out _).ShouldBeFalse();
        followUp.Json.GetProperty("content").GetString().ShouldBe("Mason started a break for everyone.");
        harness.Fake.Requests.ShouldNotContain(r => r.Method == "PATCH");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_channel_reply_ready_at_once_is_one_public_type_4_callback()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        await connection.DispatchAsync("INTERACTION_CREATE", 2, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_leaderboard_week.json")));
        var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        callback.Json.GetProperty("type").GetInt32().ShouldBe(4);
        var data = callback.Json.GetProperty("data");
        data.TryGetProperty("flags", out _).ShouldBeFalse();
        data.GetProperty("content").GetString().ShouldBe("Leaderboard: 1. Ana\\_Bel (3 days)");
        data.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength().ShouldBe(0);
        harness.Handler.Invocations.Single().Text.ShouldBe("leaderboard week");
        (await harness.Gateway.DrainInteractionsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        harness.Fake.Requests.Where(r => r.Path.Contains("bGVhZGVyYm9hcmQtdG9rZW4", StringComparison.Ordinal)).ShouldHaveSingleItem();

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Drill_list_is_answered_by_exactly_one_call_a_caller_only_type_4()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        await connection.DispatchAsync("INTERACTION_CREATE", 2, Command("list", "786008729715212350", "bGlzdC10b2tlbg"));
        var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        callback.Path.ShouldBe("interactions/786008729715212350/bGlzdC10b2tlbg/callback");
        callback.ContentType.ShouldBe("application/json; charset=utf-8");
        callback.Json.GetProperty("type").GetInt32().ShouldBe(4);
        callback.Json.GetProperty("data").GetProperty("flags").GetInt32().ShouldBe(64);
        callback.Json.GetProperty("data").GetProperty("content").GetString()!.ShouldStartWith("**extension**: kneeling bench");

        (await harness.Gateway.DrainInteractionsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        harness.Fake.Requests.Where(r => r.Path.Contains("bGlzdC10b2tlbg", StringComparison.Ordinal)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_constant_reply_gets_the_same_type_4_every_time_with_its_own_visibility()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        // help twice (to the caller), then the same constant message to the channel, then help again.
        string[] commands = ["help", "help", "help-to-channel", "help"];
        var bodies = new List<RecordedRequest>();
        for (var i = 0; i < commands.Length; i++)
        {
            var id = (786008729715212360 + i).ToString(CultureInfo.InvariantCulture);
            await connection.DispatchAsync("INTERACTION_CREATE", 2 + i, Command(commands[i], id, "Y29uc3Q" + i));
            bodies.Add(await harness.Fake.NextRequestAsync(r => r.Path == $"interactions/{id}/Y29uc3Q{i}/callback"));
        }

        foreach (var (callback, command) in bodies.Zip(commands))
        {
            callback.Json.GetProperty("type").GetInt32().ShouldBe(4);
            var data = callback.Json.GetProperty("data");
            data.GetProperty("content").GetString().ShouldBe("**Drills**: `/drill list` for ana\\_b");
            data.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength().ShouldBe(0);
            data.GetProperty("components")[0].GetProperty("components")[0].GetProperty("custom_id").GetString().ShouldBe("help:more");
            data.TryGetProperty("flags", out var flags).ShouldBe(command == "help", command);
            if (command == "help")
            {
                flags.GetInt32().ShouldBe(64);
            }
        }

        bodies[1].Body.ShouldBe(bodies[0].Body);
        bodies[3].Body.ShouldBe(bodies[0].Body);
        (await harness.Gateway.DrainInteractionsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        harness.Fake.Requests.Count(r => r.Path.Contains("Y29uc3Q", StringComparison.Ordinal)).ShouldBe(commands.Length, "one call per interaction");

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_reply_not_ready_within_the_budget_is_deferred_then_edited_in()
    {
        await using var harness = await DiscordHarness.StartAsync(configure: s => s["Discord:CommandAckBudget"] = "00:00:00.050");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Handler.BeforeCommandReturns = _ => release.Task;
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        await connection.DispatchAsync("INTERACTION_CREATE", 2, Command("list", "786008729715212351", "c2xvdy10b2tlbg"));
        var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        callback.Json.GetProperty("type").GetInt32().ShouldBe(5);
        callback.Json.GetProperty("data").GetProperty("flags").GetInt32().ShouldBe(64);
        release.SetResult();

        var edit = await harness.Fake.NextRequestAsync(r => r.Method == "PATCH");
        edit.Path.ShouldBe("webhooks/111/c2xvdy10b2tlbg/messages/@original");
        edit.Json.GetProperty("content").GetString()!.ShouldStartWith("**extension**: kneeling bench");
        (await harness.Gateway.DrainInteractionsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        harness.Fake.Requests.Count(r => r.Path.Contains("c2xvdy10b2tlbg", StringComparison.Ordinal)).ShouldBe(2);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("long")]
    [InlineData("long-constant")] // the same constant reply every time, answered twice
    public async Task A_reply_of_several_messages_is_deferred_then_edited_and_followed_up(string command)
    {
        await using var harness = await DiscordHarness.StartAsync();
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        string[] tokens = ["bG9uZy10b2tlbg", "bG9uZy10b2tlbjI"];
        for (var i = 0; i < tokens.Length; i++)
        {
            var id = (786008729715212352 + i).ToString(CultureInfo.InvariantCulture);
            await connection.DispatchAsync("INTERACTION_CREATE", 2 + i, Command(command, id, tokens[i]));
            var callback = await harness.Fake.NextRequestAsync(r => r.Path == $"interactions/{id}/{tokens[i]}/callback");
            callback.Json.GetProperty("type").GetInt32().ShouldBe(5);
            callback.Json.GetProperty("data").GetProperty("flags").GetInt32().ShouldBe(64);
            var edit = await harness.Fake.NextRequestAsync(r => r.Method == "PATCH" && r.Path.Contains(tokens[i], StringComparison.Ordinal));
            edit.Path.ShouldBe($"webhooks/111/{tokens[i]}/messages/@original");
            (await harness.Gateway.DrainInteractionsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
            var followUps = harness.Fake.Requests.Where(r => r.Route == $"POST webhooks/111/{tokens[i]}").ToList();
            followUps.ShouldAllBe(f => f.Json.GetProperty("flags").GetInt32() == 64);
            followUps.Prepend(edit).Sum(r => r.Json.GetProperty("content").GetString()!.Count(c => c == 'x')).ShouldBe(3000);
        }

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_expired_interaction_is_logged_and_dropped_and_the_next_one_still_works()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Path.StartsWith("interactions/786008729715212338/", StringComparison.Ordinal)
            ? new FakeResponse(404, """{"message":"Unknown interaction","code":10062}""")
            : null;
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        await connection.DispatchAsync("INTERACTION_CREATE", 2, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_rotation.json")));
        await harness.Logs.WaitForAsync(l => l.Contains("expired", StringComparison.Ordinal));
        harness.Handler.Invocations.ShouldBeEmpty(); // never acknowledged, so no break was started

        await connection.DispatchAsync("INTERACTION_CREATE", 3, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_leaderboard_week.json")));
        await harness.Fake.NextRequestAsync(r => r.Path == "interactions/786008729715212340/bGVhZGVyYm9hcmQtdG9rZW4/callback" && r.Json.GetProperty("type").GetInt32() == 4);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_interaction_whose_token_is_refused_with_401_is_dropped_and_the_bot_keeps_running()
    {
        await using var harness = await DiscordHarness.StartAsync();
        harness.Fake.RestHandler = (request, _) => request.Path.StartsWith("interactions/786008729715212338/", StringComparison.Ordinal)
            ? new FakeResponse(401, """{"message":"401: Unauthorized","code":0}""")
            : null;
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        await connection.DispatchAsync("INTERACTION_CREATE", 2, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_rotation.json")));
        await harness.Logs.WaitForAsync(l => l.Contains("786008729715212338 expired", StringComparison.Ordinal));
        harness.Handler.Invocations.ShouldBeEmpty();
        harness.Fatal.HasReported.ShouldBeFalse();

        await connection.DispatchAsync("INTERACTION_CREATE", 3, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_leaderboard_week.json")));
        await harness.Fake.NextRequestAsync(r => r.Path == "interactions/786008729715212340/bGVhZGVyYm9hcmQtdG9rZW4/callback" && r.Json.GetProperty("type").GetInt32() == 4);
        harness.Fatal.HasReported.ShouldBeFalse();
        run.IsCompleted.ShouldBeFalse();
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_bogus_button_id_gets_a_reply_and_a_handler_failure_gets_an_apology()
    {
        await using var harness = await DiscordHarness.StartAsync();
        var (run, trace, stop) = harness.RunGateway();
        var connection = await ReadyAsync(harness, trace);

        var bogus = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "button_done.json"))
            .Replace("\"custom_id\": \"done:42\"", "\"custom_id\": \"rm -rf /\"", StringComparison.Ordinal);
        await connection.DispatchAsync("INTERACTION_CREATE", 2, bogus);
        var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
        callback.Json.GetProperty("type").GetInt32().ShouldBe(6);
        var followUp = await harness.Fake.NextRequestAsync(r => r.Method == "POST" && r.Path.StartsWith("webhooks/", StringComparison.Ordinal));
        followUp.Json.GetProperty("content").GetString().ShouldBe("That button is not one of mine.");

        harness.Handler.BeforeClickReturns = _ => throw new InvalidOperationException("database is down");
        var failing = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "button_done.json"))
            .Replace("846462639134605312", "846462639134605399", StringComparison.Ordinal);
        await connection.DispatchAsync("INTERACTION_CREATE", 3, failing);
        var apology = await harness.Fake.NextRequestAsync(r => r.Method == "POST" && r.Path.StartsWith("webhooks/", StringComparison.Ordinal));
        apology.Json.GetProperty("content").GetString()!.ShouldStartWith("Sorry, something went wrong");
        apology.Json.GetProperty("flags").GetInt32().ShouldBe(64);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Shutdown_waits_for_an_interaction_in_flight_so_its_reply_still_goes_out()
    {
        await using var harness = await DiscordHarness.StartAsync(configure: s => s["Discord:RegisterCommands"] = "false");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Handler.BeforeClickReturns = _ =>
        {
            started.TrySetResult();
            return release.Task;
        };
        var trace = System.Threading.Channels.Channel.CreateUnbounded<string>();
        harness.Gateway.Trace = trace.Writer;
        var service = harness.Services.GetRequiredService<DiscordGatewayHostedService>();
        await service.StartAsync(TestContext.Current.CancellationToken);
        var connection = await ReadyAsync(harness, trace.Reader);

        await connection.DispatchAsync("INTERACTION_CREATE", 2, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "button_done.json")));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var stop = service.StopAsync(TestContext.Current.CancellationToken);
        await service.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        stop.IsCompleted.ShouldBeFalse(); // the gateway is down, the click is still being handled
        harness.Gateway.InteractionsInFlight.ShouldBe(1);

        release.SetResult();
        await stop.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        harness.Gateway.InteractionsInFlight.ShouldBe(0);
        harness.Fake.Requests.ShouldContain(r => r.Route == "POST webhooks/111/YnV0dG9uLXRva2Vu");
        harness.Logs.Lines.ShouldNotContain(l => l.Contains("cut off", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shutdown_stops_waiting_for_interactions_when_the_host_shutdown_timeout_fires()
    {
        await using var harness = await DiscordHarness.StartAsync(configure: s => s["Discord:RegisterCommands"] = "false");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Handler.BeforeClickReturns = _ =>
        {
            started.TrySetResult();
            return never.Task;
        };
        var trace = System.Threading.Channels.Channel.CreateUnbounded<string>();
        harness.Gateway.Trace = trace.Writer;
        var service = harness.Services.GetRequiredService<DiscordGatewayHostedService>();
        await service.StartAsync(TestContext.Current.CancellationToken);
        var connection = await ReadyAsync(harness, trace.Reader);
        await connection.DispatchAsync("INTERACTION_CREATE", 2, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "button_done.json")));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        using var shutdownTimeout = new CancellationTokenSource();
        var stop = service.StopAsync(shutdownTimeout.Token);
        await service.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        stop.IsCompleted.ShouldBeFalse();

        await shutdownTimeout.CancelAsync();
        await stop.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await harness.Logs.WaitForAsync(l => l.Contains("cut off 1 interactions", StringComparison.Ordinal));
        never.SetResult();
    }

    /// <summary>A <c>/drill {subcommand}</c> interaction in the test channel.</summary>
    internal static string Command(string subcommand, string id, string token) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "slash_rotation.json"))
            .Replace("\"name\": \"rotation\"", $"\"name\": \"{subcommand}\"", StringComparison.Ordinal)
            .Replace("786008729715212338", id, StringComparison.Ordinal)
            .Replace("aW50ZXJhY3Rpb246Nzg2MDA4NzI5NzE1MjEyMzM4OnRva2Vu", token, StringComparison.Ordinal);

    internal static async Task<FakeGatewayConnection> ReadyAsync(DiscordHarness harness, System.Threading.Channels.ChannelReader<string> trace)
    {
        var connection = await harness.Fake.NextConnectionAsync();
        await connection.HelloAsync(45000);
        await connection.ExpectAsync(2);
        await connection.ReadyAsync(1, "session-i");
        await trace.WaitForAsync("ready");
        return connection;
    }
}
