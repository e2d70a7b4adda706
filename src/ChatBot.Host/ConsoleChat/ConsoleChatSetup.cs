using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Host.ConsoleChat;

internal static class ConsoleChatSetup
{
    /// <summary>
    /// The local console chat: the user types <c>/drill …</c> lines on <paramref name="input"/> in channel
    /// #console, the bot answers on <paramref name="output"/>. Logs go to stderr so the chat stays readable.
    /// </summary>
    public static IHostApplicationBuilder AddConsoleChat(this IHostApplicationBuilder builder, TextReader input, TextWriter output)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter((string?)null, LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        builder.Services.AddSingleton(sp =>
        {
            // Beside the SQLite database (data/digests/ by default); with PostgreSQL nothing goes under data/, so the
            // charts the console shows go to the temp directory.
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var directory = storage.Provider == StorageProvider.Postgres
                ? Path.Combine(Path.GetTempPath(), "chatbot-digests")
                : Path.Combine(Path.GetDirectoryName(storage.FullPath)!, "digests");
            return new ConsoleTranscript(input, output) { FileDirectory = directory };
        });
        builder.Services.AddSingleton<ConsolePlatform>();
        builder.Services.AddKeyedSingleton<IChatPlatform>(ChatPlatform.Console, (sp, _) => sp.GetRequiredService<ConsolePlatform>());
        builder.Services.AddHostedService<ConsoleChatHostedService>();
        return builder;
    }
}
