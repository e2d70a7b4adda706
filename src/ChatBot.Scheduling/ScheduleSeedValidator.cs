using ChatBot.Core;
using ChatBot.Core.Schedules;
using Microsoft.Extensions.Options;

namespace ChatBot.Scheduling;

/// <summary>Stops the host at start when a configured schedule is wrong, naming the key.</summary>
internal sealed class ScheduleSeedValidator : IValidateOptions<ScheduleSeedOptions>
{
    public ValidateOptionsResult Validate(string? name, ScheduleSeedOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Schedules.Count; i++)
        {
            var seed = options.Schedules[i];
            var key = $"Breaks:Schedules:{i}";
            if (!Enum.TryParse<ChatPlatform>(seed.Platform, ignoreCase: true, out _))
            {
                failures.Add($"{key}:Platform must be one of Slack, Discord, Console (was '{seed.Platform}').");
            }

            if (string.IsNullOrWhiteSpace(seed.TeamId))
            {
                failures.Add($"{key}:TeamId is required (Slack team id, Discord guild id, or 'console').");
            }

            if (string.IsNullOrWhiteSpace(seed.ChannelId))
            {
                failures.Add($"{key}:ChannelId is required.");
            }

            if (seed.Times.Count == 0)
            {
                failures.Add($"{key}:Times needs at least one time, HH:MM.");
            }
            else if (seed.Times.Count > ScheduleCommandHandler.MaxSlotsPerChannel)
            {
                failures.Add($"{key}:Times may hold at most {ScheduleCommandHandler.MaxSlotsPerChannel} times.");
            }

            for (var t = 0; t < seed.Times.Count; t++)
            {
                if (!SlotTime.TryParse(seed.Times[t], out _))
                {
                    failures.Add($"{key}:Times:{t} must be a 24-hour time HH:MM (was '{seed.Times[t]}').");
                }
            }

            if (!ScheduleDaysFormat.TryParse(seed.Days, out _))
            {
                failures.Add($"{key}:Days must be weekdays, daily, weekends, a range like mon-fri or a list like mon,wed,fri (was '{seed.Days}').");
            }

            if (!string.IsNullOrWhiteSpace(seed.TimeZone) && !TimeZones.TryFind(seed.TimeZone, out _))
            {
                failures.Add($"{key}:TimeZone must be an IANA time zone like Europe/Berlin (was '{seed.TimeZone}').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
