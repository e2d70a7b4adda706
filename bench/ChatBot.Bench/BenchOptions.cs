using System.Globalization;
using ChatBot.Data;

namespace ChatBot.Bench;

internal sealed record BenchOptions(int Users, int Completions, int Channels, int Iterations, int WarmUp, bool Keep, bool Profile, bool Digest = false, string? Sample = null, string? Database = null, bool Reminders = false, StorageProvider Provider = StorageProvider.Sqlite, string? ConnectionString = null)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(Users: 10_000, Completions: 1_000_000, Channels: 5, Iterations: 200, WarmUp: 20, Keep: false, Profile: false);
        for (var i = 0; i < args.Length; i++)
        {
            int Next() => int.Parse(args[++i], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--users" => options with { Users = Next() },
                "--completions" => options with { Completions = Next() },
                "--channels" => options with { Channels = Next() },
                "--iterations" => options with { Iterations = Next() },
                "--warmup" => options with { WarmUp = Next() },
                "--keep" => options with { Keep = true },
                "--profile" => options with { Profile = true },
                "--digest" => options with { Digest = true },
                "--sample" => options with { Sample = args[++i] },
                "--database" => options with { Database = args[++i] },
                "--reminders" => options with { Reminders = true },
                "--provider" => options with { Provider = args[++i] switch
                {
                    "sqlite" => StorageProvider.Sqlite,
                    "postgres" => StorageProvider.Postgres,
                    var other => throw new ArgumentException($"--provider must be sqlite or postgres, not '{other}'."),
                } },
                "--connection-string" => options with { ConnectionString = args[++i] },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'. Use --users N --completions N --channels N --iterations N --warmup N --keep --profile --digest --sample PATH --database PATH --reminders --provider sqlite|postgres --connection-string NPGSQL."),
            };
        }

        if (options.Provider == StorageProvider.Postgres && options.Database is not null)
        {
            throw new ArgumentException("--database names a SQLite file; with --provider postgres give --connection-string.");
        }

        return options;
    }
}
