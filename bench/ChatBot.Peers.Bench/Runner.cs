using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ChatBot.Peers.Bench;

/// <summary>The load settings of one comparison.</summary>
internal sealed record Load(int Commands, int InFlight, TimeSpan WarmUp, int Serial);

/// <summary>Everything measured in one run of one bot. Times in ms, CPU in s, memory in MB.</summary>
internal sealed record RunResult(
    string Contender,
    ContenderKind Kind,
    int Round,
    double StartSeconds,
    double StartCpuSeconds,
    double BotCpuSeconds,
    double GeneratorCpuSeconds,
    double GeneratorGcPauseMs,
    double WallSeconds,
    IReadOnlyList<double> LoadedReplyMs,
    IReadOnlyList<double> LoadedAckMs,
    IReadOnlyList<double> SerialReplyMs,
    double PeakRssMegabytes,
    int Failures,
    JsonNode? FirstReply,
    double FirstReplyMs,
    int WarmUpCommands,
    double LoadedFromSeconds);

/// <summary>The measured outcome of a scale run: memory over time and the slowest ack and reply.</summary>
internal sealed record ScaleResult(
    string Contender,
    IReadOnlyList<(int Done, double Seconds, double RssMegabytes, double MaxAckMs, double CpuSeconds)> Memory,
    double MaxAckMs,
    double MaxReplyMs,
    int LateAcks,
    int Failures,
    double PeakRssMegabytes,
    double BotCpuSeconds);

