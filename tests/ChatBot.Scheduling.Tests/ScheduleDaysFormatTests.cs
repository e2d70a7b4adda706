using ChatBot.Core;
using ChatBot.Core.Schedules;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

public sealed class ScheduleDaysFormatTests
{
    [Theory]
    [InlineData(null, ScheduleDays.Weekdays)]
    [InlineData("", ScheduleDays.Weekdays)]
    [InlineData("weekdays", ScheduleDays.Weekdays)]
    [InlineData("WEEKDAYS", ScheduleDays.Weekdays)]
    [InlineData("daily", ScheduleDays.Daily)]
    [InlineData("weekends", ScheduleDays.Weekends)]
    [InlineData("mon-fri", ScheduleDays.Weekdays)]
    [InlineData("Mon-Fri", ScheduleDays.Weekdays)]
    [InlineData("mon-sun", ScheduleDays.Daily)]
    [InlineData("sat-sun", ScheduleDays.Weekends)]
    [InlineData("fri-mon", ScheduleDays.Friday | ScheduleDays.Saturday | ScheduleDays.Sunday | ScheduleDays.Monday)]
    [InlineData("mon,wed,fri", ScheduleDays.Monday | ScheduleDays.Wednesday | ScheduleDays.Friday)]
    [InlineData("mon, wed ,fri", ScheduleDays.Monday | ScheduleDays.Wednesday | ScheduleDays.Friday)]
    [InlineData("monday,tuesday", ScheduleDays.Monday | ScheduleDays.Tuesday)]
    [InlineData("mon-wed,fri", ScheduleDays.Monday | ScheduleDays.Tuesday | ScheduleDays.Wednesday | ScheduleDays.Friday)]
    [InlineData("tue", ScheduleDays.Tuesday)]
    [InlineData("thurs", ScheduleDays.Thursday)]
    [InlineData("wed,wed", ScheduleDays.Wednesday)]
    public void TryParse_AcceptedForms_GiveTheDays(string? text, ScheduleDays expected)
    {
        ScheduleDaysFormat.TryParse(text, out var days).ShouldBeTrue();
        days.ShouldBe(expected);
    }

    [Theory]
    [InlineData("mon-fro")]
    [InlineData("funday")]
    [InlineData(",,")]
    [InlineData("mon-")]
    [InlineData("-fri")]
    [InlineData("mon;wed")]
    [InlineData("1-5")]
    [InlineData("mon,xyz")]
    public void TryParse_Nonsense_IsRefused(string text)
    {
        ScheduleDaysFormat.TryParse(text, out var days).ShouldBeFalse();
        days.ShouldBe(ScheduleDays.None);
    }

    [Theory]
    [InlineData(ScheduleDays.Weekdays, "weekdays", "1-5")]
    [InlineData(ScheduleDays.Daily, "daily", "*")]
    [InlineData(ScheduleDays.Weekends, "weekends", "0,6")]
    [InlineData(ScheduleDays.Monday | ScheduleDays.Wednesday | ScheduleDays.Friday, "mon,wed,fri", "1,3,5")]
    [InlineData(ScheduleDays.Sunday | ScheduleDays.Monday, "mon,sun", "0,1")]
    public void Format_And_Cron_AreCanonical(ScheduleDays days, string text, string cron)
    {
        ScheduleDaysFormat.Format(days).ShouldBe(text);
        ScheduleDaysFormat.ToCronField(days).ShouldBe(cron);
        ScheduleDaysFormat.TryParse(text, out var back).ShouldBeTrue();
        back.ShouldBe(days);
    }

    [Theory]
    [InlineData(ScheduleDays.Daily, "every day")]
    [InlineData(ScheduleDays.Weekdays, "on weekdays")]
    [InlineData(ScheduleDays.Tuesday | ScheduleDays.Thursday, "on tue,thu")]
    public void Describe_ReadsInASentence(ScheduleDays days, string text) => ScheduleDaysFormat.Describe(days).ShouldBe(text);

    [Fact]
    public void ToCronField_NoDays_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => ScheduleDaysFormat.ToCronField(ScheduleDays.None));
}

public sealed class SlotTimeTests
{
    [Theory]
    [InlineData("09:30", 9, 30)]
    [InlineData("9:30", 9, 30)]
    [InlineData(" 14:05 ", 14, 5)]
    [InlineData("00:00", 0, 0)]
    [InlineData("23:59", 23, 59)]
    public void TryParse_ValidTimes(string text, int hour, int minute)
    {
        SlotTime.TryParse(text, out var time).ShouldBeTrue();
        time.ShouldBe(new TimeOnly(hour, minute));
    }

    [Theory]
    [InlineData("24:00")]
    [InlineData("09:60")]
    [InlineData("9.30")]
    [InlineData("0930")]
    [InlineData("09:3")]
    [InlineData("-1:00")]
    [InlineData("+9:30")]
    [InlineData("09:30:00")]
    [InlineData("9am")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("٠٩:٣٠")]
    [InlineData("123:00")]
    public void TryParse_InvalidTimes(string text) => SlotTime.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public void Compact_RoundTrips()
    {
        SlotTime.Compact(new TimeOnly(7, 5)).ShouldBe("0705");
        SlotTime.TryParseCompact("0705", out var time).ShouldBeTrue();
        time.ShouldBe(new TimeOnly(7, 5));
        SlotTime.TryParseCompact("2460", out _).ShouldBeFalse();
        SlotTime.TryParseCompact("07:05", out _).ShouldBeFalse();
    }
}

public sealed class ZoneNamesTests
{
    [Theory]
    [InlineData("Europe/Berlin", "Europe/Berlin")]
    [InlineData("europe/berlin", "Europe/Berlin")]
    [InlineData("America/New_York", "America/New_York")]
    [InlineData("UTC", "UTC")]
    [InlineData("utc", "UTC")]
    [InlineData(" Asia/Kolkata ", "Asia/Kolkata")]
    public void TryFind_KnownIanaZones_InCanonicalSpelling(string name, string id)
    {
        TimeZones.TryFind(name, out var zone).ShouldBeTrue();
        zone.Id.ShouldBe(id);
    }

    [Theory]
    [InlineData("Mars/Phobos")]
    [InlineData("Eastern Standard Time")]
    [InlineData("CET5")]
    [InlineData("")]
    [InlineData("../../etc/passwd")]
    [InlineData(null)]
    public void TryFind_UnknownOrNonIana_IsRefused(string? name) => TimeZones.TryFind(name, out _).ShouldBeFalse();

    [Fact]
    public void Suggest_ClosestZone() => TimeZones.Suggest("Europe/Berln").ShouldBe("Europe/Berlin");

    [Fact]
    public void Suggest_NothingClose() => TimeZones.Suggest("completely wrong text here").ShouldBeNull();
}
