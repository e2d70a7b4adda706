// One throwaway PostgreSQL cluster for all PostgreSQL tests of this assembly (started on first use).
[assembly: AssemblyFixture(typeof(ChatBot.Testing.PostgresCluster))]
