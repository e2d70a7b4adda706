using ChatBot.Core.Digests;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBot.Digest;

public static class DigestServiceCollectionExtensions
{
    /// <summary>The digest's chart (<see cref="ScottPlotDigestChart"/>); without it digests are text only.</summary>
    public static IServiceCollection AddChatBotDigestChart(this IServiceCollection services) =>
        // A factory, so ScottPlot and SkiaSharp load with the first digest, not as the bot starts (~2 MB resident).
        services.AddSingleton<IDigestChart>(static _ => CreateChart());

    private static ScottPlotDigestChart CreateChart() => new();
}
