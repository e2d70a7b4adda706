using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ChatBot.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for the tests of one test assembly (register it with
/// <c>[assembly: AssemblyFixture(typeof(PostgresCluster))]</c>): started on first use with <c>initdb</c> in a temp
/// directory (as <c>nobody</c> when the tests run as root: PostgreSQL refuses root) and <c>pg_ctl</c> on a free
/// loopback port, trust authentication, fsync off; stopped (<c>-m immediate</c>) and deleted when the assembly's
/// tests are done. Each caller gets a database of its own (<see cref="CreateDatabase"/>).
/// When the binaries are missing, <see cref="Unavailable"/> says so and the tests skip with that reason
/// (<c>.ci/run</c> fails on skipped PostgreSQL tests).
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    /// <summary>Where the Debian/Ubuntu <c>postgresql-15</c> package puts the server binaries.</summary>
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly Lock _gate = new();
    private string? _directory;
    private string? _adminConnectionString;
    private string? _unavailable;
    private int _databases;

    /// <summary>Why the cluster can't run here (binaries missing, start failed), or null. Starts it on first call.</summary>
    public string? Unavailable
    {
        get
        {
            EnsureStarted();
            return _unavailable;
        }
    }

    /// <summary>Creates an empty database and returns its connection string (Npgsql, user <c>postgres</c>, no password).</summary>
    /// <exception cref="InvalidOperationException">The cluster is <see cref="Unavailable"/>.</exception>
    public string CreateDatabase()
    {
        EnsureStarted();
        if (_unavailable is not null)
        {
            throw new InvalidOperationException(_unavailable);
        }

        var name = $"test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, Pooling = true, MaxPoolSize = 20, ConnectionIdleLifetime = 2, ConnectionPruningInterval = 1 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        if (_adminConnectionString is not null)
        {
            await Task.Run(() => Run("pg_ctl", $"-D {DataDirectory} -m immediate -w stop"));
        }

        Directory.Delete(_directory, recursive: true);
        _directory = null;
    }

    private string DataDirectory => Path.Combine(_directory!, "data");

    private void EnsureStarted()
    {
        lock (_gate)
        {
            if (_directory is not null || _unavailable is not null)
            {
                return;
            }

            if (!File.Exists(Path.Combine(BinDirectory, "initdb")) || !File.Exists(Path.Combine(BinDirectory, "pg_ctl")))
            {
                _unavailable = $"PostgreSQL 15 binaries not found in {BinDirectory} (install postgresql-15 to run the PostgreSQL tests)";
                return;
            }

            _directory = Directory.CreateTempSubdirectory("chatbot-pg-").FullName;
            try
            {
                if (Environment.UserName == "root")
                {
                    Run("/bin/chown", $"nobody {_directory}", asRoot: true);
                }

                Run("initdb", $"-D {DataDirectory} -A trust -U postgres --no-sync -E UTF8 --locale=C");
                var port = FreePort();
                Run("pg_ctl", $"-D {DataDirectory} -l {Path.Combine(_directory, "server.log")} -w -t 60 -o \"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start");
                _adminConnectionString = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = port,
                    Username = "postgres",
                    Database = "postgres",
                    Pooling = false,
                }.ConnectionString;
            }
            catch (Exception exception)
            {
                _unavailable = $"the PostgreSQL test cluster did not start: {exception.Message}";
            }
        }
    }

    /// <summary>Runs a server binary (as <c>nobody</c> when we are root) and waits; a non-zero exit throws with its output.</summary>
    private static void Run(string program, string arguments, bool asRoot = false)
    {
        var root = Environment.UserName == "root";
        var path = program.StartsWith('/') ? program : Path.Combine(BinDirectory, program);
        var start = root && !asRoot
            ? new ProcessStartInfo("runuser", $"-u nobody -- {path} {arguments}")
            : new ProcessStartInfo(path, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {errors.Result.Trim()} {output.Result.Trim()}".Trim());
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
