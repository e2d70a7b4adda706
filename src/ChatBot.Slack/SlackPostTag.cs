using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatBot.Slack;

/// <summary>
/// Which break step a Slack post is, sent as message <c>metadata</c> (<c>event_type</c> <see cref="EventType"/>,
/// <c>event_payload</c> <c>{"break_id": n, "step": n}</c>) so the post can be found again when its outcome is
/// unknown. Slack returns metadata from <c>conversations.history</c>/<c>.replies</c> with <c>include_all_metadata=true</c>.
/// </summary>
/// <param name="NotBefore">The break's start (UTC): the post can't be older, so searches start a minute before it.</param>
public sealed record SlackPostTag(long BreakId, int Step, DateTimeOffset NotBefore)
{
    /// <summary>Our metadata event type (Slack: lowercase letters, digits and underscores).</summary>
    public const string EventType = "chatbot_break_step";

    public JsonObject ToMetadata() => new()
    {
        ["event_type"] = EventType,
        ["event_payload"] = new JsonObject { ["break_id"] = BreakId, ["step"] = Step },
    };

    /// <summary>Whether a message from the history carries this tag.</summary>
    public bool IsOn(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object
        && message.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("event_type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == EventType
        && metadata.TryGetProperty("event_payload", out var payload) && payload.ValueKind == JsonValueKind.Object
        && payload.TryGetProperty("break_id", out var breakId) && breakId.TryGetInt64(out var id) && id == BreakId
        && payload.TryGetProperty("step", out var step) && step.TryGetInt32(out var s) && s == Step;
}
