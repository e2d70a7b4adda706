using System.Security.Cryptography;
using System.Text;
using ChatBot.Core;
using ChatBot.Core.Schedules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>
/// At start: seeds <c>Breaks:Schedules</c> into the bot's database (each entry once per version of it), then
/// mirrors every stored schedule into Hangfire recurring jobs.
/// </summary>
internal sealed partial class ScheduleStartupService(
    IServiceScopeFactory scopes,
    ScheduleRegistrar registrar,
    IOptions<ScheduleSeedOptions> seeds,
    ILogger<ScheduleStartupService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<IScheduleStore>();
            foreach (var seed in seeds.Value.Schedules)
            {
                var channel = new ChannelKey(Enum.Parse<ChatPlatform>(seed.Platform, ignoreCase: true), seed.TeamId.Trim(), seed.ChannelId.Trim());
                if (!ScheduleDaysFormat.TryParse(seed.Days, out var days))
                {
                    throw new InvalidOperationException($"Bad days '{seed.Days}' in Breaks:Schedules.");
                }

                var slots = seed.Times
                    .Select(t => SlotTime.TryParse(t, out var time) ? time : throw new InvalidOperationException($"Bad time '{t}' in Breaks:Schedules."))
                    .Distinct()
                    .Order()
                    .Select(time => new ScheduleSlot(channel, time, days))
                    .ToList();
                string? zone = null;
                if (!string.IsNullOrWhiteSpace(seed.TimeZone) && TimeZones.TryFind(seed.TimeZone, out var found))
                {
                    zone = found.Id;
                }

                if (await store.ApplySeedAsync(channel, zone, slots, Fingerprint(channel, zone, slots), cancellationToken))
                {
                    LogSeeded(logger, channel, string.Join(", ", slots.Select(s => s.ToString())), zone ?? "(default)");
                }
            }
        }

        await registrar.SyncAllAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static string Fingerprint(ChannelKey channel, string? zone, IEnumerable<ScheduleSlot> slots)
    {
        var text = $"{channel}|{zone}|{string.Join(';', slots.Select(s => s.ToString()))}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    [LoggerMessage(EventId = 3210, Level = LogLevel.Information, Message = "Applied the configured schedule of {Channel}: {Slots} in {Zone}")]
    private static partial void LogSeeded(ILogger logger, ChannelKey channel, string slots, string zone);
}
