namespace ChatBot.Core.Tests;

public sealed class TimeZonesTests
{
    [Theory]
    [InlineData("europe/berlin", "Europe/Berlin")]
    [InlineData("  America/New_York ", "America/New_York")]
    [InlineData("utc", "UTC")]
    [InlineData("UTC", "UTC")]
    [InlineData("Asia/Kolkata", "Asia/Kolkata")]
    [InlineData("ASIA/KOLKATA", "Asia/Kolkata")]
    public void TryFind_returns_the_zone_in_its_canonical_spelling(string typed, string canonical)
    {
        TimeZones.TryFind(typed, out var zone).ShouldBeTrue();
        zone.Id.ShouldBe(canonical);
    }

    [Theory]
    [InlineData("Berlin")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Pacific Standard Time")]
    [InlineData("W. Europe Standard Time")]
    [InlineData("")]
    public void TryFind_refuses_what_is_not_an_IANA_zone(string typed) => TimeZones.TryFind(typed, out _).ShouldBeFalse();

    [Fact]
    public void Suggest_names_the_zone_a_typo_meant() => TimeZones.Suggest("Europe/Berln").ShouldBe("Europe/Berlin");
}
