using ChatBot.Core.Commands;
using ChatBot.Core.Ports;
using ChatBot.Slack.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shouldly;

namespace ChatBot.Slack.Tests;

public sealed class SlackOptionsTests
{
    private static ValidateOptionsResult Validate(SlackOptions options) => new SlackOptionsValidator().Validate(null, options);

    [Fact]
    public void Validate_SocketModeTokens_Succeeds()
    {
        Validate(new SlackOptions { BotToken = Secrets.BotToken, AppToken = Secrets.AppToken }).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Validate_HttpModeWithSigningSecret_Succeeds()
    {
        Validate(new SlackOptions { BotToken = Secrets.BotToken, SigningSecret = "abc" }).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Validate_MissingBotToken_NamesTheKey()
    {
        var result = Validate(new SlackOptions { AppToken = Secrets.AppToken });
        result.Failed.ShouldBeTrue();
        result.FailureMessage!.ShouldContain("Slack:BotToken");
    }

    [Fact]
    public void Validate_WrongTokenPrefixes_NameTheKeysWithoutEchoingTheTokens()
    {
        var result = Validate(new SlackOptions { BotToken = "xoxp-user-token-SECRET", AppToken = "xoxb-not-an-app-token-SECRET" });
        result.FailureMessage!.ShouldContain("Slack:BotToken must start with xoxb-");
        result.FailureMessage!.ShouldContain("Slack:AppToken must start with xapp-");
        result.FailureMessage!.ShouldNotContain("SECRET");
    }

    [Fact]
    public void Validate_NeitherAppTokenNorSigningSecret_NamesBothKeys()
    {
        var result = Validate(new SlackOptions { BotToken = Secrets.BotToken });
        result.FailureMessage!.ShouldContain("Slack:AppToken");
        result.FailureMessage!.ShouldContain("Slack:SigningSecret");
    }

    [Fact]
    public void Validate_AckBudgetOverThreeSeconds_Fails()
    {
        var result = Validate(new SlackOptions { BotToken = Secrets.BotToken, AppToken = Secrets.AppToken, CommandAckBudget = TimeSpan.FromSeconds(3) });
        result.FailureMessage!.ShouldContain("Slack:CommandAckBudget");
    }

    [Theory]
    [InlineData("Slack:Admins", "U1, U2")]
    [InlineData("Slack:Admins:0", "U1")]
    public void Admins_BindFromAListOrOneCommaSeparatedValue(string key, string value)
    {
        var services = new ServiceCollection();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Secrets.BotToken,
            ["Slack:AppToken"] = Secrets.AppToken,
            [key] = value,
            ["Slack:Admins:1"] = "U2",
        }).Build();
        services.AddSingleton<IConfiguration>(config);
        services.AddSlack(config);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<SlackOptions>>().Value.Admins.ShouldBe(["U1", "U2"], ignoreOrder: true);
    }

    [Fact]
    public void AddSlack_WithoutAnySlackKey_RegistersNothing()
    {
        var services = new ServiceCollection();
        services.AddSlack(new ConfigurationBuilder().Build());
        services.ShouldNotContain(d => d.ServiceType == typeof(SlackApiClient));
    }

    [Fact]
    public async Task AddSlack_InvalidConfiguration_StopsHostAtStartWithTheKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Slack:AppToken"] = Secrets.AppToken });
        builder.Services.AddSingleton<IFatalErrorReporter>(new RecordingFatalErrorReporter());
        builder.Services.AddSingleton<ICommandHandler>(new FakeCommandHandler());
        builder.Services.AddSlack(builder.Configuration);
        using var host = builder.Build();

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());
        ex.Message.ShouldContain("Slack:BotToken");
    }

    [Fact]
    public void AddSlack_SocketMode_RegistersOnePlatformUnderEveryRole()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IFatalErrorReporter>(new RecordingFatalErrorReporter());
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = Secrets.BotToken,
            ["Slack:AppToken"] = Secrets.AppToken,
        }).Build();
        services.AddSingleton<IConfiguration>(config);
        services.AddSlack(config);
        using var provider = services.BuildServiceProvider();

        var keyed = provider.GetRequiredKeyedService<IChatPlatform>(Core.ChatPlatform.Slack);
        keyed.ShouldBeSameAs(provider.GetRequiredService<SlackPlatform>());
        provider.GetServices<IHostedService>().Single().ShouldBeSameAs(provider.GetRequiredService<SlackSocketModeHostedService>());
    }
}
