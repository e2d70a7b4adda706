using ChatBot.Core.Digests;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBot.Digest;

public static class DigestServiceCollectionExtensions
{
    /// <summary>The digest's chart (<see cref="ScottPlotDigestChart"/>); without it digests are text only.</summary>
    public static IServiceCollection AddChatBotDigestChart(this IServiceCollection services) =>
        services.AddSingleton<IDigestChart, ScottPlotDigestChart>();
}
