using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

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
    public void A_value_whose_converter_writes_JSON_with_it_too_does_not_write_over_the_outer_body()
    {
        var node = new JsonObject
        {
            ["before"] = new string('b', 300),
            ["nested"] = JsonValue.Create(new Nested("Grüße")),
            ["after"] = "a",
        };

        Utf8Json.Serialize(node).ShouldBe(Encoding.UTF8.GetBytes(node.ToJsonString()));
        Encoding.UTF8.GetString(Utf8Json.Serialize(node)).ShouldEndWith("""
            "nested":{"inner":"Gr\u00FC\u00DFe"},"after":"a"}
            """);
    }

    [Fact]
    public async Task The_content_is_the_bytes_as_UTF_8_JSON()
    {
        var bytes = Utf8Json.Serialize(Message("x"));

        using var content = Utf8Json.Content(bytes);

        content.Headers.ContentType!.ToString().ShouldBe("application/json; charset=utf-8");
        (await content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).ShouldBe(bytes);
    }

    [JsonConverter(typeof(NestedConverter))]
    private sealed record Nested(string Text);

    /// <summary>Writes its value through <see cref="Utf8Json"/>, as a converter of a value in a node might.</summary>
    private sealed class NestedConverter : JsonConverter<Nested>
    {
        public override Nested Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, Nested value, JsonSerializerOptions options) =>
            writer.WriteRawValue(Utf8Json.Serialize(new JsonObject { ["inner"] = value.Text }));
    }
}
