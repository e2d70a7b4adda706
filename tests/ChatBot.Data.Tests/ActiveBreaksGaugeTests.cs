using System.Diagnostics.Metrics;
using ChatBot.Core.Breaks;
using ChatBot.Core.Ports;
using ChatBot.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ChatBot.Data.Tests;

/// <summary>
/// <c>chatbot.breaks.active</c> on the real store: it counts the breaks the database holds as unfinished, so a
/// second instance (or a restarted one) on the same file reports the same figure.
/// </summary>
public sealed class ActiveBreaksGaugeTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    [Fact]
    public async Task The_gauge_is_1_while_a_break_runs_and_0_once_it_finished_and_every_instance_on_the_database_agrees()
    {
        var store = new TestStore(temp.NewFile());
        await using var gauge = GaugeOn(store.Breaks, store.Clock);
        (await gauge.WaitForAsync(0)).ShouldBe(0);

        var breakId = await store.NewBreakAsync();
        await store.Breaks.RecordPostAsync(breakId, 0, "prompt", TestStore.Ct);
        gauge.Read().ShouldBe(0, "a scrape within MaxAge reuses the count instead of querying again");
        store.Clock.Advance(ActiveBreaksGauge.MaxAge);
        (await gauge.WaitForAsync(1)).ShouldBe(1);

        // Another instance (or this one after a restart) on the same database.
        var reopened = store.Reopen();
        await using (var other = GaugeOn(reopened.Breaks, store.Clock))
        {
            (await other.WaitForAsync(1)).ShouldBe(1);
        }

        await store.Breaks.RecordFinishedAsync(breakId, store.Clock.GetUtcNow(), TestStore.Ct);
        store.Clock.Advance(ActiveBreaksGauge.MaxAge);
        (await gauge.WaitForAsync(0)).ShouldBe(0);
    }

    [Fact]
    public async Task A_refused_break_and_one_older_than_the_resume_window_are_not_active()
    {
        var store = new TestStore(temp.NewFile());
        var refused = await store.NewBreakAsync();
        await store.Breaks.RecordRefusalAsync(refused, new BreakRefusal(0, PostRefusal.NotInChannel, "not_in_channel"), store.Clock.GetUtcNow(), TestStore.Ct);
        await store.NewBreakAsync(day: TestStore.Nov(22)); // left unfinished two days ago: never carried on
        await store.NewBreakAsync();

        await using var gauge = GaugeOn(store.Breaks, store.Clock);
        (await gauge.WaitForAsync(1)).ShouldBe(1);
    }

    private static GaugeReader GaugeOn(IBreakStore breaks, FakeTimeProvider clock) =>
        new(new ServiceCollection()
            .AddMetrics()
            .AddLogging()
            .AddSingleton(breaks)
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<ActiveBreaksGauge>()
            .BuildServiceProvider());

    /// <summary>Listens to the gauge of one service provider only (meters are process-wide; the factory tells them apart).</summary>
    private sealed class GaugeReader : IAsyncDisposable
    {
        private readonly ServiceProvider services;
        private readonly MeterListener listener = new();
        private long? value;

        public GaugeReader(ServiceProvider services)
        {
            this.services = services;
            var factory = services.GetRequiredService<IMeterFactory>();
            services.GetRequiredService<ActiveBreaksGauge>();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "chatbot.breaks.active" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    instrument.Unit.ShouldBe("{break}");
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
            listener.Start();
        }

        /// <summary>One scrape: the value reported, or null when the gauge reported nothing.</summary>
        public long? Read()
        {
            value = null;
            listener.RecordObservableInstruments();
            return value;
        }

        /// <summary>Scrapes until the gauge reports <paramref name="expected"/> (a 20 s failure guard; a slow query makes a scrape report the previous count).</summary>
        public async Task<long?> WaitForAsync(long expected)
        {
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            long? seen;
            while ((seen = Read()) != expected && !guard.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
            }

            return seen;
        }

        public async ValueTask DisposeAsync()
        {
            listener.Dispose();
            await services.DisposeAsync();
        }
    }
}
