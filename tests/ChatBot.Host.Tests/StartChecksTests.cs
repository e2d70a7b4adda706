using ChatBot.Core.Ports;
using ChatBot.Slack;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBot.Host.Tests;

/// <summary>
/// The checks the composition root runs before the host starts: the database is migrated, and the platforms'
/// start-up reads (Slack's <c>auth.test</c>) begin meanwhile, with nothing else sent before the host starts.
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

    private sealed class CountingPreparation : IStartupPreparation
    {
        private int _begun;

        public int Begun => Volatile.Read(ref _begun);

        public void Begin() => Interlocked.Increment(ref _begun);
    }
}
