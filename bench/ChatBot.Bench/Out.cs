namespace ChatBot.Bench;

internal static class Out
{
    /// <summary>Writes a line with invariant formatting, so figures read the same on every machine.</summary>
    public static void Line(FormattableString text) => Console.WriteLine(FormattableString.Invariant(text));
}
