using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChatBot.Host.Tests;

/// <summary>
/// The job server and schedule services are built when they start, after the platform adapters have started
/// connecting, not when the host first lists its hosted services (which builds them all before starting any).
/// </summary>
public sealed class DeferredHostedServiceTests
{
    [Fact]
    public async Task A_deferred_service_is_built_when_it_starts_and_stopped_and_disposed_with_the_host()
    {
        var journal = new List<string>();
        var services = new ServiceCollection();
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
        var services = new ServiceCollection();
        services.AddHostedService<Background>();
        DeferredHostedService.Defer(services, 0);
        await using var provider = services.BuildServiceProvider();

        var start = () => provider.GetServices<IHostedService>().Single().StartAsync(CancellationToken.None);

        (await start.ShouldThrowAsync<InvalidOperationException>()).Message.ShouldContain("Background");
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
