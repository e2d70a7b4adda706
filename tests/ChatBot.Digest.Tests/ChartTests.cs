using ChatBot.Core.Digests;
using SkiaSharp;

namespace ChatBot.Digest.Tests;

public sealed class ChartTests
{
    private readonly ScottPlotDigestChart chart = new();

    [Fact]
    public void Png_DecodesAt1200By600()
    {
        var png = chart.RenderPng(Samples.Week());

        using var bitmap = SKBitmap.Decode(png);
        bitmap.ShouldNotBeNull("the bytes are not a PNG Skia can read");
        bitmap.Width.ShouldBe(1200);
        bitmap.Height.ShouldBe(600);
        png[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
    }

    [Fact]
    public void SameData_SameBytes_OtherData_OtherBytes()
    {
        var first = chart.RenderPng(Samples.Week());
        var second = new ScottPlotDigestChart().RenderPng(Samples.Week());
        var other = chart.RenderPng(Samples.Week(extraRotationOnWednesday: 3));

        second.ShouldBe(first);
        other.ShouldNotBe(first);
    }

    [Fact]
    public void Month_DrawsEveryDay()
    {
        var png = chart.RenderPng(Samples.Month());

        using var bitmap = SKBitmap.Decode(png);
        bitmap.Width.ShouldBe(1200);
        bitmap.Height.ShouldBe(600);
    }

    [Fact]
    public void Bars_UseTheOkabeItoColours()
    {
        using var bitmap = SKBitmap.Decode(chart.RenderPng(Samples.Week()));
        var colours = new HashSet<SKColor>();
        for (var x = 0; x < bitmap.Width; x += 2)
        {
            for (var y = 0; y < bitmap.Height; y += 2)
            {
                colours.Add(bitmap.GetPixel(x, y));
            }
        }

        colours.ShouldContain(SKColor.Parse("#0072B2"), "extension bars");
        colours.ShouldContain(SKColor.Parse("#E69F00"), "rotation bars");
        colours.ShouldContain(SKColor.Parse("#009E73"), "flexion bars");
    }
}
