using System.Text;
using System.Text.Json.Nodes;

namespace ChatBot.Core.Tests;

public class Utf8JsonTests
{
    private static JsonObject Message(string text) => new()
    {
        ["content"] = text,
        ["flags"] = 64,
        ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
        ["embeds"] = new JsonArray(new JsonObject { ["title"] = "Rücken <dehnen> & \"drehen\" 🧘", ["ok"] = true, ["none"] = null }),
    };

    [Theory]
    [InlineData("plain")]
    [InlineData("Grüße, 日本語 and an emoji 🙆")]
    [InlineData("<@U123> & 'quotes' \"double\" \\ back\\slash")]
    [InlineData("control \u0001 \t \n chars and a \u2028 line separator")]
    public void Gives_the_bytes_that_ToJsonString_would_encode(string text)
    {
        var node = Message(text);

        Utf8Json.Serialize(node).ShouldBe(Encoding.UTF8.GetBytes(node.ToJsonString()));
    }

    [Fact]
    public void A_body_larger_than_the_kept_scratch_is_whole_and_the_next_small_one_is_not_mixed_with_it()
    {
        var large = Message(new string('x', 200_000));
        var small = Message("after");

        Utf8Json.Serialize(large).ShouldBe(Encoding.UTF8.GetBytes(large.ToJsonString()));
        Utf8Json.Serialize(small).ShouldBe(Encoding.UTF8.GetBytes(small.ToJsonString()));
    }

    [Fact]
    public async Task Threads_writing_at_once_each_get_their_own_body()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
        {
            var node = Message("message " + i + new string('y', i * 100));
            return (Got: Utf8Json.Serialize(node), Expected: Encoding.UTF8.GetBytes(node.ToJsonString()));
        }, TestContext.Current.CancellationToken)));

        foreach (var (got, expected) in results)
        {
            got.ShouldBe(expected);
        }
    }
}
