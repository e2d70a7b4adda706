using System.Text.Json.Nodes;
using ChatBot.Discord.Interactions;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

public sealed class RegistrationAndOptionsTests
{
    [Fact]
    public async Task The_command_is_overwritten_when_missing_and_left_alone_when_unchanged()
    {
        await using var harness = await DiscordHarness.StartAsync();
        string? registered = null;
        harness.Fake.RestHandler = (request, _) => request.Route switch
        {
            "GET applications/111/commands" when registered is not null => new FakeResponse(200, WithDiscordFields(registered)),
            "PUT applications/111/commands" => new FakeResponse(200, registered = request.Body),
            _ => null,
        };
        var registrar = harness.Services.GetRequiredService<DiscordCommandRegistrar>();

        (await registrar.EnsureRegisteredAsync("111", TestContext.Current.CancellationToken)).ShouldBe(1);
        (await registrar.EnsureRegisteredAsync("111", TestContext.Current.CancellationToken)).ShouldBe(0);
        harness.Fake.Requests.Count(r => r.Method == "PUT").ShouldBe(1);

        var drill = JsonNode.Parse(registered!)![0]!;
        drill["name"]!.GetValue<string>().ShouldBe("drill");
        var names = drill["options"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).ToList();
        names.ShouldBe(["help", "list", "now", "done", "streak", "leaderboard", "stats", "tz", "remind", "away", "extension", "rotation", "catcamel", "flexion", "warmup", "schedule"]);
        var away = drill["options"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "away")!;
        away["type"]!.GetValue<int>().ShouldBe(2);
        away["options"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).ShouldBe(["show", "days", "until", "off"]);
        var schedule = drill["options"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "schedule")!;
        schedule["type"]!.GetValue<int>().ShouldBe(2);
        schedule["options"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).ShouldBe(["list", "add", "remove", "tz", "digest"]);
        var period = drill["options"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "leaderboard")!["options"]![0]!;
        period["choices"]!.AsArray().Select(c => c!["value"]!.GetValue<string>()).ShouldBe(["week", "month", "all"]);
    }

    [Fact]
    public async Task With_guild_ids_the_command_is_registered_per_guild()
    {
        await using var harness = await DiscordHarness.StartAsync(configure: s =>
        {
            s["Discord:GuildIds:0"] = "290926798626357999";
            s["Discord:GuildIds:1"] = "290926798626358000";
        });
        var registrar = harness.Services.GetRequiredService<DiscordCommandRegistrar>();
        (await registrar.EnsureRegisteredAsync("111", TestContext.Current.CancellationToken)).ShouldBe(2);
        harness.Fake.Requests.Where(r => r.Method == "PUT").Select(r => r.Path).ShouldBe(
        [
            "applications/111/guilds/290926798626357999/commands",
            "applications/111/guilds/290926798626358000/commands",
        ]);
    }

    [Fact]
    public void The_definition_stays_within_discord_limits()
    {
        var names = new List<string>();
        void Check(JsonNode node)
        {
            var name = node["name"]!.GetValue<string>();
            names.Add(name);
            System.Text.RegularExpressions.Regex.IsMatch(name, "^[-_a-z0-9]{1,32}$").ShouldBeTrue(name);
            node["description"]!.GetValue<string>().Length.ShouldBeInRange(1, 100, name);
            var options = node["options"]?.AsArray();
            (options?.Count ?? 0).ShouldBeLessThanOrEqualTo(25);
            foreach (var option in options ?? [])
            {
                Check(option!);
            }
        }

        Check(DrillCommandDefinition.Build()[0]!);
        names.ShouldContain("schedule");
        DrillCommandDefinition.AnswersCallerOnly("leaderboard week").ShouldBeFalse();
        DrillCommandDefinition.AnswersCallerOnly("streak").ShouldBeTrue();
        DrillCommandDefinition.AnswersCallerOnly("schedule add 09:30").ShouldBeTrue();
    }