internal static class Runner
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts a fresh fake and the bot, then: start → connected, one probe command (the first command a user
    /// could send after a start; its reply is kept to compare the bots' texts, its latency is reported), warm-up
    /// at full concurrency, <see cref="Load.Serial"/> commands one at a time (unloaded latency), then
    /// <see cref="Load.Commands"/> with <see cref="Load.InFlight"/> in flight, with the bot's and the generator's CPU
    /// read just before and after that loaded phase (the generator's collector kept out of it: <see cref="GeneratorQuiet"/>).
    /// </summary>
    public static async Task<RunResult> RunAsync(Func<Task<IPlatformRig>> startRig, Contender contender, int round, Load load, string peersDirectory)
    {
        await using var rig = await startRig();
        var work = Directory.CreateTempSubdirectory("chatbot-peers-bench-");
        try
        {
            using var bot = contender.Start(rig, peersDirectory, work.FullName);
            var connectedAt = await ConnectAsync(rig, bot);
            var start = Stopwatch.GetElapsedTime(bot.StartedAt, connectedAt).TotalSeconds;
            var startCpu = bot.CpuSeconds(); // what starting cost the bot, whatever else the machine is doing

            var probe = await await rig.SendAsync(keepReply: true);
            Fail(bot, probe);
            var (warmUpCommands, warmUpError) = await WarmUpAsync(rig, load.WarmUp, load.InFlight);
            Fail(bot, warmUpError);

            var serial = new List<Sample>(load.Serial);
            for (var i = 0; i < load.Serial; i++)
            {
                serial.Add(await await rig.SendAsync());
            }

            rig.SnapshotConnections();
            var me = Process.GetCurrentProcess();
            using var quiet = GeneratorQuiet.Begin(load.Commands); // ended right after the phase, or by the using on a throw
            var botCpu = bot.CpuSeconds();
            var generatorCpu = me.TotalProcessorTime;
            var loadedFrom = Stopwatch.GetElapsedTime(bot.StartedAt).TotalSeconds;
            var clock = Stopwatch.StartNew();
            var loaded = await ConcurrentAsync(rig, load.Commands, load.InFlight);
            var wall = clock.Elapsed.TotalSeconds;
            var generatorPauseMs = quiet.PauseMilliseconds;
            quiet.Dispose();

            botCpu = bot.CpuSeconds() - botCpu;
            me.Refresh();
            var generator = (me.TotalProcessorTime - generatorCpu).TotalSeconds;
            var peak = bot.PeakRssMegabytes();

            var ok = loaded.Where(s => s.Error is null).ToList();
            return new RunResult(
                contender.Name,
                contender.Kind,
                round,
                start,
                startCpu,
                botCpu,
                generator,
                generatorPauseMs,
                wall,
                ok.Select(s => s.ReplyMs).ToList(),
                ok.Select(s => s.AckMs).ToList(),
                serial.Where(s => s.Error is null).Select(s => s.ReplyMs).ToList(),
                peak,
                loaded.Count(s => s.Error is not null) + serial.Count(s => s.Error is not null),
                probe.Reply,
                probe.ReplyMs,
                warmUpCommands,
                loadedFrom);
        }
        finally
        {
            TryDelete(work);
        }
    }

    /// <summary>
    /// One long run: <paramref name="commands"/> commands at <paramref name="inFlight"/>, sampling the bot's
    /// resident memory and CPU every <paramref name="sampleEvery"/> replies.
    /// </summary>
    public static async Task<ScaleResult> ScaleAsync(Func<Task<IPlatformRig>> startRig, Contender contender, int commands, int inFlight, int sampleEvery, string peersDirectory)
    {
        await using var rig = await startRig();
        var work = Directory.CreateTempSubdirectory("chatbot-peers-bench-");
        try
        {
            using var bot = contender.Start(rig, peersDirectory, work.FullName);
            await ConnectAsync(rig, bot);
            Fail(bot, await await rig.SendAsync());
            var cpu = bot.CpuSeconds();
            var memory = new List<(int, double, double, double, double)> { (0, 0, bot.RssMegabytes(), 0, 0) };
            var clock = Stopwatch.StartNew();
            var done = 0;
            var segmentMaxAck = 0.0;
            var samples = await ConcurrentAsync(rig, commands, inFlight, sample =>
            {
                lock (memory)
                {
                    segmentMaxAck = Math.Max(segmentMaxAck, sample.Error is null ? sample.AckMs : 0);
                    if (++done % sampleEvery == 0)
                    {
                        memory.Add((done, clock.Elapsed.TotalSeconds, bot.RssMegabytes(), segmentMaxAck, bot.CpuSeconds() - cpu));
                        segmentMaxAck = 0;
                    }
                }
            });
            cpu = bot.CpuSeconds() - cpu;
            var ok = samples.Where(s => s.Error is null).ToList();
            return new ScaleResult(
                contender.Name,
                memory,
                ok.Count > 0 ? ok.Max(s => s.AckMs) : double.NaN,
                ok.Count > 0 ? ok.Max(s => s.ReplyMs) : double.NaN,
                ok.Count(s => s.AckMs > 3000),
                samples.Count(s => s.Error is not null),
                bot.PeakRssMegabytes(),
                cpu);
        }
        finally
        {
            TryDelete(work);
        }
    }

    private static async Task<long> ConnectAsync(IPlatformRig rig, BotProcess bot)
    {
        var connect = rig.WaitConnectedAsync(bot, ConnectTimeout);
        while (!connect.IsCompleted)
        {
            if (bot.HasExited)
            {
                throw new InvalidOperationException($"The bot exited before connecting. Its log ({bot.LogPath}):{Environment.NewLine}{bot.LogTail()}");
            }

            await Task.WhenAny(connect, Task.Delay(100));
        }

        try
        {
            return await connect;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            throw new InvalidOperationException($"The bot did not connect within {ConnectTimeout.TotalSeconds:0} s. Its log:{Environment.NewLine}{bot.LogTail()}", ex);
        }
    }

    /// <summary>
    /// Keeps <paramref name="inFlight"/> commands outstanding for <paramref name="duration"/>; returns how many were
    /// sent and the first that failed (only these are kept: a fast bot takes 400,000 commands in 10 s).
    /// </summary>
    private static async Task<(int Commands, Sample? FirstError)> WarmUpAsync(IPlatformRig rig, TimeSpan duration, int inFlight)
    {
        Sample? firstError = null;
        var commands = 0;
        var clock = Stopwatch.StartNew();
        using var window = new SemaphoreSlim(inFlight);
        while (clock.Elapsed < duration && Volatile.Read(ref firstError) is null)
        {
            await window.WaitAsync();
            var outcome = await rig.SendAsync();
            commands++;
            _ = ReleaseWhenDone(outcome);
        }

        for (var i = 0; i < inFlight; i++)
        {
            await window.WaitAsync(); // every permit back: every command sent has its outcome
        }

        return (commands, firstError);

        async Task ReleaseWhenDone(Task<Sample> outcome)
        {
            try
            {
                if (await Outcome(outcome) is { Error: not null } failed)
                {
                    Interlocked.CompareExchange(ref firstError, failed, null);
                }
            }
            finally
            {
                window.Release();
            }
        }
    }

    /// <summary>Keeps <paramref name="inFlight"/> commands outstanding until <paramref name="count"/> were answered.</summary>
    private static async Task<List<Sample>> ConcurrentAsync(IPlatformRig rig, int count, int inFlight, Action<Sample>? onReply = null)
    {
        using var window = new SemaphoreSlim(inFlight);
        var outcomes = new List<Task<Sample>>(count);
        for (var i = 0; i < count; i++)
        {
            await window.WaitAsync();
            var outcome = await rig.SendAsync();
            outcomes.Add(ReleaseWhenDone(outcome));
        }

        return [.. await Task.WhenAll(outcomes)];

        async Task<Sample> ReleaseWhenDone(Task<Sample> outcome)
        {
            var sample = await Outcome(outcome);
            window.Release();
            onReply?.Invoke(sample);
            return sample;
        }
    }

    private static async Task<Sample> Outcome(Task<Sample> outcome)
    {
        try
        {
            return await outcome;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException or System.Net.WebSockets.WebSocketException)
        {
            return Sample.Failed(ex.Message);
        }
    }

    private static void Fail(BotProcess bot, Sample? sample)
    {
        if (sample?.Error is { } error)
        {
            throw new InvalidOperationException($"The bot did not answer: {error}. Its log:{Environment.NewLine}{bot.LogTail()}");
        }
    }

    private static void TryDelete(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a bot that is going away: the temp directory is cleaned up later.
        }
    }
}
