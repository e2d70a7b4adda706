using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBot.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>The stores behind Core's ports on the embedded SQLite database at <c>Storage:Path</c>.</summary>
    public static IServiceCollection AddChatBotData(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<IBreakStore, SqliteBreakStore>();
        services.AddSingleton<ICompletionStore, SqliteCompletionStore>();
        services.AddSingleton<IAwayStore, SqliteAwayStore>();
        services.AddSingleton<SqliteUserStore>();
        services.AddSingleton<IUserStore>(sp => sp.GetRequiredService<SqliteUserStore>());
        services.AddSingleton<IChannelStore>(sp => sp.GetRequiredService<SqliteUserStore>());
        services.AddSingleton<IScheduleStore, SqliteScheduleStore>();
        services.AddHostedService<DatabaseInitializer>();
        return services;
    }

    /// <summary>Creates or migrates the schema as the host starts, so a bad file stops the bot before it connects anywhere.</summary>
    private sealed class DatabaseInitializer(SqliteDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => database.EnsureInitializedAsync();

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
