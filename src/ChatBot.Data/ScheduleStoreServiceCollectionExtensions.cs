using ChatBot.Core.Schedules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatBot.Data;

public static class ScheduleStoreServiceCollectionExtensions
{
    /// <summary>Channel schedules on the embedded database (needs <see cref="DataServiceCollectionExtensions.AddChatBotData"/>).</summary>
    public static IServiceCollection AddChatBotScheduleStore(this IServiceCollection services)
    {
        services.TryAddSingleton<IScheduleStore, SqliteScheduleStore>();
        return services;
    }
}
