using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatBot.Core;

/// <summary>
/// A <see cref="JsonNode"/> as UTF-8 JSON bytes, for a request body or a WebSocket frame: the bytes
/// <see cref="JsonNode.ToJsonString"/> would give once encoded, without the UTF-16 string between (that string and
/// its encoding were three times the body's size in allocations, on every call).
/// </summary>
public static class Utf8Json
{
    /// <summary>A thread keeps its scratch buffer up to this size (bytes); a larger one is dropped after use.</summary>
    private const int KeptScratchBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _scratch;

    /// <summary>
    /// Writes <paramref name="node"/> with the default writer options (compact, the default escaping) into a
    /// per-thread scratch buffer.
    /// </summary>
    /// <returns>A new array of exactly the bytes written.</returns>
    /// <exception cref="InvalidOperationException">The node nests deeper than the writer allows (64).</exception>
    /// <exception cref="NotSupportedException">A value in the node has no JSON converter.</exception>
    public static byte[] Serialize(JsonNode node)
    {
        var scratch = _scratch ?? new ArrayBufferWriter<byte>(4096);
        _scratch = null; // not shared while in use, should a value's converter serialize on this thread too
        try
        {
            using (var writer = new Utf8JsonWriter(scratch))
            {
                node.WriteTo(writer);
            }

            return scratch.WrittenSpan.ToArray();
        }
        finally
        {
            if (scratch.Capacity <= KeptScratchBytes)
            {
                scratch.ResetWrittenCount();
                _scratch = scratch;
            }
        }
    }

    /// <summary>
    /// An HTTP body of UTF-8 JSON bytes (from <see cref="Serialize"/>) with <c>Content-Type: application/json;
    /// charset=utf-8</c> (Slack warns <c>missing_charset</c> without the charset). A new content per attempt: a
    /// sent content is not sent again; the bytes are shared.
    /// </summary>
    public static ByteArrayContent Content(byte[] json)
    {
        var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}