    [Fact]
    public void Every_drill_in_the_catalogue_has_its_own_subcommand()
    {
        var catalog = ChatBot.Core.Drills.DrillCatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "config", "drills.json"));
        var subcommands = DrillCommandDefinition.Build()[0]!["options"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).ToList();

        subcommands.ShouldBeUnique();
        catalog.Drills.Select(d => d.Id).ShouldBeSubsetOf(subcommands);
        foreach (var drill in DrillCommandDefinition.Drills)
        {
            catalog.TryFind(drill.Name, out _).ShouldBeTrue($"/drill {drill.Name} is registered on Discord but the catalogue has no such drill");
        }
    }

    [Fact]
    public void A_changed_description_counts_as_a_changed_definition()
    {
        var wanted = DrillCommandDefinition.Build();
        var current = (JsonArray)wanted.DeepClone();
        current[0]!["options"]![0]!["description"] = "old text";
        using var document = System.Text.Json.JsonDocument.Parse(current.ToJsonString());
        DrillCommandDefinition.SameDefinition(document.RootElement, wanted).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null, null, "Discord:BotToken is required")]
    [InlineData("Bot abc", null, "Discord:BotToken must be the bare token")]
    [InlineData("abc", "xyz", "Discord:PublicKey must be 64 hexadecimal characters")]
    public void Validation_names_the_key_and_never_echoes_the_value(string? token, string? publicKey, string expected)
    {
        var options = new DiscordOptions { BotToken = token, PublicKey = publicKey };
        var result = new DiscordOptions.Validator().Validate(null, options);
        result.Failed.ShouldBeTrue();
        (result.FailureMessage ?? string.Empty).ShouldContain(expected);
        if (token is not null)
        {
            (result.FailureMessage ?? string.Empty).ShouldNotContain(token);
        }
    }

    [Fact]
    public void Defaults_are_valid_with_a_token_and_bad_urls_name_their_keys()
    {
        new DiscordOptions.Validator().Validate(null, new DiscordOptions { BotToken = "abc" }).Succeeded.ShouldBeTrue();
        var bad = new DiscordOptions
        {
            BotToken = "abc",
            ApiBaseUrl = new Uri("https://discord.com/api/v10"),
            GatewayUrl = new Uri("https://gateway.discord.gg"),
            GuildIds = ["not-a-number"],
            CommandAckBudget = TimeSpan.FromSeconds(3),
        };
        var message = new DiscordOptions.Validator().Validate(null, bad).FailureMessage ?? string.Empty;
        message.ShouldContain("Discord:ApiBaseUrl");
        message.ShouldContain("Discord:GatewayUrl");
        message.ShouldContain("Discord:GuildIds:0");
        message.ShouldContain("Discord:CommandAckBudget must be between 0 and 00:00:02.5");
    }

    [Fact]
    public void Without_any_discord_settings_nothing_is_registered_and_a_forgotten_token_fails_at_start()
    {
        var none = new ServiceCollection().AddDiscord(new ConfigurationBuilder().Build());
        none.ShouldBeEmpty();

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Discord:GuildIds:0"] = "1" })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddDiscord(configuration);
        using var provider = services.BuildServiceProvider();
        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DiscordOptions>>().Value);
        ex.Message.ShouldContain("Discord:BotToken is required");
    }

    [Fact]
    public async Task The_gateway_identifies_without_waiting_for_the_application_lookup_and_registration()
    {
        using var restHeld = new SemaphoreSlim(0);
        await using var harness = await DiscordHarness.StartAsync(configure: s => s["Discord:ApplicationId"] = null);
        harness.Fake.RestHandler = (request, _) => request.Route == "GET applications/@me" && !restHeld.Wait(TimeSpan.FromSeconds(30))
            ? new FakeResponse(500, """{"message":"test timed out"}""")
            : null;
        var hosted = harness.Services.GetServices<IHostedService>().OfType<DiscordGatewayHostedService>().Single();
        await hosted.StartAsync(TestContext.Current.CancellationToken);

        // IDENTIFY while GET applications/@me is unanswered: the bot is online a few REST round trips sooner.
        var connection = await harness.Fake.NextConnectionAsync();
        await connection.HelloAsync(45000);
        await connection.ExpectAsync(2);
        harness.Fake.Requests.ShouldNotContain(r => r.Route == "PUT applications/111/commands");

        // Then, once the application is known, /drill is registered all the same.
        restHeld.Release();
        await harness.Fake.NextRequestAsync(r => r.Route == "PUT applications/111/commands");
        await hosted.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void The_invite_url_asks_for_exactly_the_needed_permissions()
    {
        DiscordGatewayHostedService.InviteUrl("123").ShouldBe(
            "https://discord.com/oauth2/authorize?client_id=123&scope=bot%20applications.commands&permissions=309237763072");
        var bits = new[] { 10, 11, 14, 15, 16, 35, 38 }.Aggregate(0L, (sum, bit) => sum | (1L << bit));
        DiscordGatewayHostedService.InvitePermissions.ShouldBe(bits);
    }

    private static string WithDiscordFields(string registered)
    {
        var commands = JsonNode.Parse(registered)!.AsArray();
        foreach (var command in commands)
        {
            command!["id"] = "1300000000000000000";
            command["application_id"] = "111";
            command["version"] = "1300000000000000001";
            command["default_member_permissions"] = null;
            command["nsfw"] = false;
        }

        return commands.ToJsonString();
    }
}
