using System.Text.Json.Nodes;

namespace ChatBot.Slack;

/// <summary>A rendered Slack message: the plain <c>text</c> fallback (notifications, screen readers) and Block Kit blocks.</summary>
public sealed record SlackMessage(string Text, JsonArray Blocks)
{
    /// <summary>Writes <c>text</c> and <c>blocks</c> into a Web API or response payload (blocks are deep-copied).</summary>
    public JsonObject WriteTo(JsonObject target)
    {
        target["text"] = Text;
        if (Blocks.Count > 0)
        {
            target["blocks"] = Blocks.DeepClone();
        }

        return target;
    }
}
