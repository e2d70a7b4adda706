using System.Globalization;
using ChatBot.Core.Digests;
using ScottPlot;
using SkiaSharp;

namespace ChatBot.Digest;

/// <summary>
/// Draws a digest with ScottPlot 5: one stacked bar per day (breaks by what the drill trains), the number of
/// people each day as a line on the right axis, days off shaded and labelled, the channel and dates in the
/// title. Colours are the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies); the
/// only font is the embedded DejaVu Sans. Rendering is deterministic: the same report gives the same PNG bytes
/// on the same machine (same SkiaSharp native build).
/// </summary>
public sealed class ScottPlotDigestChart : IDigestChart
{
    // Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, reddish purple, sky blue.
    private static readonly Color[] StackColors =
    [
        Color.FromHex("#0072B2"),
        Color.FromHex("#E69F00"),
        Color.FromHex("#009E73"),
        Color.FromHex("#CC79A7"),
        Color.FromHex("#56B4E9"),
    ];

    /// <summary>
    /// Paeth filter, zlib level 3. Encoding was most of the chart's time: Skia's default (zlib level 6) took 55–80 ms
    /// for the bench's week chart, this ~10 ms, for a file ~4% larger (85 KiB instead of 82 KiB; measured with
    /// <c>bench/ChatBot.Bench -- --digest</c>). Still deterministic: same pixels, same bytes.
    /// </summary>
    private static readonly SKPngEncoderOptions PngOptions = new(SKPngEncoderFilterFlags.Paeth, 3);

    private static readonly Color PeopleColor = Color.FromHex("#000000");
    private static readonly Color DayOffShade = Color.FromHex("#000000").WithAlpha(0.07);

    public ScottPlotDigestChart()
    {
        EmbeddedFont.Register();
    }

    /// <summary>1200 px: readable at the size chat apps show images.</summary>
    public int Width => 1200;

    public int Height => 600;

    public byte[] RenderPng(DigestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var plot = new Plot();
        plot.Font.Set(EmbeddedFont.Family);
        var days = report.Current.Days;

        for (var i = 0; i < days.Count; i++)
        {
            if (!report.Workdays(days[i].Date))
            {
                var span = plot.Add.HorizontalSpan(i - 0.5, i + 0.5);
                span.FillStyle.Color = DayOffShade;
                span.LineStyle.Width = 0;
            }
        }

        var bars = new List<Bar>();
        foreach (var (day, i) in days.Select((d, i) => (d, i)))
        {
            double bottom = 0;
            foreach (var function in Enum.GetValues<DigestFunction>())
            {
                var count = day.Of(function);
                if (count == 0)
                {
                    continue;
                }

                bars.Add(new Bar
                {
                    Position = i,
                    ValueBase = bottom,
                    Value = bottom + count,
                    FillColor = StackColors[(int)function],
                    LineWidth = 0,
                    Size = 0.7,
                });
                bottom += count;
            }
        }

        plot.Add.Bars(bars);

        var people = plot.Add.Scatter(
            Enumerable.Range(0, days.Count).Select(i => (double)i).ToArray(),
            days.Select(d => (double)d.People).ToArray());
        people.Axes.YAxis = plot.Axes.Right;
        people.Color = PeopleColor;
        people.LineWidth = 3;
        people.MarkerSize = 9;
        people.MarkerShape = MarkerShape.FilledCircle;

        var legend = Enum.GetValues<DigestFunction>()
            .Where(f => days.Any(d => d.Of(f) > 0))
            .Select(f => new LegendItem { LabelText = DigestFunctions.Label(f), FillColor = StackColors[(int)f], LineWidth = 0 })
            .Append(new LegendItem { LabelText = "People that day (right axis)", LineColor = PeopleColor, LineWidth = 3, MarkerShape = MarkerShape.FilledCircle, MarkerColor = PeopleColor, MarkerSize = 9 })
            .ToList();
        if (days.Any(d => !report.Workdays(d.Date)))
        {
            legend.Add(new LegendItem { LabelText = "Day off (never a miss)", FillColor = DayOffShade.WithAlpha(0.2), LineWidth = 0 });
        }

        plot.ShowLegend(legend, Alignment.UpperLeft);
        plot.Legend.FontSize = 13;

        var week = report.Period.Kind == DigestPeriodKind.Week;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, days.Count).Select(i => (double)i).ToArray(),
            days.Select(d => week
                ? d.Date.ToString("ddd d MMM", CultureInfo.InvariantCulture)
                : d.Date.ToString(d.Date.Day == 1 || d.Date.DayOfWeek == DayOfWeek.Monday ? "d MMM" : "%d", CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.TickLabelStyle.FontSize = week ? 15 : 12;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.Axes.Right.TickLabelStyle.FontSize = 14;

        var maxBreaks = Math.Max(1, days.Max(d => d.Total));
        var maxPeople = Math.Max(1, days.Max(d => d.People));
        plot.Axes.SetLimits(-0.6, days.Count - 0.4, 0, NiceTop(maxBreaks));
        plot.Axes.SetLimitsY(0, NiceTop(maxPeople), plot.Axes.Right);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Right.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

        plot.Title($"Upper back breaks in #{report.ChannelName} · {report.Period.Label}", size: 22);
        plot.Axes.Title.Label.Bold = true;
        plot.YLabel("Breaks (stacked by what the drill trains)", size: 16);
        plot.Axes.Right.Label.Text = "People who took a break";
        plot.Axes.Right.Label.FontSize = 16;
        plot.Axes.Right.Label.ForeColor = PeopleColor;
        plot.XLabel(week ? "Day (channel's time zone)" : "Day of the month (channel's time zone)", size: 16);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;

        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        plot.Render(surface.Canvas, Width, Height);
        using var image = surface.Snapshot();
        using var pixels = image.PeekPixels();
        using var png = pixels.Encode(PngOptions) ?? throw new InvalidOperationException("Skia could not encode the digest chart as PNG.");
        return png.ToArray();
    }

    /// <summary>Room above the tallest bar for the legend: half again, at least 5.</summary>
    private static double NiceTop(int max) => Math.Max(5, Math.Ceiling(max * 1.5));
}
