using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;

namespace ChatBot.Data;

/// <summary>
/// Where SQLite and PostgreSQL differ, and nothing else: the stores write one SQL text for both engines
/// (<c>INSERT … ON CONFLICT</c>, <c>RETURNING</c>, window functions and CTEs are common ground) and ask the dialect
/// only for the few pieces that are not.
/// </summary>
public abstract partial class SqlDialect
{
    public static SqlDialect Sqlite { get; } = new SqliteDialect();

    public static SqlDialect Postgres { get; } = new PostgresDialect();

    /// <summary>The engine's name for messages: <c>SQLite</c> or <c>PostgreSQL</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The schema step (written for SQLite, see <see cref="Schema.Migrations"/>) in this engine's DDL.</summary>
    public abstract string Ddl(string sqliteDdl);

    /// <summary><paramref name="expression"/> as a text that sorts case-insensitively.</summary>
    public abstract string CaseInsensitive(string expression);

    /// <summary>
    /// A <c>SELECT</c> of rows <c>(key, value)</c>, the members of the JSON object in text parameter
    /// <paramref name="parameter"/> (e.g. <c>@OpenFrom</c>), whose values are integers.
    /// </summary>
    public abstract string JsonIntegerMembers(string parameter);

    /// <summary>
    /// A <c>SELECT</c> of the records in the JSON array of objects in text parameter <paramref name="parameter"/>
    /// (e.g. <c>@rows</c>), one row per element, with <paramref name="columns"/> given as a column definition list
    /// (<c>"k TEXT, at BIGINT"</c>): each column is the element's member of that name, typed (PostgreSQL's
    /// <c>json_to_recordset</c>; on SQLite a JSON number is an integer and a JSON string a text anyway). A batch of
    /// any size is then one parameter and one statement.
    /// </summary>
    public abstract string JsonRecords(string parameter, string columns);

    /// <summary>
    /// The query-plan pin after a table name in <c>FROM</c>: SQLite's <c>INDEXED BY <paramref name="index"/></c>
    /// where, without statistics, its planner may pick a worse index; nothing on PostgreSQL, whose planner has
    /// statistics (the queries' plans are checked with EXPLAIN in bench/ChatBot.Bench --profile).
    /// </summary>
    public abstract string IndexedBy(string index);

    /// <summary>
    /// Serialises writers of one thing (<paramref name="key"/>, e.g. one person's streak) until
    /// <paramref name="transaction"/> ends. SQLite has one writer at a time anyway (its write transactions are
    /// IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock, so a read-then-write such as a post claim or
    /// a streak refresh never interleaves with another instance's.
    /// </summary>
    public abstract Task LockAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Holds the migration lock on <paramref name="connection"/> until the result is disposed: on PostgreSQL a
    /// session advisory lock, so instances starting together migrate one at a time (each later one finds the work
    /// done); on SQLite nothing, as each step runs in its own IMMEDIATE transaction that reads the version inside it.
    /// </summary>
    public abstract Task<IAsyncDisposable> MigrationLockAsync(DbConnection connection, CancellationToken cancellationToken);

    private sealed class SqliteDialect : SqlDialect
    {
        public override string Name => "SQLite";

        public override string Ddl(string sqliteDdl) => sqliteDdl;

        public override string CaseInsensitive(string expression) => $"{expression} COLLATE NOCASE";

        public override string JsonIntegerMembers(string parameter) => $"SELECT key, value FROM json_each({parameter})";

        public override string JsonRecords(string parameter, string columns) =>
            "SELECT " + string.Join(", ", ColumnNames(columns).Select(name => $"value ->> '{name}' AS {name}")) + $" FROM json_each({parameter})";

        public override string IndexedBy(string index) => $"INDEXED BY {index}";

        public override Task LockAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken) =>
            Task.CompletedTask;

        public override Task<IAsyncDisposable> MigrationLockAsync(DbConnection connection, CancellationToken cancellationToken) =>
            Task.FromResult<IAsyncDisposable>(new Unlock(() => ValueTask.CompletedTask));
    }

    private sealed partial class PostgresDialect : SqlDialect
    {
        /// <summary>The session advisory lock key of migrations (any constant; "ChatBot" in ASCII).</summary>
        private const long MigrationLockKey = 0x43686174426f74;

        public override string Name => "PostgreSQL";

        /// <summary>
        /// SQLite's rowid primary key becomes an identity column, integers are 64-bit (Unix ms overflow 32 bits),
        /// and <c>WITHOUT ROWID</c> (a SQLite storage choice) goes.
        /// </summary>
        public override string Ddl(string sqliteDdl)
        {
            var ddl = RowidKey().Replace(sqliteDdl, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
            ddl = Integer().Replace(ddl, "BIGINT");
            return WithoutRowid().Replace(ddl, ")");
        }

        public override string CaseInsensitive(string expression) => $"lower({expression})";

        public override string JsonIntegerMembers(string parameter) =>
            $"SELECT key, value::bigint AS value FROM json_each_text(CAST({parameter} AS json))";

        public override string JsonRecords(string parameter, string columns) =>
            "SELECT " + string.Join(", ", ColumnNames(columns)) + $" FROM json_to_recordset(CAST({parameter} AS json)) AS r ({columns})";

        public override string IndexedBy(string index) => "";

        public override Task LockAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken) =>
            connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0));", new { key }, transaction, cancellationToken: cancellationToken));

        public override async Task<IAsyncDisposable> MigrationLockAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_lock(@MigrationLockKey);", new { MigrationLockKey }, cancellationToken: cancellationToken));
            return new Unlock(async () => await connection.ExecuteAsync("SELECT pg_advisory_unlock(@MigrationLockKey);", new { MigrationLockKey }));
        }

        [GeneratedRegex(@"\bINTEGER PRIMARY KEY\b")]
        private static partial Regex RowidKey();

        [GeneratedRegex(@"\bINTEGER\b")]
        private static partial Regex Integer();

        [GeneratedRegex(@"\)\s*WITHOUT ROWID")]
        private static partial Regex WithoutRowid();
    }

    /// <summary>The names in a column definition list (<c>"k TEXT, at BIGINT"</c> → k, at).</summary>
    private static IEnumerable<string> ColumnNames(string columns) =>
        columns.Split(',', StringSplitOptions.TrimEntries).Select(column => column.Split(' ')[0]);

    private sealed class Unlock(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }
}
