using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ChatBot.Host;

/// <summary>
/// A hosted service built and started once the platform adapters, which start earlier, are connected (see
/// <see cref="PlatformConnectionGate"/>), instead of built when the host starts. The generic host builds every
/// hosted service before it starts the first one, and building the job server opens its storage (on SQLite:
/// creates or checks Hangfire's tables, about 100 ms). Not for a <see cref="BackgroundService"/>: the host
/// watches those itself.
/// </summary>
internal sealed class DeferredHostedService(Func<IHostedService> build, PlatformConnectionGate gate) : IHostedService, IAsyncDisposable
{
    private IHostedService? _service;

    /// <summary>
    /// Replaces the <see cref="IHostedService"/> registrations at index <paramref name="from"/> and after (those of a
    /// type or a factory; an instance is left as it is) by deferred ones, in the same order. The deferred service owns what it builds (a factory's result or a new instance of
    /// the registered type) and disposes it with itself.
    /// </summary>
    public static void Defer(IServiceCollection services, int from)
    {
        for (var i = from; i < services.Count; i++)
        {
            var registration = services[i];
            // An instance is built already: nothing to defer.
            if (registration.ServiceType != typeof(IHostedService) || registration.IsKeyedService || registration.ImplementationInstance is not null)
            {
                continue;
            }

            services[i] = ServiceDescriptor.Singleton<IHostedService>(provider =>
                new DeferredHostedService(() => Build(provider, registration), provider.GetRequiredService<PlatformConnectionGate>()));
        }

        services.TryAddSingleton<PlatformConnectionGate>();
    }

    /// <exception cref="InvalidOperationException">The service is a <see cref="BackgroundService"/>.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping before it finished starting (SIGTERM, a fatal error): nothing to start here, and
            // not a start failure to report.
            return;
        }

        _service = build();
        if (_service is BackgroundService)
        {
            throw new InvalidOperationException($"{_service.GetType().Name} is a BackgroundService: the host must see it to watch its ExecuteAsync, so it is not deferred.");
        }

        await _service.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _service?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        switch (_service)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private static IHostedService Build(IServiceProvider provider, ServiceDescriptor registration) =>
        (IHostedService)(registration.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, registration.ImplementationType!));
}
