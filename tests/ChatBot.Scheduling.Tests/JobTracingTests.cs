using System.Collections.Concurrent;
using System.Diagnostics;
using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Core.Schedules;
using ChatBot.Scheduling.Tests.Fakes;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace ChatBot.Scheduling.Tests;

/// <summary>Every job of a scheduled break is a span linked to the slot job that started it, however long the chain.</summary>
public sealed class JobTracingTests
{
    // Wednesday 25 November 2026, 09:30 in UTC.
    private static readonly DateTimeOffset SlotInstant = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_prompt_and_cue_jobs_of_a_scheduled_break_are_spans_linked_to_its_channels_slot_span()
    {
        var channel = new ChannelKey(ChatPlatform.Console, "console", "traced-" + Guid.NewGuid().ToString("N"));
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ChatBot.Scheduling",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        using var files = new BotFiles();
        var platform = new RecordingPlatform();
        using var host = TestBot.Build(files, platform, clock: new FakeTimeProvider(SlotInstant.AddSeconds(2)));
        await host.StartAsync(TestContext.Current.CancellationToken);
        var store = host.Services.GetRequiredService<IScheduleStore>();
        await store.UpsertSlotAsync(new ScheduleSlot(channel, new TimeOnly(9, 30), ScheduleDays.Daily), TestContext.Current.CancellationToken);
        await host.Services.GetRequiredService<IScheduleSync>().SyncChannelAsync(channel, TestContext.Current.CancellationToken);

        Jobs.TriggerSlot(host, "UTC", new TimeOnly(9, 30), ScheduleDays.Daily);
        var steps = BreakChainTests.StepCount("extension");
        await platform.WaitForPostsAsync(p => p.Count >= steps);
        await Jobs.WaitForIdleAsync(host.Services.GetRequiredService<JobStorage>());
        await host.StopAsync(TestContext.Current.CancellationToken);

        // The slot job starts the breaks of all channels due then; each channel's share is a span of its own. (The
        // listener hears every host in this test process: tests running alongside make slot jobs of their own.)
        var slot = spans.Single(span => span.OperationName == "slot" && (span.GetTagItem("chatbot.channel") as string) == channel.ToString());
        spans.Count(span => span.OperationName == "job BreakSlotJob" && span.TraceId == slot.TraceId).ShouldBe(1, "the channel's slot span is inside the slot job's");
        var cueJobs = spans
            .Where(span => span.OperationName == "job BreakStepJob" && span.Links.Any(link => link.Context.TraceId == slot.TraceId && link.Context.SpanId == slot.SpanId))
            .Select(span => (int)span.GetTagItem("chatbot.break.step")!)
            .Where(step => step > 0)
            .Distinct()
            .Order()
            .ToList();
        cueJobs.ShouldBe(Enumerable.Range(1, steps - 1), "every cue's job links to the slot, not only the first");
    }
}
