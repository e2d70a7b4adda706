using ChatBot.Core.Configuration;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace ChatBot.Scheduling;

/// <summary>
/// Hangfire's tables in the bot's own PostgreSQL database (<c>Storage:Provider=Postgres</c>), in the schema
/// <c>Scheduling:Schema</c>, shared by every instance. Timeouts are derived from <see cref="SchedulingOptions"/> so
/// that a killed instance's work is taken over within minutes, not Hangfire.PostgreSql's ten:
/// <list type="bullet">
/// <item>A job the dead instance had fetched is fetched again by another after <see cref="SchedulingOptions.InvisibilityTimeout"/>
/// (default 5 min). The invisibility is sliding (live servers keep renewing their fetched jobs), so a slow job
/// of a live instance is never run twice in parallel however long it takes.</item>
/// <item>A distributed lock the dead instance held (a schedule poll, a state change, a break chain's next step:
/// all held for milliseconds) is free after <see cref="LockTimeout"/>: a fifth of the invisibility timeout, at
/// least 30 s (1 min by default). Until then no instance moves due delayed jobs to the queue.</item>
/// </list>
/// The queue is polled every <see cref="SchedulingOptions.PollingInterval"/>. The schema is installed or upgraded at
/// start under a PostgreSQL advisory lock, so instances starting together install it once.
/// </summary>
internal static class HangfirePostgres
{
    /// <summary>The session advisory lock key of the Hangfire schema install (any constant; "Hangfire" in ASCII).</summary>
    private const long InstallLockKey = 0x48616e6766697265;

    /// <summary>How long a lock left by a killed instance blocks the others: <c>InvisibilityTimeout / 5</c>, at least 30 s.</summary>
    public static TimeSpan LockTimeout(SchedulingOptions options) =>
        options.InvisibilityTimeout / 5 < TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : options.InvisibilityTimeout / 5;

    /// <summary>Installs or upgrades Hangfire's schema (once however many instances start at once) and opens the storage.</summary>
    /// <exception cref="ConfigurationException">
    /// Key <c>Storage:ConnectionString</c>: the database can't be reached, or refuses the schema install.
    /// </exception>
    public static PostgreSqlStorage Open(string connectionString, SchedulingOptions options)
    {
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = options.Schema,
            PrepareSchemaIfNecessary = false,
            QueuePollInterval = options.PollingInterval,
            InvisibilityTimeout = options.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            DistributedLockTimeout = LockTimeout(options),
        };
        InstallSchema(connectionString, options.Schema);
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
    }

    private static void InstallSchema(string connectionString, string schema)
    {
        try
        {
            // Unpooled: the session (and with it the lock) ends when the connection is closed, also when the install throws.
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            connection.Open();
            using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key);", connection))
            {
                command.Parameters.AddWithValue("key", InstallLockKey);
                command.ExecuteNonQuery();
            }

            PostgreSqlObjectsInstaller.Install(connection, schema);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            throw new ConfigurationException(
                "Storage:ConnectionString",
                $"Storage:ConnectionString: Hangfire's tables could not be installed in schema '{schema}' of the PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port} ({exception.Message.TrimEnd('.')}).",
                exception);
        }
    }
}
