using ChatBot.Core.Drills;

namespace ChatBot.Core.Tests;

internal static class TestCatalog
{
    /// <summary>The catalogue the bot ships (config/drills.json), loaded as the host loads it.</summary>
    public static DrillCatalog Shipped { get; } =
        DrillCatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "config", "drills.json"));
}
