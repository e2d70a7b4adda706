namespace ChatBot.Peers.Bench;

/// <summary>What a contender is: ChatBot (possibly with runtime settings changed), the peer framework, or the floor.</summary>
internal enum ContenderKind
{
    ChatBot,
    Peer,
    Null,
}

/// <summary>
/// One bot under test. ChatBot runs as its published binary (<c>ChatBot</c> apphost in
/// <see cref="PublishDirectory"/>) with <see cref="Environment"/> added, e.g. <c>DOTNET_TieredPGO=0</c> to try
/// a runtime setting; the peers and the null bot run under Node from <c>bench/peers</c>.
/// </summary>
internal sealed record Contender(string Name, ContenderKind Kind, string? PublishDirectory = null, IReadOnlyDictionary<string, string>? Environment = null)
{
    public BotProcess Start(IPlatformRig rig, string peersDirectory, string workDirectory)
    {
        var log = Path.Combine(workDirectory, "bot.log");
        switch (Kind)
        {
            case ContenderKind.ChatBot:
                var environment = rig.ChatBotEnvironment(workDirectory);
                environment["Storage__Path"] = Path.Combine(workDirectory, "chatbot.db");
                environment["DOTNET_ENVIRONMENT"] = "Production";
                environment["Ops__Enabled"] = "false"; // no ops listener (and its port) in the way, where it exists
                foreach (var (key, value) in Environment ?? new Dictionary<string, string>())
                {
                    environment[key] = value;
                }

                return BotProcess.Start(Path.Combine(PublishDirectory!, "ChatBot"), [], environment, workDirectory, log);
            case ContenderKind.Peer:
                var script = rig.Platform == "Slack" ? "bolt-app.js" : "discordjs-bot.js";
                return BotProcess.Start("node", [Path.Combine(peersDirectory, script)], rig.NodeEnvironment(), workDirectory, log);
            default:
                return BotProcess.Start("node", [Path.Combine(peersDirectory, "null-bot.js"), rig.Platform.ToLowerInvariant()], rig.NodeEnvironment(), workDirectory, log);
        }
    }

    /// <summary>The reference a user would write instead of ChatBot on this platform.</summary>
    public string Describe(string platform) => Kind switch
    {
        ContenderKind.Peer => platform == "Slack" ? "Bolt for JavaScript 5 (Socket Mode)" : "discord.js 14",
        ContenderKind.Null => "null bot (acks at once, Node)",
        _ => "ChatBot published binary" + (Environment is { Count: > 0 } env ? " + " + string.Join(" ", env.Select(p => p.Key + "=" + p.Value)) : "") +
             (PublishDirectory is { } dir ? $" [{dir}]" : ""),
    };
}
