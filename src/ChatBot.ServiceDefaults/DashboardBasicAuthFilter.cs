using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;

namespace ChatBot.ServiceDefaults;

/// <summary>
/// HTTP basic auth for the Hangfire dashboard (RFC 7617): user <see cref="OpsOptions.DashboardUser"/> and the
/// configured password, compared in constant time over SHA-256 digests so neither the length nor a prefix of
/// the password leaks through timing. A missing or wrong login gets 401 with a <c>WWW-Authenticate</c> challenge.
/// </summary>
internal sealed class DashboardBasicAuthFilter(string password) : IDashboardAuthorizationFilter
{
    private readonly byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(OpsOptions.DashboardUser + ":" + password));

    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (IsValid(http.Request.Headers.Authorization.ToString()))
        {
            return true;
        }

        http.Response.Headers.WWWAuthenticate = "Basic realm=\"ChatBot jobs\", charset=\"UTF-8\"";
        return false;
    }

    internal bool IsValid(string? authorization)
    {
        if (!AuthenticationHeaderValue.TryParse(authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return false;
        }

        byte[] credentials;
        try
        {
            credentials = Convert.FromBase64String(header.Parameter);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(credentials), expected);
    }
}
