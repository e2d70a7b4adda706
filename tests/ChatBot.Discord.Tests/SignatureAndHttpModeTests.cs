using System.Net;
using System.Text;
using ChatBot.Discord.Http;
using ChatBot.Discord.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Math.EC.Rfc8032;
using Shouldly;
using Xunit;

namespace ChatBot.Discord.Tests;

public sealed class SignatureAndHttpModeTests
{
    // RFC 8032 §7.1 TEST 1 (secret key and public key) and TEST 2.
    private const string Test1Secret = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private const string Test1Public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Test1Signature =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    private const string Test2Public = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    private const string Test2Signature =
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    [Fact]
    public void Rfc8032_vectors_verify()
    {
        DiscordSignature.Verify(Convert.FromHexString(Test1Public), [], Convert.FromHexString(Test1Signature)).ShouldBeTrue();
        DiscordSignature.Verify(Convert.FromHexString(Test2Public), [0x72], Convert.FromHexString(Test2Signature)).ShouldBeTrue();
    }

    [Fact]
    public void Tampered_messages_keys_and_signatures_are_rejected()
    {
        DiscordSignature.Verify(Convert.FromHexString(Test2Public), [0x73], Convert.FromHexString(Test2Signature)).ShouldBeFalse();
        DiscordSignature.Verify(Convert.FromHexString(Test1Public), [0x72], Convert.FromHexString(Test2Signature)).ShouldBeFalse();
        var flipped = Convert.FromHexString(Test1Signature);
        flipped[10] ^= 1;
        DiscordSignature.Verify(Convert.FromHexString(Test1Public), [], flipped).ShouldBeFalse();
        DiscordSignature.Verify(Convert.FromHexString(Test1Public), [], flipped.AsSpan(0, 10)).ShouldBeFalse();
    }

    [Fact]
    public void A_request_signature_covers_timestamp_and_raw_body()
    {
        var body = Encoding.UTF8.GetBytes("""{"type":1,"id":"1"}""");
        var signature = Sign("1764061200", body);
        DiscordSignature.VerifyRequest(Test1Public, signature, "1764061200", body).ShouldBeTrue();
        DiscordSignature.VerifyRequest(Test1Public, signature, "1764061201", body).ShouldBeFalse();
        DiscordSignature.VerifyRequest(Test1Public, signature, "1764061200", Encoding.UTF8.GetBytes("""{"type":1, "id":"1"}""")).ShouldBeFalse();
        DiscordSignature.VerifyRequest(Test1Public, "zz", "1764061200", body).ShouldBeFalse();
        DiscordSignature.VerifyRequest(Test1Public, null, "1764061200", body).ShouldBeFalse();
    }

    [Fact]
    public void Timestamps_more_than_five_minutes_from_now_are_not_fresh()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1764061200);
        DiscordSignature.IsFresh("1764061200", now).ShouldBeTrue();
        DiscordSignature.IsFresh("1764060900", now).ShouldBeTrue();
        DiscordSignature.IsFresh("1764061500", now).ShouldBeTrue();
        DiscordSignature.IsFresh("1764060899", now).ShouldBeFalse();
        DiscordSignature.IsFresh("1764061501", now).ShouldBeFalse();
        DiscordSignature.IsFresh("-5", now).ShouldBeFalse();
        DiscordSignature.IsFresh("soon", now).ShouldBeFalse();
        DiscordSignature.IsFresh(null, now).ShouldBeFalse();
    }

    [Fact]
    public async Task Http_mode_refuses_stale_timestamps_and_replayed_signatures_with_401()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1764061200));
        await using var harness = await DiscordHarness.StartAsync(clock, s =>
        {
            s["Discord:PublicKey"] = Test1Public;
            s["Discord:HttpUrl"] = "http://127.0.0.1:0";
        });
        var endpoint = harness.Services.GetRequiredService<DiscordHttpInteractionsHostedService>();
        await endpoint.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            using var http = new HttpClient { BaseAddress = endpoint.BoundAddress };
            var click = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Payloads", "button_done.json"));

            // Correctly signed, but six minutes old (or six minutes ahead): a captured request replayed later.
            using (var old = await PostAsync(http, click, Sign("1764060840", click), "1764060840"))
            {
                old.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            }

            using (var ahead = await PostAsync(http, click, Sign("1764061560", click), "1764061560"))
            {
                ahead.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            }

            harness.Handler.ClickCalls.ShouldBe(0);

            var signature = Sign("1764061190", click);
            using (var accepted = await PostAsync(http, click, signature, "1764061190"))
            {
                accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            }

            // The same signed request again, still inside the window: refused before it reaches the bot.
            clock.Advance(TimeSpan.FromMinutes(4));
            using (var replay = await PostAsync(http, click, signature, "1764061190"))
            {
                replay.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            }

            harness.Handler.ClickCalls.ShouldBe(1);
            harness.Logs.Lines.ShouldContain(l => l.Contains("replayed", StringComparison.Ordinal));
            harness.Fake.Requests.Count(r => r.Path.EndsWith("/callback", StringComparison.Ordinal)).ShouldBe(1);
        }
        finally
        {
            await endpoint.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Http_mode_answers_ping_with_pong_rejects_bad_signatures_and_handles_signed_clicks()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1764061200));
        await using var harness = await DiscordHarness.StartAsync(clock, s =>
        {
            s["Discord:PublicKey"] = Test1Public;
            s["Discord:HttpUrl"] = "http://127.0.0.1:0";
        });
        var endpoint = harness.Services.GetRequiredService<DiscordHttpInteractionsHostedService>();
        await endpoint.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            using var http = new HttpClient { BaseAddress = endpoint.BoundAddress };
            var ping = Encoding.UTF8.GetBytes("""{"type":1,"id":"1","application_id":"111","token":"t","version":1}""");
            using (var pong = await PostAsync(http, ping, Sign("1764061100", ping), "1764061100"))
            {
                pong.StatusCode.ShouldBe(HttpStatusCode.OK);
                (await pong.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("""{"type":1}""");
            }

            var click = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Payloads", "button_done.json"));
            using (var forged = await PostAsync(http, click, Sign("1764061100", ping), "1764061100"))
            {
                forged.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            }

            var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(click).Replace("done:42", "done:43", StringComparison.Ordinal));
            using (var modified = await PostAsync(http, tampered, Sign("1764061100", click), "1764061100"))
            {
                modified.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            }

            harness.Handler.ClickCalls.ShouldBe(0);
            harness.Fake.Requests.ShouldBeEmpty();

            using (var accepted = await PostAsync(http, click, Sign("1764061200", click), "1764061200"))
            {
                accepted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            }

            var callback = await harness.Fake.NextRequestAsync(r => r.Path.EndsWith("/callback", StringComparison.Ordinal));
            callback.Json.GetProperty("type").GetInt32().ShouldBe(7);
            harness.Handler.ClickCalls.ShouldBe(1);
        }
        finally
        {
            await endpoint.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, byte[] body, string signature, string timestamp)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/discord/interactions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Signature-Ed25519", signature);
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static string Sign(string timestamp, byte[] body)
    {
        var message = Encoding.UTF8.GetBytes(timestamp).Concat(body).ToArray();
        var signature = new byte[Ed25519.SignatureSize];
        Ed25519.Sign(Convert.FromHexString(Test1Secret), 0, message, 0, message.Length, signature, 0);
        return Convert.ToHexStringLower(signature);
    }
}
