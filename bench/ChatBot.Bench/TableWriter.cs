using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace ChatBot.Bench;

/// <summary>
/// Bulk rows into one table of the bench's database, in the load's transaction: a prepared <c>INSERT</c> per row on
/// SQLite, binary <c>COPY</c> on PostgreSQL. Values are <see cref="string"/>, <see cref="long"/> or null.
/// Dispose it (which ends the COPY) before the next statement on the connection.
/// </summary>
internal abstract class TableWriter : IAsyncDisposable
{
    public static TableWriter Open(DbConnection connection, DbTransaction transaction, string table, params string[] columns) => connection switch
    {
        SqliteConnection sqlite => new SqliteWriter(sqlite, (SqliteTransaction)transaction, table, columns),
        NpgsqlConnection npgsql => new CopyWriter(npgsql.BeginBinaryImport($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)")),
        _ => throw new NotSupportedException(connection.GetType().Name),
    };

    public abstract Task AddAsync(params object?[] values);

    public abstract ValueTask DisposeAsync();

    private sealed class SqliteWriter : TableWriter
    {
        private readonly SqliteCommand _command;

        public SqliteWriter(SqliteConnection connection, SqliteTransaction transaction, string table, string[] columns)
        {
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))});";
            for (var i = 0; i < columns.Length; i++)
            {
                _command.Parameters.Add(new SqliteParameter { ParameterName = $"$p{i}" });
            }

            _command.Prepare();
        }

        public override async Task AddAsync(params object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                _command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await _command.ExecuteNonQueryAsync();
        }

        public override ValueTask DisposeAsync() => _command.DisposeAsync();
    }

    private sealed class CopyWriter(NpgsqlBinaryImporter importer) : TableWriter
    {
        private bool _completed;

        public override async Task AddAsync(params object?[] values)
        {
            await importer.StartRowAsync();
            foreach (var value in values)
            {
                switch (value)
                {
                    case null:
                        await importer.WriteNullAsync();
                        break;
                    case string text:
                        await importer.WriteAsync(text, NpgsqlDbType.Text);
                        break;
                    case long number:
                        await importer.WriteAsync(number, NpgsqlDbType.Bigint);
                        break;
                    default:
                        throw new NotSupportedException(value.GetType().Name);
                }
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_completed)
            {
                _completed = true;
                await importer.CompleteAsync();
            }

            await importer.DisposeAsync();
        }
    }
}
