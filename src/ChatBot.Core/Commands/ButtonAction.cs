using System.Globalization;

namespace ChatBot.Core.Commands;

/// <summary>
/// The stable action ids on our buttons (at most a few dozen characters, within every platform's limit).
/// </summary>
public static class ButtonAction
{
    private const string DonePrefix = "done:";

    public static string Done(long breakId) => DonePrefix + breakId.ToString(CultureInfo.InvariantCulture);

    public static bool TryParseDone(string? actionId, out long breakId) => TryParse(actionId, DonePrefix, out breakId);

    private const string SnoozePrefix = "snooze:";
    private const string SnoozeDonePrefix = "snooze-done:";
    private const string ReminderStartPrefix = "remind-start:";
    private const string ReminderDonePrefix = "remind-done:";

    /// <summary>"Remind me in 10 min" on a break's prompt.</summary>
    public static string Snooze(long breakId) => SnoozePrefix + breakId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The Done button of a snooze reminder DM: counts for the break it reminds of.</summary>
    public static string SnoozeDone(long breakId) => SnoozeDonePrefix + breakId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The Start button of a daily reminder DM (<paramref name="reminderId"/>: the sent reminder's row).</summary>
    public static string ReminderStart(long reminderId) => ReminderStartPrefix + reminderId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The Done button of a daily reminder DM.</summary>
    public static string ReminderDone(long reminderId) => ReminderDonePrefix + reminderId.ToString(CultureInfo.InvariantCulture);

    public static bool TryParseSnooze(string? actionId, out long breakId) => TryParse(actionId, SnoozePrefix, out breakId);

    public static bool TryParseSnoozeDone(string? actionId, out long breakId) => TryParse(actionId, SnoozeDonePrefix, out breakId);

    public static bool TryParseReminderStart(string? actionId, out long reminderId) => TryParse(actionId, ReminderStartPrefix, out reminderId);

    public static bool TryParseReminderDone(string? actionId, out long reminderId) => TryParse(actionId, ReminderDonePrefix, out reminderId);

    /// <summary>The word the console chat offers for a button: <c>snooze</c> for the snooze button, else its label.</summary>
    public static string ConsoleWord(Messages.MessageButton button) =>
        button.ActionId.StartsWith(SnoozePrefix, StringComparison.Ordinal) ? "snooze" : button.Label.ToLowerInvariant();

    private static bool TryParse(string? actionId, string prefix, out long id)
    {
        id = 0;
        return actionId is not null
            && actionId.StartsWith(prefix, StringComparison.Ordinal)
            && long.TryParse(actionId.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out id)
            && id > 0;
    }
}
