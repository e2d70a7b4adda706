# Build: the full SDK restores, tests nothing (CI does that) and publishes the host.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY config/ config/
COPY src/ src/
# The README's published build: ReadyToRun, tiered compilation off, no thread-pool spinning (set in
# src/ChatBot.Host/ChatBot.Host.csproj for `dotnet publish`, measured in bench/ChatBot.Peers.Bench).
RUN dotnet publish src/ChatBot.Host/ChatBot.Host.csproj -c Release -o /app

# Run: the slim runtime image, as a non-root user, with the databases on a volume.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
RUN mkdir -p /app/data && chown -R app:app /app/data
USER app
ENV DOTNET_ENVIRONMENT=Production \
    Storage__Path=/app/data/chatbot.db \
    MALLOC_ARENA_MAX=2
VOLUME ["/app/data"]
ENTRYPOINT ["dotnet", "ChatBot.dll"]
