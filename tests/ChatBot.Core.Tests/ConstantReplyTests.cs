using ChatBot.Core.Commands;

namespace ChatBot.Core.Tests;

/// <summary>
/// Help and the drill list depend only on the catalogue: the router answers them with the same instance every
/// time, marked constant so renderers keep their rendering; replies that depend on the input are never marked.
/// </summary>
public sealed class ConstantReplyTests
{
    private static readonly ChannelKey Channel = new(ChatPlatform.Slack, "T1", "C1");

    [Theory]
    [InlineData("list")]
    [InlineData("help")]
    [InlineData("")]
    public async Task Help_and_list_come_back_as_one_constant_instance(string text)
    {
        var router = Router();

        var first = await router.HandleAsync(new CommandInvocation(Channel, new ChatUser("U1", "Ann", null), text), TestContext.Current.CancellationToken);
        var second = await router.HandleAsync(new CommandInvocation(Channel, new ChatUser("U2", "Bo", "Pacific/Kiritimati"), text), TestContext.Current.CancellationToken);

        second.ShouldBeSameAs(first);
        first.Message.IsConstant.ShouldBeTrue();
    }

    [Fact]
    public async Task A_reply_that_echoes_the_input_is_not_constant()
    {
        var reply = await Router().HandleAsync(new CommandInvocation(Channel, new ChatUser("U1", "Ann", null), "frobnicate"), TestContext.Current.CancellationToken);

        reply.Message.Text.ShouldContain("frobnicate");
        reply.Message.IsConstant.ShouldBeFalse();
    }

    private static CommandRouter Router() =>
        new(new CommandParser(TestCatalog.Shipped), TestCatalog.Shipped, null!, null!, null!, null!, null!, null!, new ChatBot.Testing.NoDirectMessages(), null!, null!, null!);
}
