using System.Runtime.InteropServices;

namespace ChatBot.Host.Tests;

/// <summary>When the host warns that the published build's precompiled code can't be used on this CPU.</summary>
public sealed class PrecompiledImageTests
{
    [Fact]
    public void An_x64_image_on_a_cpu_without_x86_64_v3_is_reported_unusable()
    {
        PrecompiledImage.Unusable(Architecture.X64, imagePresent: true, cpuHasX86_64V3: false).ShouldBeTrue();
    }

    [Theory]
    [InlineData(Architecture.X64, true, true)] // the CPU has AVX2 and the rest
    [InlineData(Architecture.X64, false, false)] // dotnet run: no image to refuse
    [InlineData(Architecture.Arm64, true, false)] // an arm64 image has no x64 instruction sets
    public void Nothing_is_reported_when_the_image_is_usable_or_absent(Architecture architecture, bool imagePresent, bool cpuHasX86_64V3)
    {
        PrecompiledImage.Unusable(architecture, imagePresent, cpuHasX86_64V3).ShouldBeFalse();
    }
}
