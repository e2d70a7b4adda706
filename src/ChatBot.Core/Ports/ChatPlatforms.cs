using Microsoft.Extensions.DependencyInjection;

namespace ChatBot.Core.Ports;

/// <summary>Finds the adapter registered for a platform (keyed <see cref="IChatPlatform"/>).</summary>
public sealed class ChatPlatforms(IServiceProvider services)
{
    public IChatPlatform Get(ChatPlatform platform) =>
        services.GetKeyedService<IChatPlatform>(platform)
        ?? throw new ChatPlatformException($"No {platform} adapter is configured, so the bot cannot post there.", isPermanent: true);
}
