using ChatBot.Core;
using Dapper;
using static ChatBot.Data.Tests.TestStore;

namespace ChatBot.Data.Tests;

public abstract class UserStoreTests(StoreEngine engine)
{
    [Fact]
    public async Task An_unknown_person_has_no_profile()
    {
        var store = new TestStore(engine.NewDatabase());

        (await store.Users.GetAsync(Team, "U-nobody", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Seeing_a_person_again_updates_their_display_name()
    {
        var store = new TestStore(engine.NewDatabase());

        await store.Users.SeenAsync(Team, new ChatUser("U1", "ada"), Ct);
        await store.Users.SeenAsync(Team, new ChatUser("U1", "Ada Lovelace"), Ct);

        (await store.Users.GetAsync(Team, "U1", Ct)).ShouldBe(new Core.Ports.UserProfile(Team, "U1", "Ada Lovelace", null, null));
    }

    [Fact]
    public async Task The_platform_zone_is_kept_when_a_later_sighting_has_none_and_replaced_by_a_new_one()
    {
        var store = new TestStore(engine.NewDatabase());

        await store.Users.SeenAsync(Team, new ChatUser("U1", "Ada", "Europe/London"), Ct);
        await store.Users.SeenAsync(Team, new ChatUser("U1", "Ada"), Ct);
        (await store.Users.GetAsync(Team, "U1", Ct))!.PlatformTimeZoneId.ShouldBe("Europe/London");

        await store.Users.SeenAsync(Team, new ChatUser("U1", "Ada", "America/New_York"), Ct);
        (await store.Users.GetAsync(Team, "U1", Ct))!.PlatformTimeZoneId.ShouldBe("America/New_York");
    }

    [Fact]
    public async Task An_explicit_zone_is_set_and_cleared_without_touching_the_platform_zone()
    {
        var store = new TestStore(engine.NewDatabase());
        await store.Users.SeenAsync(Team, new ChatUser("U1", "Ada", "Europe/London"), Ct);

        await store.Users.SetTimeZoneAsync(Team, "U1", "Asia/Tokyo", Ct);
        (await store.Users.GetAsync(Team, "U1", Ct)).ShouldBe(new Core.Ports.UserProfile(Team, "U1", "Ada", "Asia/Tokyo", "Europe/London"));
        // A later sighting (with or without a platform zone) leaves the person's own choice alone.
        await store.Users.SeenAsync(Team, new ChatUser("U1", "Ada", "Europe/Paris"), Ct);
        (await store.Users.GetAsync(Team, "U1", Ct))!.TimeZoneId.ShouldBe("Asia/Tokyo");

        await store.Users.SetTimeZoneAsync(Team, "U1", null, Ct);
        (await store.Users.GetAsync(Team, "U1", Ct)).ShouldBe(new Core.Ports.UserProfile(Team, "U1", "Ada", null, "Europe/Paris"));
    }

    [Fact]
    public async Task A_zone_set_before_the_person_was_seen_creates_the_profile_and_survives_the_first_sighting()
    {
        var store = new TestStore(engine.NewDatabase());

        await store.Users.SetTimeZoneAsync(Team, "U1", "Asia/Tokyo", Ct);
        (await store.Users.GetAsync(Team, "U1", Ct)).ShouldBe(new Core.Ports.UserProfile(Team, "U1", "U1", "Asia/Tokyo", null));

        await store.Users.SeenAsync(Team, new ChatUser("U1", "Ada"), Ct);
        (await store.Users.GetAsync(Team, "U1", Ct)).ShouldBe(new Core.Ports.UserProfile(Team, "U1", "Ada", "Asia/Tokyo", null));
    }

    [Fact]
    public async Task Profiles_belong_to_one_team_on_one_platform()
    {
        var store = new TestStore(engine.NewDatabase());
        var otherTeam = new TeamKey(ChatPlatform.Slack, "T2");
        var discord = new TeamKey(ChatPlatform.Discord, Team.TeamId);

        await store.Users.SeenAsync(Team, new ChatUser("U1", "Ada"), Ct);
        await store.Users.SetTimeZoneAsync(otherTeam, "U1", "Asia/Tokyo", Ct);

        (await store.Users.GetAsync(Team, "U1", Ct))!.TimeZoneId.ShouldBeNull();
        (await store.Users.GetAsync(otherTeam, "U1", Ct))!.DisplayName.ShouldBe("U1");
        (await store.Users.GetAsync(discord, "U1", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task The_channel_zone_is_looked_up_per_channel()
    {
        var store = new TestStore(engine.NewDatabase());
        (await store.Users.GetTimeZoneAsync(General, Ct)).ShouldBeNull();
        // The scheduling issue writes channel zones; here the row is put in directly.
        await using (var connection = store.OpenRaw())
        {
            await connection.ExecuteAsync(
                "INSERT INTO channels (platform, team_id, channel_id, time_zone) VALUES ('slack', @TeamId, @ChannelId, 'Europe/Berlin');",
                new { General.TeamId, General.ChannelId });
            await connection.ExecuteAsync(
                "INSERT INTO channels (platform, team_id, channel_id, time_zone) VALUES ('discord', @TeamId, @ChannelId, 'Asia/Tokyo');",
                new { General.TeamId, General.ChannelId });
        }

        (await store.Users.GetTimeZoneAsync(General, Ct)).ShouldBe("Europe/Berlin");
        (await store.Users.GetTimeZoneAsync(General with { Platform = ChatPlatform.Discord }, Ct)).ShouldBe("Asia/Tokyo");
        (await store.Users.GetTimeZoneAsync(Other, Ct)).ShouldBeNull();
    }
}

public sealed class UserStoreTestsOnSqlite(TempDirectoryFixture engine) : UserStoreTests(engine), IClassFixture<TempDirectoryFixture>;

public sealed class UserStoreTestsOnPostgres(PostgresCluster cluster) : UserStoreTests(new PostgresEngine(cluster));
