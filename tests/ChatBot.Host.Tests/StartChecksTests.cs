using ChatBot.Core.Ports;
using ChatBot.Discord.Rest;
using ChatBot.Slack;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBot.Host.Tests;

/// <summary>
/// The checks the composition root runs before the host starts: the database is migrated, and the platforms'
/// start-up reads (Slack's <c>auth.test</c>, Discord's <c>GET gateway/bot</c>) begin meanwhile, with nothing else sent before the host starts.
/// </summary>
public sealed class StartChecksTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chatbot-checks-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_checks_before_start_begin_Slacks_auth_test_once_and_leave_the_database_migrated()
    {
        await using var slack = new LoopbackHttpStub(200, "OK", """{"ok":true,"team_id":"T1","team":"t","user_id":"U1","user":"bot"}""");
        var databasePath = Path.Combine(_directory, "chatbot.db");
        var builder = ChatBotHost.CreateBuilder([], TextReader.Null, TextWriter.Null, new Dictionary<string, string?>
        {
            ["Storage:Path"] = databasePath,
            ["Ops:Enabled"] = "false",
            ["Slack:BotToken"] = "xoxb-fake-0000000000-checks",
            ["Slack:AppToken"] = "xapp-fake-0000000000-checks",
            ["Slack:ApiBaseUrl"] = slack.BaseUrl + "api/",
        });
        var other = new CountingPreparation();
        builder.Services.AddSingleton<IStartupPreparation>(other);
        using var host = builder.Build();

        await ChatBotHost.CheckBeforeStartAsync(host.Services);

        other.Begun.ShouldBe(1);
        File.Exists(databasePath).ShouldBeTrue();
        var botToken = host.Services.GetRequiredService<SlackBotTokenCheck>();
        host.Services.GetServices<IStartupPreparation>().ShouldContain(botToken);
        (await botToken.Accepted.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).ShouldBeTrue();
        // The check begun during the checks is the one the Socket Mode service will wait on; no Socket Mode URL yet.
        slack.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task The_checks_before_start_begin_Discords_gateway_bot_once_for_the_first_connect_to_take()
    {
        await using var discord = new LoopbackHttpStub(200, "OK", """{"url":"wss://gateway.discord.gg","shards":1,"session_start_limit":{"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":1}}""");
        var builder = ChatBotHost.CreateBuilder([], TextReader.Null, TextWriter.Null, new Dictionary<string, string?>
        {
            ["Storage:Path"] = Path.Combine(_directory, "chatbot.db"),
            ["Ops:Enabled"] = "false",
            ["Discord:BotToken"] = "fake-discord-token-checks",
            ["Discord:ApiBaseUrl"] = discord.BaseUrl + "api/v10/",
        });
        using var host = builder.Build();

        await ChatBotHost.CheckBeforeStartAsync(host.Services);

        // Nothing else in the checks talks to Discord; no hosted service has started.
        await discord.FirstRequest.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        // The shard's first connect takes the answer begun during the checks: one request in all.
        var gateway = await host.Services.GetRequiredService<DiscordRestClient>().GetGatewayBotAsync(TestContext.Current.CancellationToken);
        gateway.Url.ShouldBe(new Uri("wss://gateway.discord.gg"));
        discord.Requests.ShouldBe(1);
    }

    private sealed class CountingPreparation : IStartupPreparation
    {
        private int _begun;

        public int Begun => Volatile.Read(ref _begun);

        public void Begin() => Interlocked.Increment(ref _begun);
    }
}
