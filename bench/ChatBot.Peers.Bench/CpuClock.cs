using System.Runtime.InteropServices;

namespace ChatBot.Peers.Bench;

/// <summary>Another process's CPU-time clock (Linux, POSIX <c>clock_getcpuclockid</c>): its CPU time in ns.</summary>
internal static partial class CpuClock
{
    /// <summary>Reads the CPU time of process <paramref name="pid"/> in seconds; false where the clock is not available.</summary>
    public static bool TryRead(int pid, out double seconds)
    {
        seconds = 0;
        if (!OperatingSystem.IsLinux() || clock_getcpuclockid(pid, out var clock) != 0 || clock_gettime(clock, out var time) != 0)
        {
            return false;
        }

        seconds = time.Seconds + (time.Nanoseconds / 1e9);
        return true;
    }

    [LibraryImport("libc")]
    private static partial int clock_getcpuclockid(int pid, out int clockId);

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clockId, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
