using ChatBot.Core;
using ChatBot.Core.Ports;
using ChatBot.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;

namespace ChatBot.Host.Tests;

/// <summary>
/// The job server and schedule services are built when they start, once the platform adapters are connected, not
/// when the host first lists its hosted services (which builds them all before starting any).
/// </summary>
public sealed class DeferredHostedServiceTests
{
    [Fact]
    public async Task A_deferred_service_is_built_when_it_starts_and_stopped_and_disposed_with_the_host()
    {
        var journal = new List<string>();
        var services = WithGateDependencies();
        services.AddSingleton(journal);
        services.AddHostedService<Early>();
        var from = services.Count;
        services.AddHostedService<Costly>();
        services.AddTransient<IHostedService>(provider => new Costly(provider.GetRequiredService<List<string>>()));
        DeferredHostedService.Defer(services, from);

        await using (var provider = services.BuildServiceProvider())
        {
            var hosted = provider.GetServices<IHostedService>().ToList();
            journal.ShouldBe(["Early built"]);

            foreach (var service in hosted)
            {
                await service.StartAsync(CancellationToken.None);
            }

            journal.ShouldBe(["Early built", "Early started", "Costly built", "Costly started", "Costly built", "Costly started"]);
            await hosted[^1].StopAsync(CancellationToken.None);
            journal[^1].ShouldBe("Costly stopped");
        }

        journal.Count(line => line == "Costly disposed").ShouldBe(2);
    }

    [Fact]
    public void A_service_registered_as_an_instance_is_left_as_it_is()
    {
        var services = new ServiceCollection();
        var instance = new Costly([]);
        services.AddSingleton<IHostedService>(instance);
        DeferredHostedService.Defer(services, 0);
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IHostedService>().Single().ShouldBeSameAs(instance);
    }

    [Fact]
    public async Task A_BackgroundService_is_refused_because_the_host_must_watch_it_itself()
    {
        var services = WithGateDependencies();
        services.AddHostedService<Background>();
        DeferredHostedService.Defer(services, 0);
        await using var provider = services.BuildServiceProvider();

        var start = () => provider.GetServices<IHostedService>().Single().StartAsync(CancellationToken.None);

        (await start.ShouldThrowAsync<InvalidOperationException>()).Message.ShouldContain("Background");
    }

    [Fact]
    public async Task The_deferred_services_start_once_the_platforms_are_connected()
    {
        var journal = new List<string>();
        var platform = new FakeConnection();
        await using var provider = Gated(journal, platform, atMost: TimeSpan.FromMinutes(10));
        var deferred = provider.GetServices<IHostedService>().Single();

        var start = deferred.StartAsync(TestContext.Current.CancellationToken);
        await platform.Read(times: 3).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken); // seen down, polled again
        journal.ShouldBeEmpty();
        start.IsCompleted.ShouldBeFalse();

        platform.Connected = true;
        await start.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        journal.ShouldBe(["Costly built", "Costly started"]);
    }

    [Fact]
    public async Task A_platform_that_does_not_connect_holds_the_deferred_services_back_only_so_long_and_says_so()
    {
        var journal = new List<string>();
        var logs = new CapturingLoggerProvider();
        await using var provider = Gated(journal, new FakeConnection(), atMost: TimeSpan.FromMilliseconds(300), logs);

        await provider.GetServices<IHostedService>().Single().StartAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        journal.ShouldBe(["Costly built", "Costly started"]);
        logs.Lines.ShouldContain(line => line.Contains("still not connected: Fake gateway", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_a_fatal_error_the_deferred_services_do_not_wait_for_the_platforms()
    {
        var journal = new List<string>();
        await using var provider = Gated(journal, new FakeConnection(), atMost: TimeSpan.FromMinutes(10));
        provider.GetRequiredService<IFatalErrorReporter>().ReportFatal("Slack", "the bot token was refused");

        await provider.GetServices<IHostedService>().Single().StartAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        journal.ShouldBe(["Costly built", "Costly started"]);
    }

    /// <summary>What the gate needs besides the connections (none here: nothing to wait for).</summary>
    private static ServiceCollection WithGateDependencies()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IFatalErrorReporter, RecordingFatalErrorReporter>();
        return services;
    }

    /// <summary>One deferred service behind the gate, one platform connection, the host's fatal error reporter.</summary>
    private static ServiceProvider Gated(List<string> journal, FakeConnection platform, TimeSpan atMost, CapturingLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs ?? new CapturingLoggerProvider()));
        services.AddSingleton<IHostApplicationLifetime, ApplicationLifetime>();
        services.AddSingleton<IFatalErrorReporter, HostFatalErrorReporter>();
        services.AddSingleton<IPlatformConnection>(platform);
        services.AddSingleton(journal);
        services.AddSingleton(sp => new PlatformConnectionGate(
            sp.GetServices<IPlatformConnection>(), sp.GetRequiredService<IFatalErrorReporter>(), sp.GetRequiredService<ILogger<PlatformConnectionGate>>())
        {
            AtMost = atMost,
        });
        var from = services.Count;
        services.AddHostedService<Costly>();
        DeferredHostedService.Defer(services, from);
        return services.BuildServiceProvider();
    }

    private sealed class FakeConnection : IPlatformConnection
    {
        private readonly Lock _gate = new();
        private readonly List<(int Times, TaskCompletionSource Signal)> _waiters = [];
        private int _reads;
        private volatile bool _connected;

        public string Name => "Fake gateway";

        public bool Connected
        {
            set => _connected = value;
        }

        public bool IsConnected
        {
            get
            {
                lock (_gate)
                {
                    _reads++;
                    foreach (var waiter in _waiters.Where(w => w.Times <= _reads).ToList())
                    {
                        waiter.Signal.TrySetResult();
                        _waiters.Remove(waiter);
                    }
                }

                return _connected;
            }
        }

        /// <summary>Completes once <see cref="IsConnected"/> has been read <paramref name="times"/> times.</summary>
        public Task Read(int times)
        {
            lock (_gate)
            {
                if (_reads >= times)
                {
                    return Task.CompletedTask;
                }

                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((times, signal));
                return signal.Task;
            }
        }
    }

    private sealed class Early : IHostedService
    {
        private readonly List<string> _journal;

        public Early(List<string> journal)
        {
            _journal = journal;
            journal.Add("Early built");
        }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _journal.Add("Early started");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Costly : IHostedService, IDisposable
    {
        private readonly List<string> _journal;

        public Costly(List<string> journal)
        {
            _journal = journal;
            journal.Add("Costly built");
        }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _journal.Add("Costly started");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _journal.Add("Costly stopped");
            return Task.CompletedTask;
        }

        public void Dispose() => _journal.Add("Costly disposed");
    }

    private sealed class Background : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }
}
