using System.Diagnostics;
using System.Globalization;
using ChatBot.Core;
using ChatBot.Core.Commands;
using ChatBot.Core.Drills;

/// <summary>
/// What answering <c>/drill list</c> costs in an adapter's rendering alone: the reply payload built from the list as
/// Core sends it (a constant message, its rendering kept) and from a copy that is not marked constant (rendered
/// through the markup tokenizer every time, as every reply was before). Batches alternate; the figure is the median
/// CPU time per payload of each. Shared by the Slack and Discord benches (<c>render</c> argument).
/// </summary>
internal static class RenderCost
{
    private const int PerBatch = 20_000;
    private const int Batches = 7;

    /// <summary>Measures <paramref name="payloadLength"/> (renders one reply, returns its JSON length) and prints one line.</summary>
    /// <param name="bench">The bench's name, printed first.</param>
    /// <param name="platform">The platform whose channel the command comes from.</param>
    /// <param name="payloadLength">Builds the platform's reply payload for a reply and returns its serialised length.</param>
    public static void Run(string bench, ChatPlatform platform, Func<CommandReply, int> payloadLength)
    {
        var catalog = DrillCatalogLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "drills.json"));
        var router = new CommandRouter(new CommandParser(catalog), catalog, null!, null!, null!, null!, null!, null!, new ChatBot.Testing.NoDirectMessages(), null!, null!, null!);
        var invocation = new CommandInvocation(new ChannelKey(platform, "T1", "C1"), new ChatUser("U1", "Ann", null), "list");
        var constant = router.HandleAsync(invocation, CancellationToken.None).GetAwaiter().GetResult();
        var fresh = constant with { Message = constant.Message with { IsConstant = false } };
        if (!constant.Message.IsConstant)
        {
            throw new InvalidOperationException("the list reply is not marked constant");
        }

        var cached = new List<double>();
        var uncached = new List<double>();
        Measure(constant, PerBatch / 10, payloadLength);
        Measure(fresh, PerBatch / 10, payloadLength);
        for (var batch = 0; batch < Batches; batch++)
        {
            uncached.Add(Measure(fresh, PerBatch, payloadLength));
            cached.Add(Measure(constant, PerBatch, payloadLength));
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{bench} render: /drill list reply payload, {Batches} × {PerBatch:N0}: rendered each time {Median(uncached):0.00} µs (range {uncached.Min():0.00}–{uncached.Max():0.00}), rendering kept {Median(cached):0.00} µs (range {cached.Min():0.00}–{cached.Max():0.00}) CPU per command"));
    }

    private static double Measure(CommandReply reply, int count, Func<CommandReply, int> payloadLength)
    {
        GC.Collect();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var length = 0;
        for (var i = 0; i < count; i++)
        {
            length += payloadLength(reply);
        }

        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return length > 0 ? used.TotalMicroseconds / count : double.NaN;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
