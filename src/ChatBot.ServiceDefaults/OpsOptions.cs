using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ChatBot.ServiceDefaults;

/// <summary>The <c>Ops</c> configuration section: the operations listener (health, metrics, job dashboard).</summary>
public sealed partial class OpsOptions
{
    public const string SectionName = "Ops";

    /// <summary>User name of the dashboard's HTTP basic auth.</summary>
    public const string DashboardUser = "admin";

    /// <summary>Shortest <see cref="DashboardPassword"/> accepted: a guessable one would leave the jobs open.</summary>
    public const int MinimumPasswordLength = 12;

    /// <summary>Run the listener at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where the listener binds: one <c>http://host:port</c> URL. Loopback by default; the container sets
    /// <c>http://0.0.0.0:8080</c> so its platform can probe and scrape it. Port 0 picks a free port.
    /// </summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Turns the Hangfire dashboard on at <c>/hangfire</c>, behind basic auth as <c>admin</c> with this password (at least <see cref="MinimumPasswordLength"/> characters). Off when empty.</summary>
    public string? DashboardPassword { get; set; }

    /// <summary>Lets the dashboard's users trigger, requeue and delete jobs. Read-only when false.</summary>
    public bool DashboardWritable { get; set; }

    /// <summary>Checks <see cref="OpsOptions"/> at start; a failure names the key.</summary>
    internal sealed partial class Validator : IValidateOptions<OpsOptions>
    {
        public ValidateOptionsResult Validate(string? name, OpsOptions options)
        {
            if (!options.Enabled)
            {
                return ValidateOptionsResult.Success;
            }

            if (string.IsNullOrWhiteSpace(options.HttpUrl) || !HttpUrlPattern().IsMatch(options.HttpUrl))
            {
                return ValidateOptionsResult.Fail($"Ops:HttpUrl '{options.HttpUrl}' must be an http://host:port URL (e.g. http://127.0.0.1:8080, or port 0 for any free port)");
            }

            if (!string.IsNullOrEmpty(options.DashboardPassword) && options.DashboardPassword.Length < MinimumPasswordLength)
            {
                return ValidateOptionsResult.Fail($"Ops:DashboardPassword must be at least {MinimumPasswordLength} characters (it guards the job dashboard); leave it empty to keep the dashboard off");
            }

            return ValidateOptionsResult.Success;
        }

        [GeneratedRegex(@"^http://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-*+]+):\d{1,5}/?$")]
        private static partial Regex HttpUrlPattern();
    }
}
