using ChatBot.Core.Streaks;

namespace ChatBot.Core.Commands;

/// <summary>What a line of <c>/drill …</c> text means. Parsing never throws; junk becomes <see cref="Invalid"/>.</summary>
public abstract record ParsedCommand
{
    private protected ParsedCommand()
    {
    }

    public sealed record Help : ParsedCommand;

    public sealed record List : ParsedCommand;

    public sealed record StartDrill(string DrillId) : ParsedCommand;

    public sealed record Now : ParsedCommand;

    public sealed record Done : ParsedCommand;

    public sealed record Streak : ParsedCommand;

    public sealed record Leaderboard(LeaderboardPeriod Period) : ParsedCommand;

    /// <summary><c>/drill stats [week|month]</c>: the channel's digest for the period.</summary>
    public sealed record Stats(Digests.DigestPeriodKind Period) : ParsedCommand;

    /// <summary><c>/drill tz</c> with a zone to set, or none to show the current one.</summary>
    public sealed record TimeZone(string? ZoneId) : ParsedCommand;

    public sealed record Schedule(IReadOnlyList<string> Arguments) : ParsedCommand;

    /// <summary>
    /// <c>/drill away</c>: with nothing set, show the away periods; else the next <see cref="Days"/> days from today
    /// (1 to 60), every day up to <see cref="Until"/> (inclusive; checked against today by the handler), or
    /// <see cref="Off"/>: back from today on.
    /// </summary>
    public sealed record Away(int? Days = null, DateOnly? Until = null, bool Off = false) : ParsedCommand;

    /// <summary>
    /// <c>/drill remind</c>: with nothing set, show the setting; else a daily reminder at <see cref="At"/> (the
    /// person's local time), or <see cref="Off"/>: no more reminders.
    /// </summary>
    public sealed record Remind(TimeOnly? At = null, bool Off = false) : ParsedCommand;

    /// <summary>Input that means nothing: <see cref="Message"/> says what was wrong and what is valid.</summary>
    public sealed record Invalid(string Message) : ParsedCommand;
}
