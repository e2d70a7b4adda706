using System.Text.Json;

namespace ChatBot.Host.Tests;

/// <summary><c>Logging:Console:FormatterName=json</c>: the real binary writes one JSON object per line, with the trace id.</summary>
public sealed class JsonLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chatbot-json-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Json_console_logs_are_one_object_per_line_and_carry_the_trace_id_of_the_platform_call()
    {
        await using var slack = new LoopbackHttpStub(200, "OK", """{"ok":false,"error":"invalid_auth"}""");

        var run = await BotProcess.RunAsync(_directory, [],
        [
            ("Storage__Path", Path.Combine(_directory, "chatbot.db")),
            ("Slack__BotToken", "xoxb-fake-0000000000-json"),
            ("Slack__AppToken", "xapp-fake-0000000000-json"),
            ("Slack__ApiBaseUrl", slack.BaseUrl + "api/"),
            ("Logging__Console__FormatterName", "json"),
        ]);

        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.ShouldNotBeEmpty();
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList(); // every line is one JSON object
        var fatal = entries.Single(e => e.GetProperty("LogLevel").GetString() == "Critical");
        fatal.GetProperty("EventId").GetInt32().ShouldBe(1);
        fatal.GetProperty("Message").GetString()!.ShouldContain("invalid_auth");
        fatal.GetProperty("Timestamp").GetString()!.ShouldEndWith("Z");
        var traceId = fatal.GetProperty("Scopes").EnumerateArray()
            .Where(scope => scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("TraceId", out _))
            .Select(scope => scope.GetProperty("TraceId").GetString() ?? "")
            .Single();
        traceId.ShouldMatch("^[0-9a-f]{32}$");
        run.Output.ShouldNotContain("xoxb-fake-0000000000-json");
    }
}
