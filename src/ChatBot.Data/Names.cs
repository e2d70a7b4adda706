using ChatBot.Core;

namespace ChatBot.Data;

/// <summary>How a platform is written in the database ("slack", "discord", "console").</summary>
internal static class Names
{
    public static string Of(ChatPlatform platform) => platform switch
    {
        ChatPlatform.Console => "console",
        ChatPlatform.Slack => "slack",
        ChatPlatform.Discord => "discord",
        _ => throw new ArgumentOutOfRangeException(nameof(platform), platform, "Unknown platform."),
    };

    public static ChatPlatform Platform(string name) => name switch
    {
        "console" => ChatPlatform.Console,
        "slack" => ChatPlatform.Slack,
        "discord" => ChatPlatform.Discord,
        _ => throw new InvalidDataException($"Unknown platform '{name}' in the database."),
    };
}
