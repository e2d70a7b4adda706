namespace ChatBot.Scheduling;

/// <summary>Hangfire's SQLite job file this bot uses (full path): <c>Scheduling:JobStoragePath</c>, or hangfire.db beside the bot's database.</summary>
internal sealed record SqliteJobFile(string Path)
{
    /// <summary>
    /// True if the file doesn't exist, is empty, or starts with the SQLite header "SQLite format 3\0"
    /// (sqlite.org/fileformat.html, "The Database Header"). A file that can't be read is left to the storage to report.
    /// </summary>
    public bool IsSqliteOrNone()
    {
        try
        {
            using var file = File.OpenRead(Path);
            Span<byte> start = stackalloc byte[16];
            var read = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            return read == 0 || (read == start.Length && start.SequenceEqual("SQLite format 3\0"u8));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
