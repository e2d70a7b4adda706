namespace ChatBot.Host.Tests;

/// <summary>
/// The console chat end to end: the real bot binary, stdin piped, a real database file in a temp
/// directory. This is exactly what the README's run command does.
/// </summary>
public sealed class ConsoleChatTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chatbot-host-").FullName;

    private string DatabasePath => Path.Combine(_directory, "data", "chatbot.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Piping_the_tour_lists_drills_coaches_rotation_corrects_a_typo_and_logs_a_streak()
    {
        var run = await RunBotAsync(
            "/drill list",
            "/drill rotation",
            "/drill rotaton",
            "/drill done",
            "/drill streak",
            "/drill leaderboard");

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Output.ShouldContain("extension");
        run.Output.ShouldContain("catcamel");
        run.Output.ShouldContain("Upper back break: Quadruped thoracic rotation");
        run.Output.ShouldContain("5/5 Do 10–15 slow reps");
        run.Output.ShouldContain("Unknown drill 'rotaton'. Did you mean rotation?");
        run.Output.ShouldContain("Logged ✅ a break on your own");
        run.Output.ShouldContain("Your first break: your streak starts today. Streak: 1 day 🔥");
        run.Output.ShouldContain("Your streak: 1 day");
        run.Output.ShouldContain("Consistency: 1 of the 1 workday since you started");
        run.Output.ShouldNotContain("missed");
        run.Output.ShouldMatch(@"🥇 \S+: streak 1 day");
    }

    [Fact]
    public async Task The_done_button_is_tapped_by_typing_its_label_and_counts_once()
    {
        var run = await RunBotAsync("/drill extension", "done", "done", "/drill streak");

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Output.ShouldContain("[ Done ]  type \"done\" to tap it");
        run.Output.ShouldContain("Logged ✅ Bench thoracic extension.");
        run.Output.ShouldContain("Already counted");
        run.Output.ShouldContain("Breaks in total: 1");
    }

    [Fact]
    public async Task Snooze_is_offered_as_a_word_and_a_daily_reminder_is_set_shown_and_stopped()
    {
        var run = await RunBotAsync("/drill rotation", "snooze", "snooze", "/drill remind 9:00", "/drill remind", "/drill remind off", "/drill remind 25:00", "/drill help");

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Output.ShouldContain("[ Remind me in 10 min ]  type \"snooze\" to tap it");
        run.Output.ShouldMatch(@"I'll remind you at \d\d:\d\d \(your time\)\.");
        run.Output.ShouldMatch(@"Already set: I'll remind you at \d\d:\d\d \(your time\)\.");
        run.Output.ShouldContain("Daily reminder set: on your workdays at 09:00");
        run.Output.ShouldContain("Your daily reminder: workdays at 09:00");
        run.Output.ShouldContain("Daily reminder off.");
        run.Output.ShouldContain("I can't read '25:00' as a reminder time");
        run.Output.ShouldContain("/drill remind HH:MM|off");
    }

    [Fact]
    public async Task Drill_stats_prints_the_digest_and_saves_its_chart_under_data_digests()
    {
        var run = await RunBotAsync("/drill done", "/drill stats", "/drill stats month");

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Output.ShouldContain("Upper back breaks in #console");
        run.Output.ShouldContain("1 break by 1 person this week");
        var saved = Directory.GetFiles(Path.Combine(_directory, "data", "digests"), "digest-week-*.png").ShouldHaveSingleItem();
        run.Output.ShouldContain("chart saved to " + saved);
        File.ReadAllBytes(saved)[..4].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47 });
        run.Output.ShouldContain("less than 10 minutes ago", Case.Sensitive, "a second digest right away is refused");
    }

    [Fact]
    public async Task Away_days_are_set_shown_after_a_restart_and_ended_and_bad_dates_get_an_answer()
    {
        var first = await RunBotAsync("/drill done", "/drill away 3", "/drill away until 2026-02-30", "/drill away until 1999-01-01", "/drill streak");

        first.ExitCode.ShouldBe(0, first.Errors);
        first.Output.ShouldContain("(3 days, in ");
        first.Output.ShouldContain("2026-02-30 is not a date in the calendar: February 2026 has 28 days.");
        first.Output.ShouldContain("1999-01-01 is in the past");
        first.Output.ShouldContain("✅ done while away: counts (your first break)");

        var second = await RunBotAsync("/drill away", "/drill away off", "/drill help");

        second.ExitCode.ShouldBe(0, second.Errors);
        second.Output.ShouldContain("(3 days, now)");
        second.Output.ShouldContain("Welcome back! Removed 3 away days from today");
        second.Output.ShouldContain("/drill away <days>|until YYYY-MM-DD|off");
    }

    [Fact]
    public async Task Data_survives_a_restart()
    {
        (await RunBotAsync("/drill done")).ExitCode.ShouldBe(0);
        File.Exists(DatabasePath).ShouldBeTrue();

        var second = await RunBotAsync("/drill streak", "/drill now");

        second.Output.ShouldContain("Breaks in total: 1");
        second.Output.ShouldContain("Your streak: 1 day");
    }

    [Fact]
    public async Task The_rotation_continues_across_restarts()
    {
        (await RunBotAsync("/drill now")).Output.ShouldContain("Upper back break: Bench thoracic extension");
        (await RunBotAsync("/drill now")).Output.ShouldContain("Upper back break: Quadruped thoracic rotation");
        (await RunBotAsync("/drill now")).Output.ShouldContain("Upper back break: Rock-back cat-camel");
    }

    [Fact]
    public async Task Junk_lines_get_answers_and_the_bot_keeps_going()
    {
        var run = await RunBotAsync("hello there", "/deploy", "/drill ☃☃☃ \u0007", "/drill leaderboard forever", "/drill tz Mars/Olympus", "/drill list");

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Output.ShouldContain("Commands start with /drill");
        run.Output.ShouldContain("The only command here is /drill");
        run.Output.ShouldContain("I don't know");
        run.Output.ShouldContain("Unknown period 'forever'");
        run.Output.ShouldContain("'Mars/Olympus' is not a time zone I know");
        run.Output.ShouldContain("Rock-back cat-camel"); // the last line was still answered
    }

    [Fact]
    public async Task Pasted_lines_with_unicode_spaces_and_invisible_characters_are_commands_too()
    {
        var run = await RunBotAsync("\uFEFF/drill\u00A0list", "/drill\u3000done\u200B", "/drill\tstreak\u2060", "/drill\u200B leaderboard\u202Fall");

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Output.ShouldNotContain("The only command here is /drill");
        run.Output.ShouldNotContain("Unknown");
        run.Output.ShouldContain("Rock-back cat-camel");
        run.Output.ShouldContain("Logged ✅ a break on your own");
        run.Output.ShouldContain("Your streak: 1 day");
        run.Output.ShouldContain("Leaderboard, all time");
    }

    [Fact]
    public async Task Tz_takes_any_spelling_of_a_zone_and_suggests_one_for_a_typo()
    {
        var run = await RunBotAsync("/drill tz europe/berlin", "/drill tz Europe/Berln", "/drill tz");

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Output.ShouldContain("Your time zone is now Europe/Berlin");
        run.Output.ShouldContain("'Europe/Berln' is not a time zone I know. Did you mean Europe/Berlin?");
        run.Output.ShouldContain("Your days are counted in Europe/Berlin");
    }

    [Fact]
    public async Task A_bad_setting_stops_the_bot_at_start_naming_the_key()
    {
        var run = await RunBotAsync(["/drill list"], ("Breaks__Workdays", "Funday"));

        run.ExitCode.ShouldBe(2);
        run.Errors.ShouldContain("Breaks:Workdays");
        run.Output.ShouldNotContain("Drills");
    }

    [Fact]
    public async Task A_bad_time_zone_setting_names_the_key()
    {
        var run = await RunBotAsync(["/drill list"], ("Breaks__DefaultTimeZone", "Nowhere/Special"));

        run.ExitCode.ShouldBe(2);
        run.Errors.ShouldContain("Breaks:DefaultTimeZone 'Nowhere/Special'");
    }

    [Fact]
    public async Task A_taken_ops_port_is_named_and_the_console_chat_still_answers()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var run = await RunBotAsync(["/drill list"], ("Ops__HttpUrl", $"http://127.0.0.1:{port}"));

        run.ExitCode.ShouldBe(0, run.Errors);
        run.Output.ShouldContain("Rock-back cat-camel");
        run.Errors.ShouldContain($"could not bind Ops:HttpUrl http://127.0.0.1:{port}");
        run.Errors.ShouldContain("Ops__Enabled=false");
    }

    private Task<BotRun> RunBotAsync(params string[] lines) => RunBotAsync(lines, []);

    private Task<BotRun> RunBotAsync(string[] lines, params (string Key, string Value)[] environment) =>
        BotProcess.RunAsync(_directory, lines, [("Storage__Path", DatabasePath), .. environment]);
}
