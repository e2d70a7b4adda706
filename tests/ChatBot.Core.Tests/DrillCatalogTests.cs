using ChatBot.Core.Drills;

namespace ChatBot.Core.Tests;

public class DrillCatalogTests
{
    [Fact]
    public void The_shipped_catalogue_has_the_three_drills_and_the_warmup()
    {
        var catalog = TestCatalog.Shipped;
        catalog.Drills.Select(d => d.Id).ShouldBe(["extension", "rotation", "catcamel", "warmup"]);
        catalog.TryFind("flexion", out var flexion).ShouldBeTrue();
        flexion.Id.ShouldBe("catcamel");
        catalog.Drills.ShouldAllBe(d => d.Cues.Count >= 3 && d.Safety.Contains("hurts"));
    }

    [Fact]
    public void The_warmup_coaches_cat_camel_then_rotation_then_extension()
    {
        var warmup = TestCatalog.Shipped.Get("warmup");
        var catalog = TestCatalog.Shipped;
        warmup.Cues.Count.ShouldBe(catalog.Get("catcamel").Cues.Count + catalog.Get("rotation").Cues.Count + catalog.Get("extension").Cues.Count + 3);
        warmup.Cues[0].ShouldContain(catalog.Get("catcamel").Title);
        warmup.Cues.ShouldContain(c => c.Contains(catalog.Get("extension").Title));
    }

    [Fact]
    public void The_rotation_covers_extension_rotation_and_flexion_and_never_repeats()
    {
        var catalog = TestCatalog.Shipped;
        string? last = null;
        var seen = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            var next = catalog.NextInRotation(last).Id;
            next.ShouldNotBe(last);
            seen.Add(next);
            last = next;
        }

        seen.Take(3).ShouldBe(["extension", "rotation", "catcamel"]);
        catalog.NextInRotation("warmup").Id.ShouldBe("extension");
        catalog.NextInRotation("rotation").Id.ShouldBe("catcamel");
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("""{"drills":[]}""", "has no \"drills\"")]
    [InlineData("""{"drills":[{"id":"rotation","title":"T","summary":"S","trains":"T","equipment":"E","dose":"D","safety":"S"}],"rotation":["rotation","rotation"]}""", "drill #1 'rotation': needs either \"cues\"")]
    [InlineData("""{"drills":[{"id":"Bad Id","title":"T"}]}""", "drill #1 'Bad Id': id must be one lowercase word")]
    [InlineData("""{"drills":[{"id":"rotation","summary":"S","trains":"T","equipment":"E","dose":"D","safety":"S","cues":["a"]}]}""", "drill #1 'rotation': \"title\" is missing")]
    [InlineData("""{"drills":[{"ID":7}]}""", "drills[0].id must be a string (is a number)")]
    [InlineData("""{"drills":[{"id":true}]}""", "drills[0].id must be a string (is a boolean)")]
    [InlineData("""{"drills":[{"id":"\uD800"}]}""", "not valid JSON")]
    [InlineData("""{"drills":[{"id":"rotation","cues":["a",null]}]}""", "drills[0].cues[1] must be a string (is null)")]
    [InlineData("""{"Drills":{"id":"rotation"}}""", "drills must be a list (is an object)")]
    [InlineData("""[]""", "the file must be an object (is a list)")]
    public void A_broken_catalogue_names_the_file_and_the_entry(string json, string expected)
    {
        var exception = Should.Throw<DrillCatalogException>(() => DrillCatalogLoader.Parse(json, "config/drills.json"));
        exception.Message.ShouldContain("config/drills.json");
        exception.Message.ShouldContain(expected);
    }

    [Fact]
    public void A_hand_edited_catalogue_with_comments_trailing_commas_and_any_case_loads()
    {
        const string json = """
            {
              // two drills and a rotation, as someone might write them by hand
              "Drills": [
                { "ID": "rotation", "Title": "Rotation", "summary": "S", "trains": "T", "equipment": "E", "dose": "D", "safety": "S", "cues": ["Turn.", "Breathe.",], "notes": "ignored" },
                { "id": "extension", "title": "Extension", "summary": "S", "trains": "T", "equipment": "E", "dose": "D", "safety": "S", "cues": ["Lift."] },
              ],
              "ROTATION": ["rotation", "extension"],
            }
            """;

        var catalog = DrillCatalogLoader.Parse(json, "config/drills.json");

        catalog.Drills.Select(d => d.Id).ShouldBe(["rotation", "extension"]);
        catalog.Drills[0].Title.ShouldBe("Rotation");
        catalog.Drills[0].Cues.ShouldBe(["Turn.", "Breathe."]);
        catalog.NextInRotation("rotation").Id.ShouldBe("extension");
    }

    [Fact]
    public void A_missing_catalogue_file_is_named()
    {
        var exception = Should.Throw<DrillCatalogException>(() => DrillCatalogLoader.LoadFile("/nonexistent/drills.json"));
        exception.Message.ShouldContain("/nonexistent/drills.json");
    }
}
