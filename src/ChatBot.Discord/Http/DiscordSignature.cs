using System.Text;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace ChatBot.Discord.Http;

/// <summary>
/// Ed25519 verification of Discord's HTTP interaction signatures: <c>X-Signature-Ed25519</c> over
/// <c>X-Signature-Timestamp</c> followed by the raw body bytes (never a re-serialized body).
/// .NET 10 has no Ed25519, so this uses BouncyCastle's managed RFC 8032 implementation.
/// </summary>
public static class DiscordSignature
{
    /// <summary>
    /// How far <c>X-Signature-Timestamp</c> (Unix seconds) may be from now, either way. Discord's docs set no
    /// window (protocols.md A4: optional defence in depth); this uses Slack's five minutes, so a captured request cannot be replayed later.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>True when <paramref name="timestamp"/> is Unix seconds within <see cref="Window"/> of <paramref name="now"/>.</summary>
    public static bool IsFresh(string? timestamp, DateTimeOffset now) =>
        long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
        && Math.Abs(now.ToUnixTimeSeconds() - seconds) <= (long)Window.TotalSeconds;

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != Ed25519.PublicKeySize || signature.Length != Ed25519.SignatureSize)
        {
            return false;
        }

        var messageBytes = message.ToArray();
        try
        {
            return Ed25519.Verify(signature.ToArray(), 0, publicKey.ToArray(), 0, messageBytes, 0, messageBytes.Length);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Checks a request: hex key and signature, timestamp header, raw body.</summary>
    public static bool VerifyRequest(string publicKeyHex, string? signatureHex, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(signatureHex) || string.IsNullOrEmpty(timestamp)
            || !TryHex(publicKeyHex, out var key) || !TryHex(signatureHex, out var signature))
        {
            return false;
        }

        var stamp = Encoding.UTF8.GetBytes(timestamp);
        var message = new byte[stamp.Length + body.Length];
        stamp.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(stamp.Length));
        return Verify(key, message, signature);
    }

    private static bool TryHex(string hex, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
