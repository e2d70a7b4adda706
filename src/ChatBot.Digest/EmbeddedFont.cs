using ScottPlot;
using SkiaSharp;

namespace ChatBot.Digest;

/// <summary>
/// The chart's one font, DejaVu Sans (regular and bold), read from this assembly's resources (licence in
/// <c>Fonts/LICENSE-DejaVu.txt</c>) and handed to ScottPlot as a font resolver. No system font is ever used,
/// so the chart draws the same glyphs on a bare machine as on a desktop.
/// </summary>
internal sealed class EmbeddedFont : IFontResolver
{
    /// <summary>The family name the chart asks for.</summary>
    public const string Family = "ChatBot DejaVu Sans";

    private static readonly Lock Gate = new();
    private static bool _registered;

    private readonly byte[] _regular = Load("ChatBot.Digest.DejaVuSans.ttf");
    private readonly byte[] _bold = Load("ChatBot.Digest.DejaVuSans-Bold.ttf");

    /// <summary>Adds the resolver to ScottPlot's (process-wide) list once.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (!_registered)
            {
                Fonts.FontResolvers.Insert(0, new EmbeddedFont());
                _registered = true;
            }
        }
    }

    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
        CreateTypeface(fontName, bold: (int)weight >= (int)FontWeight.SemiBold, italic: false);

    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic)
    {
        if (!string.Equals(fontName, Family, StringComparison.Ordinal))
        {
            return null;
        }

        using var data = SKData.CreateCopy(bold ? _bold : _regular);
        return SKTypeface.FromData(data);
    }

    private static byte[] Load(string resource)
    {
        using var stream = typeof(EmbeddedFont).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The chart font {resource} is missing from {typeof(EmbeddedFont).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
