namespace ChatBot.Core;

/// <summary>The chat platforms an adapter can serve. The console chat is a platform like any other.</summary>
public enum ChatPlatform
{
    Console,
    Slack,
    Discord,
}
