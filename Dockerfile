# Build: the full SDK restores, tests nothing (CI does that) and publishes the host.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY config/ config/
COPY src/ src/
# The README's published build: self-contained, one composite ReadyToRun image, tiered compilation without dynamic
# PGO, no thread-pool spinning (set in src/ChatBot.Host/ChatBot.Host.csproj for `dotnet publish`, measured in
# bench/ChatBot.Peers.Bench).
RUN dotnet publish src/ChatBot.Host/ChatBot.Host.csproj -c Release -o /app

# Run: the build carries its own runtime, so the base is the runtime's native dependencies only; a non-root user,
# the databases on a volume.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
RUN mkdir -p /app/data && chown -R app:app /app/data
USER app
ENV DOTNET_ENVIRONMENT=Production \
    Storage__Path=/app/data/chatbot.db \
    Ops__HttpUrl=http://0.0.0.0:8080 \
    MALLOC_ARENA_MAX=2
VOLUME ["/app/data"]
# The ops listener: /healthz, /readyz, /metrics (and /hangfire when Ops__DashboardPassword is set).
EXPOSE 8080
# The runtime image has no curl: the bot probes its own /healthz and exits 0 or 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/app/ChatBot", "--healthcheck"]
ENTRYPOINT ["/app/ChatBot"]
