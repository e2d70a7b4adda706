using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatBot.Data;

/// <summary>The engine behind the bot's data (<c>Storage:Provider</c>).</summary>
public enum StorageProvider
{
    /// <summary>The embedded default: one instance on a SQLite file at <c>Storage:Path</c>.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database at <c>Storage:ConnectionString</c>, shared by several instances.</summary>
    Postgres,
}

/// <summary>The <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>Sqlite</c> (default) or <c>Postgres</c>.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>The bot's SQLite database file (<c>Sqlite</c> only). Relative paths are taken from the working directory.</summary>
    public string Path { get; set; } = "data/chatbot.db";

    /// <summary>An Npgsql connection string (<c>Host=…;Database=…;Username=…;Password=…</c>); required with <c>Postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    public string FullPath => System.IO.Path.GetFullPath(Path);
}

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (!Enum.IsDefined(options.Provider))
        {
            return ValidateOptionsResult.Fail($"Storage:Provider must be Sqlite or Postgres (got {(int)options.Provider}).");
        }

        if (options.Provider == StorageProvider.Postgres)
        {
            return ConnectionStringProblem(options.ConnectionString) is { } problem
                ? ValidateOptionsResult.Fail(problem)
                : ValidateOptionsResult.Success;
        }

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

    /// <summary>Why a connection string is unusable (never quoting it: it may hold a password), or null.</summary>
    private static string? ConnectionStringProblem(string? connectionString)
    {
        const string Example = "e.g. Host=db;Database=chatbot;Username=chatbot;Password=…";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return $"Storage:ConnectionString is required with Storage:Provider=Postgres ({Example}).";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? $"Storage:ConnectionString names no Host ({Example})." : null;
        }
        catch (ArgumentException)
        {
            return $"Storage:ConnectionString is not an Npgsql connection string ({Example}).";
        }
    }
}
