namespace ChatBot.Core.Configuration;

/// <summary>
/// A configuration value the bot cannot run with, found at start. The host prints <see cref="Exception.Message"/>
/// as one line (it names <see cref="Key"/> and what is valid, never a secret's value) and exits with code 2.
/// </summary>
public sealed class ConfigurationException(string key, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The configuration key at fault, e.g. <c>Storage:Path</c>.</summary>
    public string Key { get; } = key;
}
