using Microsoft.Extensions.Configuration;

namespace ChatBot.ServiceDefaults;

/// <summary>
/// A liveness probe for containers whose image has no curl: <c>ChatBot --healthcheck</c> asks the running bot's
/// <c>GET /healthz</c> on <c>Ops:HttpUrl</c> (a wildcard host is asked on 127.0.0.1) and exits 0 on 200, else 1.
/// </summary>
public static class OpsProbe
{
    /// <summary>The probe's timeout; Docker's own HEALTHCHECK timeout should be longer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <returns>The process exit code: 0 healthy, 1 not.</returns>
    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter errors)
    {
        var options = new OpsOptions();
        configuration.GetSection(OpsOptions.SectionName).Bind(options);
        if (!options.Enabled || !Uri.TryCreate(options.HttpUrl, UriKind.Absolute, out var url) || url.Port == 0)
        {
            await errors.WriteLineAsync("healthcheck: the ops listener is off or has no fixed port (Ops:Enabled, Ops:HttpUrl)");
            return 1;
        }

        var host = url.Host is "0.0.0.0" or "*" or "+" or "[::]" ? "127.0.0.1" : url.Host;
        var target = new UriBuilder(Uri.UriSchemeHttp, host, url.Port, "/healthz").Uri;
        using var http = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await http.GetAsync(target);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await errors.WriteLineAsync($"healthcheck: {target} answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await errors.WriteLineAsync($"healthcheck: {target} did not answer ({ex.GetType().Name})");
            return 1;
        }
    }
}
