namespace ChatBot.Core.Streaks;

/// <summary>Consecutive away days, <paramref name="First"/> to <paramref name="Last"/> inclusive (the person's local dates).</summary>
public sealed record AwayPeriod(DateOnly First, DateOnly Last)
{
    /// <summary>The number of days in the period (at least 1).</summary>
    public int Days => Last.DayNumber - First.DayNumber + 1;
}
