using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.Extensions.Logging;

namespace ChatBot.Host;

/// <summary>
/// The published build's precompiled code (<c>ChatBot.r2r.dll</c>, one composite ReadyToRun image: CompositeImage.targets).
/// On x64 it is compiled for x86-64-v3 (AVX2, BMI1/2, FMA, LZCNT, MOVBE: Intel Core since 2013, AMD since 2015, not
/// the low-power Atom, Celeron and Pentium chips before about 2021), so that the vectorised library code it holds is
/// used as is; compiled for the default baseline, that code is refused on a CPU with AVX2 and compiled again at run
/// time. On a CPU without those instructions the runtime refuses the whole image: the bot works the same, but every
/// method is compiled as it is first called (a console start took 2.0 s instead of 0.5 s with
/// <c>DOTNET_EnableAVX2=0</c>), and the host says so once at start.
/// </summary>
internal static partial class PrecompiledImage
{
    /// <summary>The composite image's file name, beside the executable in a published build.</summary>
    public const string FileName = "ChatBot.r2r.dll";

    /// <summary>
    /// Logs a warning when this process has the x64 image but the CPU lacks an instruction set it was compiled for;
    /// nothing otherwise (other architectures, <c>dotnet run</c>, a CPU that has them).
    /// </summary>
    public static void WarnIfUnusable(ILogger logger)
    {
        if (Unusable(RuntimeInformation.ProcessArchitecture, File.Exists(Path.Combine(AppContext.BaseDirectory, FileName)), CpuHasX86_64V3()))
        {
            LogUnusable(logger);
        }
    }

    /// <summary>Whether the image is present but can't be used: an x64 process with the image on a CPU without x86-64-v3.</summary>
    internal static bool Unusable(Architecture architecture, bool imagePresent, bool cpuHasX86_64V3) =>
        architecture == Architecture.X64 && imagePresent && !cpuHasX86_64V3;

    // MOVBE has no IsSupported check in System.Runtime.Intrinsics; Intel and AMD brought it with or before AVX2.
    private static bool CpuHasX86_64V3() =>
        Avx2.IsSupported && Bmi1.IsSupported && Bmi2.IsSupported && Fma.IsSupported && Lzcnt.IsSupported;

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "This CPU lacks AVX2 (x86-64-v3), which the published build's precompiled code needs: the bot works the same, but starts slower (every method is compiled as it is first called)")]
    private static partial void LogUnusable(ILogger logger);
}
