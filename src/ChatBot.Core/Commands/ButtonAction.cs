using System.Globalization;

namespace ChatBot.Core.Commands;

/// <summary>
/// The stable action ids on our buttons (at most a few dozen characters, within every platform's limit).
/// </summary>
public static class ButtonAction
{
    private const string DonePrefix = "done:";

    public static string Done(long breakId) => DonePrefix + breakId.ToString(CultureInfo.InvariantCulture);

    public static bool TryParseDone(string? actionId, out long breakId)
    {
        breakId = 0;
        return actionId is not null
            && actionId.StartsWith(DonePrefix, StringComparison.Ordinal)
            && long.TryParse(actionId.AsSpan(DonePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out breakId)
            && breakId > 0;
    }
}
