using Microsoft.Extensions.Options;

namespace ChatBot.Data;

/// <summary>The <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The bot's SQLite database file. Relative paths are taken from the working directory.</summary>
    public string Path { get; set; } = "data/chatbot.db";

    public string FullPath => System.IO.Path.GetFullPath(Path);
}

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return ValidateOptionsResult.Fail("Storage:Path must name a database file, e.g. data/chatbot.db.");
        }

        if (options.Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || Directory.Exists(options.Path))
        {
            return ValidateOptionsResult.Fail($"Storage:Path '{options.Path}' is not a usable file path.");
        }

        return ValidateOptionsResult.Success;
    }
}
