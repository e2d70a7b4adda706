using System.Globalization;
using System.Text;
using ChatBot.Core.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBot.Data;

/// <summary>
/// One process per database file: an exclusive lock on <c>&lt;Storage:Path&gt;.lock</c>, taken at start (before
/// anything connects or runs jobs) and held until the process exits. The lock file holds the owner's process
/// id, so a second process can say which one it is. The OS drops the lock when its owner dies in any way
/// (SIGKILL, OOM kill), so a crash never blocks a restart; a stale file with a dead pid is simply re-locked.
/// Only the embedded SQLite setup takes it: a server database is where several instances belong.
/// </summary>
public sealed class SqliteFileLock : IDisposable
{
    // The locked byte lies past the pid text: a POSIX record lock (fcntl) on Unix, LockFileEx on Windows.
    // Either way the waiting process can still read the pid, and on Unix the lock is independent of the
    // flock that .NET's FileShare takes, so opening the file with FileShare.ReadWrite never conflicts.
    private const long LockedByte = int.MaxValue;

    private readonly Lock _gate = new();
    private FileStream? _stream;

    public SqliteFileLock(IOptions<StorageOptions> storage)
    {
        DatabasePath = storage.Value.FullPath;
        LockPath = DatabasePath + ".lock";
    }

    /// <summary>The bot's database file (full path).</summary>
    public string DatabasePath { get; }

    /// <summary>The lock file beside it: <c>&lt;database&gt;.lock</c>.</summary>
    public string LockPath { get; }

    /// <summary>
    /// Creates the database's directory if needed and takes the lock; does nothing if this instance holds it.
    /// </summary>
    /// <exception cref="ConfigurationException">
    /// Key <c>Storage:Path</c>: the directory can't be created, the lock file can't be opened, or another
    /// process holds the lock (the message names that process's id when the lock file tells it).
    /// </exception>
    public void Acquire()
    {
        lock (_gate)
        {
            if (_stream is not null)
            {
                return;
            }

            // macOS has no FileStream.Lock: there FileShare.None (an flock) is the lock, and the pid can't be read.
            var viaShareMode = OperatingSystem.IsMacOS();
            FileStream stream;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
                stream = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, viaShareMode ? FileShare.None : FileShare.ReadWrite | FileShare.Delete);
            }
            catch (IOException exception) when (viaShareMode && File.Exists(LockPath))
            {
                throw InUse(string.Empty, exception);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException(
                    "Storage:Path",
                    $"Storage:Path '{DatabasePath}' is not usable: {exception.Message} Set Storage:Path to a file in a directory the bot may create and write.",
                    exception);
            }

            if (!OperatingSystem.IsMacOS())
            {
                try
                {
                    stream.Lock(LockedByte, 1);
                }
                catch (IOException exception)
                {
                    var owner = ReadOwner(stream);
                    stream.Dispose();
                    throw InUse(owner, exception);
                }
            }

            var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            stream.SetLength(0);
            stream.Write(pid);
            stream.Flush(flushToDisk: true);
            _stream = stream;
        }
    }

    /// <summary>Releases the lock (the OS also does when the process ends).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }

    private ConfigurationException InUse(string owner, Exception exception) => new(
        "Storage:Path",
        $"Storage:Path '{DatabasePath}' is in use by another ChatBot process{owner} (lock file {LockPath}). Stop that one first, or give this one its own Storage:Path.",
        exception);

    private static string ReadOwner(FileStream stream)
    {
        try
        {
            stream.Position = 0;
            var buffer = new byte[32];
            var read = stream.Read(buffer);
            var text = Encoding.ASCII.GetString(buffer, 0, read).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? $" (pid {pid})" : string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
