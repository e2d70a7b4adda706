using System.Reflection;
using ChatBot.Core;
using ChatBot.Discord;
using ChatBot.Scheduling;
using ChatBot.ServiceDefaults;
using ChatBot.Slack;
using Microsoft.Extensions.Logging;

namespace ChatBot.Host.Tests;

/// <summary>
/// Log EventIds identify a line across the whole bot: each project logs from its own range (Slack 1000–1999,
/// Discord 2000–2999, Core and Scheduling 3000–3999, the ops listener 4000–4999, the host 5000–5999) and no id is used twice.
/// </summary>
public sealed class EventIdTests
{
    [Fact]
    public void Each_project_logs_with_event_ids_of_its_own_range_and_no_id_is_used_twice()
    {
        var ranges = new (Assembly Assembly, int From, int To)[]
        {
            (typeof(SlackPlatform).Assembly, 1000, 1999),
            (typeof(DiscordPlatform).Assembly, 2000, 2999),
            (typeof(SchedulingOptions).Assembly, 3000, 3999),
            (typeof(OpsOptions).Assembly, 4000, 4999),
            (typeof(ChatBotHost).Assembly, 5000, 5999),
        };
        var seen = new Dictionary<int, string>();
        foreach (var assembly in ranges.Select(r => r.Assembly).Append(typeof(ChatPlatform).Assembly).Append(typeof(ChatBot.Data.StorageOptions).Assembly))
        {
            var range = ranges.FirstOrDefault(r => r.Assembly == assembly);
            foreach (var (id, where) in ExplicitEventIds(assembly))
            {
                if (range.Assembly is not null)
                {
                    id.ShouldBeInRange(range.From, range.To, where);
                }

                seen.TryAdd(id, where).ShouldBeTrue($"EventId {id} of {where} is used by {seen.GetValueOrDefault(id)} too");
            }
        }

        seen.Count.ShouldBeGreaterThan(80);
    }

    private static IEnumerable<(int Id, string Where)> ExplicitEventIds(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null && attribute.EventId >= 0
        select (attribute.EventId, type.Name + "." + method.Name);
}
