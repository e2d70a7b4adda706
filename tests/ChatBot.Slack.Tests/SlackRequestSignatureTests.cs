using System.Text;
using Shouldly;

namespace ChatBot.Slack.Tests;

public sealed class SlackRequestSignatureTests
{
    // Slack's published example (docs "Verifying requests from Slack"; protocols.md B8).
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private const string Signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly DateTimeOffset Then = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    [Fact]
    public void PublishedTestVector_Passes()
    {
        SlackRequestSignature.Compute(Secret, Timestamp, Encoding.UTF8.GetBytes(Body)).ShouldBe(Signature);
        SlackRequestSignature.IsValid(Secret, Timestamp, Signature, Encoding.UTF8.GetBytes(Body), Then.AddSeconds(30)).ShouldBeTrue();
    }

    [Fact]
    public void TamperedBody_Fails()
    {
        SlackRequestSignature.IsValid(Secret, Timestamp, Signature, Encoding.UTF8.GetBytes(Body.Replace("roadrunner", "coyote", StringComparison.Ordinal)), Then).ShouldBeFalse();
    }

    [Fact]
    public void StaleTimestamp_Fails()
    {
        SlackRequestSignature.IsValid(Secret, Timestamp, Signature, Encoding.UTF8.GetBytes(Body), Then.AddMinutes(5).AddSeconds(1)).ShouldBeFalse();
        SlackRequestSignature.IsValid(Secret, Timestamp, Signature, Encoding.UTF8.GetBytes(Body), Then.AddMinutes(-6)).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null, Signature)]
    [InlineData(Timestamp, null)]
    [InlineData("not-a-number", Signature)]
    [InlineData(Timestamp, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504")]
    [InlineData(Timestamp, "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
    public void MissingOrForgedHeaders_Fail(string? timestamp, string? signature)
    {
        SlackRequestSignature.IsValid(Secret, timestamp, signature, Encoding.UTF8.GetBytes(Body), Then).ShouldBeFalse();
    }

    [Fact]
    public void WrongSecret_Fails()
    {
        SlackRequestSignature.IsValid("another-secret", Timestamp, Signature, Encoding.UTF8.GetBytes(Body), Then).ShouldBeFalse();
    }
}
