using System.Text.Json;
using ChatBot.Core;
using Shouldly;

namespace ChatBot.Slack.Tests;

public sealed class SlackPayloadMapperTests
{
    private static JsonElement Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", name))).RootElement.Clone();

    [Fact]
    public void SlashCommand_FromRecordedPayload_MapsToInvocation()
    {
        var command = SlackPayloadMapper.ReadSlashCommand(Load("slash_command.json"), out var problem);

        problem.ShouldBeNull();
        command.ShouldNotBeNull();
        command.ResponseUrl.ShouldBe(new Uri("https://hooks.slack.com/commands/T111/111/xxxxx"));
        var user = new SlackUserInfo("W111", "Primary", "Europe/Berlin", IsAdmin: false, IsOwner: false);
        var invocation = SlackPayloadMapper.ToInvocation(command, user, []);
        invocation.Channel.ShouldBe(new ChannelKey(ChatPlatform.Slack, "T111", "C111"));
        invocation.Text.ShouldBe("rotation");
        invocation.Caller.ShouldBe(new ChatUser("W111", "Primary", "Europe/Berlin", false));
    }

    [Fact]
    public void SlashCommand_FromForm_IsTheSame()
    {
        var form = new Dictionary<string, string>
        {
            ["team_id"] = "T1",
            ["channel_id"] = "C1",
            ["user_id"] = "U1",
            ["user_name"] = "ann",
            ["command"] = "/drill",
            ["text"] = "  schedule add 09:30 mon-fri ",
        };
        var command = SlackPayloadMapper.ReadSlashCommand(form, out _)!;
        var invocation = SlackPayloadMapper.ToInvocation(command, null, ["U1"]);
        invocation.Text.ShouldBe("schedule add 09:30 mon-fri");
        invocation.Caller.ShouldBe(new ChatUser("U1", "ann", null, IsAdmin: true));
    }

    [Fact]
    public void SlashCommand_MissingFields_IsRejectedWithAReason()
    {
        using var doc = JsonDocument.Parse("""{"text":"rotation"}""");
        SlackPayloadMapper.ReadSlashCommand(doc.RootElement, out var problem).ShouldBeNull();
        problem.ShouldNotBeNull();
    }

    [Fact]
    public void BlockActions_FromRecordedPayload_MapsToClick()
    {
        var actions = SlackPayloadMapper.ReadBlockActions(Load("block_actions.json"), out var problem);

        problem.ShouldBeNull();
        var action = actions.ShouldHaveSingleItem();
        action.MessageTs.ShouldBe("1700000000.001001");
        action.IsEphemeral.ShouldBeFalse();
        var click = SlackPayloadMapper.ToClick(action, new SlackUserInfo("W111", "Owner", "America/New_York", false, IsOwner: true), []);
        click.ActionId.ShouldBe("done:42");
        click.Channel.ShouldBe(new ChannelKey(ChatPlatform.Slack, "E111", "C111")); // the payload names its Enterprise Grid org
        click.Caller.ShouldBe(new ChatUser("W111", "Owner", "America/New_York", IsAdmin: true));
    }

    [Fact]
    public void SharedGridChannel_CommandFromOneWorkspace_AndTapFromAnother_AreTheSameChannelAndTeam()
    {
        var command = SlackPayloadMapper.ReadSlashCommand(Load("slash_command_grid_workspace1.json"), out var commandProblem).ShouldNotBeNull();
        var tap = SlackPayloadMapper.ReadBlockActions(Load("block_actions_grid_workspace2.json"), out var tapProblem).ShouldHaveSingleItem();
        commandProblem.ShouldBeNull();
        tapProblem.ShouldBeNull();

        var invocation = SlackPayloadMapper.ToInvocation(command, null, []);
        var click = SlackPayloadMapper.ToClick(tap, null, []);

        invocation.Channel.ShouldBe(new ChannelKey(ChatPlatform.Slack, "E0GRID", "C0SHARED"));
        click.Channel.ShouldBe(invocation.Channel);
        click.Channel.Team.ShouldBe(invocation.Channel.Team);
    }

    [Fact]
    public void SameGridPerson_FromEitherWorkspace_IsOnePerson()
    {
        var fromOne = SlackPayloadMapper.ReadSlashCommand(
            new Dictionary<string, string> { ["team_id"] = "T0ONE", ["enterprise_id"] = "E0GRID", ["channel_id"] = "C0SHARED", ["user_id"] = "W0ANN", ["command"] = "/drill", ["text"] = "streak" },
            out _)!;
        var fromTwo = SlackPayloadMapper.ReadSlashCommand(
            new Dictionary<string, string> { ["team_id"] = "T0TWO", ["enterprise_id"] = "E0GRID", ["channel_id"] = "C0OTHER", ["user_id"] = "W0ANN", ["command"] = "/drill", ["text"] = "streak" },
            out _)!;

        var one = SlackPayloadMapper.ToInvocation(fromOne, null, []);
        var two = SlackPayloadMapper.ToInvocation(fromTwo, null, []);

        one.Channel.Team.ShouldBe(new TeamKey(ChatPlatform.Slack, "E0GRID"));
        two.Channel.Team.ShouldBe(one.Channel.Team);
        two.Caller.Id.ShouldBe(one.Caller.Id);
    }

    [Theory]
    [InlineData("E0GRID", "T0ONE", "E0GRID")]
    [InlineData("", "T0ONE", "T0ONE")]
    [InlineData(null, "T0ONE", "T0ONE")]
    [InlineData("E0GRID", null, "E0GRID")]
    [InlineData(null, null, null)]
    public void TeamKey_IsTheGridOrgWhenThereIsOne_ElseTheWorkspace(string? enterpriseId, string? teamId, string? expected) =>
        SlackPayloadMapper.TeamKey(enterpriseId, teamId).ShouldBe(expected);

    [Fact]
    public void BlockActions_OrgWideInstallWithoutTeam_UsesTheEnterprise()
    {
        using var doc = JsonDocument.Parse("""
            {"type":"block_actions","user":{"id":"W0BOB","team_id":"T0TWO"},"team":null,"enterprise":{"id":"E0GRID"},
             "is_enterprise_install":true,"channel":{"id":"C0SHARED"},"container":{"message_ts":"1.2"},
             "actions":[{"action_id":"done:1","type":"button"}]}
            """);
        var action = SlackPayloadMapper.ReadBlockActions(doc.RootElement, out _).ShouldHaveSingleItem();
        action.TeamId.ShouldBe("E0GRID");
    }

    [Fact]
    public void BlockActions_EphemeralContainer_IsMarkedSoItIsNotUpdated()
    {
        var action = SlackPayloadMapper.ReadBlockActions(Load("block_actions_ephemeral.json"), out _).ShouldHaveSingleItem();
        action.IsEphemeral.ShouldBeTrue();
        action.ActionId.ShouldBe("a");
    }

    [Fact]
    public void Interactive_OtherTypes_AreDroppedWithAReason()
    {
        SlackPayloadMapper.ReadBlockActions(Load("shortcut.json"), out var problem).ShouldBeEmpty();
        problem.ShouldNotBeNull().ShouldContain("shortcut");
    }

    [Fact]
    public void ChatUser_WithoutUsersInfo_FallsBackToPayloadName()
    {
        SlackPayloadMapper.ToChatUser("U9", "nine", null, []).ShouldBe(new ChatUser("U9", "nine", null, false));
    }
}
