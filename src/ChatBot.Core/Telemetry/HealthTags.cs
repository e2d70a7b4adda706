namespace ChatBot.Core.Telemetry;

/// <summary>Tags of the health checks each project registers; the ops listener's <c>/readyz</c> runs those tagged <see cref="Ready"/>.</summary>
public static class HealthTags
{
    /// <summary>Checks that must pass before the bot can do its work (database, job server, platform connections).</summary>
    public const string Ready = "ready";
}
