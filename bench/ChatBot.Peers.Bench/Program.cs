// ChatBot side by side with the bots a user would write instead (Bolt for JavaScript on Slack, discord.js on
// Discord) and with a null bot (the floor), all as separate processes against the same loopback fakes and
// the same load, rounds alternated between the bots. See README.md "Benchmarks" and --help.
using System.Diagnostics;
using System.Globalization;
using ChatBot.Peers.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.WriteLine(BenchOptions.Help);
    return 0;
}

var repository = FindRepository();
var peers = Path.Combine(repository, "bench", "peers");
await Setup.EnsureNodeModulesAsync(peers);
var chatbot = options.ChatBotDirectory ?? await Setup.PublishChatBotAsync(repository);

var contenders = new List<Contender>();
foreach (var bot in options.Bots)
{
    contenders.Add(bot switch
    {
        "chatbot" => new Contender("ChatBot", ContenderKind.ChatBot, chatbot),
        "peer" => new Contender("peer", ContenderKind.Peer),
        "null" => new Contender("null", ContenderKind.Null),
        _ => throw new ArgumentException($"--bots: unknown bot '{bot}' (chatbot, peer, null)"),
    });
}

foreach (var variant in options.Variants)
{
    contenders.Add(variant with { PublishDirectory = variant.PublishDirectory ?? chatbot });
}

Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"ChatBot.Peers.Bench: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start; node {Setup.NodeVersion()}"));
Console.WriteLine("Latency: command sent by the fake -> the reply's content received by the fake (Slack: the ack with payload, or");
Console.WriteLine("  the response_url POST after an empty ack; Discord: a type 4 callback, or the PATCH of @original after a deferral).");
Console.WriteLine("CPU and peak RSS: the bot process's own (its CPU-time clock, in ns, over the loaded phase; VmHWM from /proc over the\n  whole run, warm-up included).");
Console.WriteLine("Generator CPU: this process (fake server and load) over the loaded phase. If bot + generator CPU is near");
Console.WriteLine("  cores x wall time, the machine, not the bot, is the limit.");
Console.WriteLine();

foreach (var platform in options.Platforms)
{
    Func<Task<IPlatformRig>> startRig = platform == "slack"
        ? async () => await SlackRig.StartAsync()
        : async () => await DiscordRig.StartAsync();
    var platformName = platform == "slack" ? "Slack" : "Discord";
    foreach (var contender in contenders)
    {
        Console.WriteLine($"{platformName}: {contender.Name,-12} = {contender.Describe(platformName)}");
    }

    if (options.Scale)
    {
        foreach (var contender in contenders.Where(c => c.Kind != ContenderKind.Null))
        {
            Console.WriteLine($"{platformName} scale: {contender.Name}, {options.ScaleCommands:N0} commands, {options.InFlight} in flight ...");
            var result = await Runner.ScaleAsync(startRig, contender, options.ScaleCommands, options.InFlight, options.ScaleCommands / 20, peers);
            Report.Scale(platformName, result);
        }

        continue;
    }

    var load = new Load(options.Commands, options.InFlight, options.WarmUp, options.Serial);

    // One run before the measured rounds, not counted: the fake's and the generator's code in this process is
    // compiled on their first requests, which slowed the first start of a run (Slack, three runs of the same build:
    // the first bot connected in 0.53-0.60 s, the same bot in 0.40-0.47 s in the later rounds).
    Console.WriteLine($"{platformName}: an unmeasured run of {contenders[0].Name} first, to warm up this process's fake and load");
    await Runner.RunAsync(startRig, contenders[0], 0, new Load(Commands: 200, InFlight: options.InFlight, WarmUp: TimeSpan.FromSeconds(0.1), Serial: 10), peers);

    var results = new List<RunResult>();
    for (var round = 1; round <= options.Rounds; round++)
    {
        // Alternate: each round starts with the next bot, so drift in the machine's load hits all of them alike.
        var order = contenders.Skip((round - 1) % contenders.Count).Concat(contenders.Take((round - 1) % contenders.Count));
        foreach (var contender in order)
        {
            var result = await Runner.RunAsync(startRig, contender, round, load, peers);
            results.Add(result);
            Report.Run(platformName, result);
        }
    }

    Report.Summary(platformName, load, results);
}

return 0;

static string FindRepository()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "ChatBot.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Run the bench from the repository (ChatBot.sln not found above " + AppContext.BaseDirectory + ").");
}

/// <summary>Installs the Node bots' packages and publishes ChatBot the way the README documents.</summary>
internal static class Setup
{
    public static async Task EnsureNodeModulesAsync(string peers)
    {
        if (Directory.Exists(Path.Combine(peers, "node_modules")))
        {
            return;
        }

        Console.WriteLine("bench/peers: npm ci (first run) ...");
        await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], peers);
    }

    /// <summary>The README's publish command, into a directory of the bench's own.</summary>
    public static async Task<string> PublishChatBotAsync(string repository)
    {
        var output = Path.Combine(Path.GetTempPath(), "chatbot-peers-bench", "chatbot");
        Console.WriteLine($"Publishing src/ChatBot.Host to {output} (dotnet publish -c Release) ...");
        await RunAsync("dotnet", ["publish", "src/ChatBot.Host", "-c", "Release", "-o", output, "--nologo", "-v", "quiet"], repository);
        return output;
    }

    public static string NodeVersion()
    {
        using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
        var version = node.StandardOutput.ReadToEnd().Trim();
        node.WaitForExit();
        return version;
    }

    private static async Task RunAsync(string file, string[] arguments, string directory)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}.");
        }
    }
}
