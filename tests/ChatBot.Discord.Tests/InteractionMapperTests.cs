using System.Text.Json;
using ChatBot.Core;
using ChatBot.Discord.Interactions;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

public sealed class InteractionMapperTests
{
    public static JsonElement Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", name))).RootElement.Clone();

    [Fact]
    public void Slash_drill_rotation_maps_to_an_invocation_in_the_guild_channel()
    {
        InteractionMapper.TryParse(Load("slash_rotation.json"), out var interaction, out _).ShouldBeTrue();
        interaction.Type.ShouldBe(InteractionType.ApplicationCommand);
        interaction.CommandName.ShouldBe("drill");
        var invocation = InteractionMapper.ToInvocation(interaction)!;
        invocation.Text.ShouldBe("rotation");
        invocation.Channel.ShouldBe(new ChannelKey(ChatPlatform.Discord, "290926798626357999", "645027906669510667"));
        invocation.Caller.Id.ShouldBe("53908232506183680");
        invocation.Caller.DisplayName.ShouldBe("Mason K");
        invocation.Caller.TimeZoneId.ShouldBeNull();
        invocation.Caller.IsAdmin.ShouldBeTrue(); // 2147483647 includes Manage Server
    }

    [Fact]
    public void Schedule_group_joins_the_path_and_orders_options_as_core_reads_them()
    {
        InteractionMapper.TryParse(Load("slash_schedule_add.json"), out var interaction, out _).ShouldBeTrue();
        var invocation = InteractionMapper.ToInvocation(interaction)!;
        invocation.Text.ShouldBe("schedule add 09:30 mon-fri");
        invocation.Caller.DisplayName.ShouldBe("Ana the Admin");
        invocation.Caller.IsAdmin.ShouldBeTrue(); // 32 = Manage Server
    }

    [Fact]
    public void Leaderboard_with_a_period_and_a_member_without_manage_rights()
    {
        InteractionMapper.TryParse(Load("slash_leaderboard_week.json"), out var interaction, out _).ShouldBeTrue();
        var invocation = InteractionMapper.ToInvocation(interaction)!;
        invocation.Text.ShouldBe("leaderboard week");
        invocation.Caller.IsAdmin.ShouldBeFalse(); // 1024 = View Channel only
        invocation.Caller.DisplayName.ShouldBe("mason");
    }

    [Fact]
    public void A_done_button_maps_to_a_click_with_its_message()
    {
        InteractionMapper.TryParse(Load("button_done.json"), out var interaction, out _).ShouldBeTrue();
        interaction.Type.ShouldBe(InteractionType.MessageComponent);
        interaction.MessageId.ShouldBe("846462639134605313");
        var click = InteractionMapper.ToClick(interaction)!;
        click.ActionId.ShouldBe("done:42");
        click.Caller.Id.ShouldBe("53908232506183680");
    }

    [Fact]
    public void A_dm_uses_the_user_and_an_empty_text_means_help()
    {
        InteractionMapper.TryParse(Load("dm_help.json"), out var interaction, out _).ShouldBeTrue();
        var invocation = InteractionMapper.ToInvocation(interaction)!;
        invocation.Text.ShouldBe(string.Empty);
        invocation.Channel.TeamId.ShouldBe("dm:53908232506183680");
        invocation.Caller.IsAdmin.ShouldBeFalse();
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"type":2}""")]
    [InlineData("""{"id":5,"token":"t","application_id":"1","type":2}""")]
    [InlineData("""{"id":"1","token":"t","application_id":"1","type":"x"}""")]
    public void Malformed_interactions_are_rejected_with_a_reason(string json)
    {
        InteractionMapper.TryParse(JsonDocument.Parse(json).RootElement, out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Option_values_are_trimmed_and_whitespace_collapsed()
    {
        var data = JsonDocument.Parse("""{"name":"drill","options":[{"name":"tz","type":1,"options":[{"name":"zone","type":3,"value":"  Europe/Berlin\n"}]}]}""").RootElement;
        InteractionMapper.CommandText(data).ShouldBe("tz Europe/Berlin");
    }

    [Theory]
    [InlineData("""{"name":"days","type":1,"options":[{"name":"count","type":4,"value":5}]}""", "away days 5")]
    [InlineData("""{"name":"until","type":1,"options":[{"name":"date","type":3,"value":" 2026-12-24 "}]}""", "away until 2026-12-24")]
    [InlineData("""{"name":"off","type":1}""", "away off")]
    [InlineData("""{"name":"show","type":1}""", "away show")]
    public void The_away_group_becomes_the_text_the_parser_reads(string subcommand, string expected)
    {
        var data = JsonDocument.Parse($$"""{"name":"drill","options":[{"name":"away","type":2,"options":[{{subcommand}}]}]}""").RootElement;
        InteractionMapper.CommandText(data).ShouldBe(expected);
    }

    [Theory]
    [InlineData("""{"name":"remind","type":1,"options":[{"name":"time","type":3,"value":"15:00"}]}""", "remind 15:00")]
    [InlineData("""{"name":"remind","type":1,"options":[{"name":"time","type":3,"value":"off"}]}""", "remind off")]
    [InlineData("""{"name":"remind","type":1}""", "remind")]
    public void The_remind_subcommand_becomes_the_text_the_parser_reads(string subcommand, string expected)
    {
        var data = JsonDocument.Parse($$"""{"name":"drill","options":[{{subcommand}}]}""").RootElement;
        InteractionMapper.CommandText(data).ShouldBe(expected);
    }
}
