using System.Globalization;

namespace ChatBot.Peers.Bench;

/// <summary>The command line. Defaults are the load: 2,000 commands, 200 in flight.</summary>
internal sealed class BenchOptions
{
    public const string Help = """
        dotnet run -c Release --project bench/ChatBot.Peers.Bench -- [options]

          --platforms slack,discord   which platforms (default both)
          --bots chatbot,peer,null    which bots (default all three: ChatBot, the peer framework, the null bot)
          --rounds N                  rounds, each bot once per round, the order rotated (default 3)
          --commands N                commands in the loaded phase (default 2000)
          --in-flight N               commands outstanding at once (default 200)
          --warm-up S                 seconds of commands at full concurrency before measuring (default 10: every bot
                                      at its steady state)
          --serial N                  commands one at a time, for unloaded latency (default 200)
          --scale [N]                 instead: one run of N commands per bot (default 20000), memory and CPU over time
          --chatbot DIR               a published ChatBot to measure (default: publish src/ChatBot.Host now)
          --variant NAME[;dir=DIR][;KEY=VALUE...]
                                      also run ChatBot as NAME: another published DIR and/or extra environment
                                      (e.g. "pgo-off;DOTNET_TieredPGO=0"); repeatable
        """;

    public IReadOnlyList<string> Platforms { get; private set; } = ["slack", "discord"];

    public IReadOnlyList<string> Bots { get; private set; } = ["chatbot", "peer", "null"];

    public int Rounds { get; private set; } = 3;

    public int Commands { get; private set; } = 2000;

    public int InFlight { get; private set; } = 200;

    /// <summary>
    /// How long commands are sent at full concurrency before anything is measured: 10 s, so that every bot is
    /// measured at its steady state (the CPU per command of <c>--scale</c>'s steps stops falling). The peers'
    /// JavaScript is optimised within ~6,000 commands (1–2 s); ChatBot's hot methods are recompiled (tier 1) by one
    /// background thread sharing the cores with the load, ~1,800 methods and ~1.5 s of compiling, done about 6 s
    /// after the start on either platform (EventPipe traces), which is 60,000–110,000 commands on Slack and
    /// 30,000–45,000 on Discord: a count would fit one platform only. With the 1,000 commands used until
    /// 2026-12-01 every bot was still compiling in the loaded phase.
    /// </summary>
    public TimeSpan WarmUp { get; private set; } = TimeSpan.FromSeconds(10);

    public int Serial { get; private set; } = 200;

    public bool Scale { get; private set; }

    public int ScaleCommands { get; private set; } = 20_000;

    public string? ChatBotDirectory { get; private set; }

    public List<Contender> Variants { get; } = [];

    /// <summary>The options, or null when help was asked for. Throws <see cref="ArgumentException"/> on a bad one.</summary>
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number() => int.Parse(Value(), CultureInfo.InvariantCulture) is var n and > 0 ? n : throw new ArgumentException($"{args[i]} must be positive");
            switch (args[i])
            {
                case "--help" or "-h":
                    return null;
                case "--platforms":
                    options.Platforms = List(Value());
                    if (options.Platforms.Any(p => p is not ("slack" or "discord")))
                    {
                        throw new ArgumentException("--platforms: slack and/or discord");
                    }

                    break;
                case "--bots":
                    options.Bots = List(Value());
                    break;
                case "--rounds":
                    options.Rounds = Number();
                    break;
                case "--commands":
                    options.Commands = Number();
                    break;
                case "--in-flight":
                    options.InFlight = Number();
                    break;
                case "--warm-up":
                    options.WarmUp = TimeSpan.FromSeconds(Number());
                    break;
                case "--serial":
                    options.Serial = Number();
                    break;
                case "--scale":
                    options.Scale = true;
                    if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        options.ScaleCommands = Number();
                    }

                    break;
                case "--chatbot":
                    options.ChatBotDirectory = Path.GetFullPath(Value());
                    break;
                case "--variant":
                    options.Variants.Add(ParseVariant(Value()));
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. {Help}");
            }
        }

        return options;
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => v.ToLowerInvariant()).ToArray();

    private static Contender ParseVariant(string value)
    {
        var parts = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? directory = null;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var (key, setting) = part.IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                ? (part[..eq], part[(eq + 1)..])
                : throw new ArgumentException($"--variant {value}: '{part}' is not KEY=VALUE");
            if (key == "dir")
            {
                directory = Path.GetFullPath(setting);
            }
            else
            {
                environment[key] = setting;
            }
        }

        return new Contender(parts[0], ContenderKind.ChatBot, directory, environment);
    }
}
