namespace ChatBot.Discord.Gateway;

/// <summary>What a gateway close means for the next connection (protocols.md A2).</summary>
internal enum SessionEnd
{
    /// <summary>Reconnect to <c>resume_gateway_url</c> and RESUME (op 7, resumable codes, op 9 d:true, zombie, dropped TCP).</summary>
    Resume,

    /// <summary>Forget the session, reconnect to the gateway URL and IDENTIFY (op 9 d:false, 4003, 4007, 4009).</summary>
    Identify,

    /// <summary>Unrecoverable (4004, 4010–4014): report and stop.</summary>
    Fatal,

    /// <summary>The host is stopping.</summary>
    Stopped,
}

internal static class GatewayCloseCodes
{
    public static SessionEnd Classify(int? code) => code switch
    {
        4004 or 4010 or 4011 or 4012 or 4013 or 4014 => SessionEnd.Fatal,
        4003 or 4007 or 4009 => SessionEnd.Identify,
        _ => SessionEnd.Resume,
    };

    public static string Describe(int? code) => code switch
    {
        null => "no close code",
        1000 => "normal closure",
        1001 => "going away",
        4000 => "unknown error",
        4001 => "unknown opcode",
        4002 => "decode error",
        4003 => "not authenticated",
        4004 => "authentication failed: the bot token was rejected (check Discord:BotToken)",
        4005 => "already authenticated",
        4007 => "invalid resume sequence",
        4008 => "rate limited",
        4009 => "session timed out",
        4010 => "invalid shard",
        4011 => "sharding required",
        4012 => "invalid API version",
        4013 => "invalid intents (check Discord:Intents)",
        4014 => "disallowed intents: enable them in the Developer Portal or remove them from Discord:Intents",
        _ => "close code " + code.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
