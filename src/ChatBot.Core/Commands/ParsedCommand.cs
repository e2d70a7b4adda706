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

    /// <summary>Input that means nothing: <see cref="Message"/> says what was wrong and what is valid.</summary>
    public sealed record Invalid(string Message) : ParsedCommand;
}
