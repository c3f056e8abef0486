using LatentModels.Data;
using LatentModels.Parquet;

namespace LatentModels.Orleans;

/// <summary>
/// A shard that is a range of rows of a Parquet file every silo can read (a shared or object-storage-backed path), read by
/// <see cref="ParquetRowChunkSource"/> (the rules of the <c>latent</c> CLI's <c>--data x.parquet</c>): the chosen numeric
/// columns in the given order, or every top-level numeric column in schema order; a null or a value that is not finite is
/// an error naming the row and column. The shard is rows [<see cref="FirstRow"/>, <see cref="FirstRow"/> +
/// <see cref="RowCount"/>) of the file; row groups wholly outside the range are skipped without being decoded, so a shard
/// cut on row-group boundaries (<see cref="PartitionByRowGroup"/>) reads only its own groups.
/// </summary>
[GenerateSerializer]
public sealed class ParquetShardSource : ShardSource
{
    /// <summary>Describes rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>) of a Parquet file.</summary>
    /// <param name="path">The file's path as every silo sees it.</param>
    /// <param name="firstRow">The first row (0-based).</param>
    /// <param name="rowCount">The number of rows; fewer are read when the file ends first (<see cref="int.MaxValue"/>: to the end).</param>
    /// <param name="columns">The columns to read, by name, in this order; null or empty for every numeric column.</param>
    /// <exception cref="ArgumentException">The path is empty, the range is negative, or a column name is empty or repeated.</exception>
    public ParquetShardSource(string path, long firstRow = 0, int rowCount = int.MaxValue, IReadOnlyList<string>? columns = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (columns is { Count: > 0 })
        {
            if (columns.Any(string.IsNullOrWhiteSpace))
            {
                throw new ArgumentException("A column name is empty.", nameof(columns));
            }

            if (columns.Distinct(StringComparer.Ordinal).Count() != columns.Count)
            {
                throw new ArgumentException("A column is chosen twice.", nameof(columns));
            }
        }

        Path = path;
        FirstRow = firstRow;
        RowCount = rowCount;
        Columns = columns is { Count: > 0 } ? [.. columns] : null;
    }

    /// <summary>The file's path as every silo sees it.</summary>
    [Id(0)]
    public string Path { get; init; }

    /// <summary>The first row of the shard (0-based).</summary>
    [Id(1)]
    public long FirstRow { get; init; }

    /// <summary>The number of rows of the shard.</summary>
    [Id(2)]
    public int RowCount { get; init; }

    /// <summary>The columns read, in order, or null for every numeric column.</summary>
    [Id(3)]
    public string[]? Columns { get; init; }

    /// <summary>
    /// Cuts the rows of a Parquet file into consecutive shards of <paramref name="rowsPerShard"/> rows (the last may be
    /// shorter), from the row counts of its footer (no cell is read: each shard checks its rows when it loads).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="rowsPerShard">Rows per shard (choose a multiple of the model's block size for bit-identical results).</param>
    /// <param name="columns">The columns every shard reads (null for every numeric column).</param>
    /// <returns>The shards in row order (at least one).</returns>
    /// <exception cref="InvalidDataException">The file is not a readable Parquet file, holds no rows, or lacks a chosen column.</exception>
    public static IReadOnlyList<ParquetShardSource> Partition(string path, int rowsPerShard, IReadOnlyList<string>? columns = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerShard);
        long rows = RowGroups(path, columns).Sum();
        var shards = new List<ParquetShardSource>();
        for (long start = 0; start < rows; start += rowsPerShard)
        {
            shards.Add(new ParquetShardSource(path, start, (int)Math.Min(rowsPerShard, rows - start), columns));
        }

        return shards;
    }

    /// <summary>One shard per non-empty row group of a Parquet file (from its footer): each shard decodes only its own group.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns every shard reads (null for every numeric column).</param>
    /// <returns>The shards in row order (at least one).</returns>
    /// <exception cref="InvalidDataException">The file is not a readable Parquet file, holds no rows, lacks a chosen column, or has a row group of more than <see cref="int.MaxValue"/> rows.</exception>
    public static IReadOnlyList<ParquetShardSource> PartitionByRowGroup(string path, IReadOnlyList<string>? columns = null)
    {
        var shards = new List<ParquetShardSource>();
        long start = 0;
        foreach (long count in RowGroups(path, columns))
        {
            if (count > int.MaxValue)
            {
                throw new InvalidDataException($"{path}: a row group of {count} rows is too large for one shard; use Partition.");
            }

            if (count > 0)
            {
                shards.Add(new ParquetShardSource(path, start, (int)count, columns));
            }

            start += count;
        }

        return shards;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The file is not a readable Parquet file, holds no rows, lacks a chosen column, or a row of the shard holds a null or a value that is not finite (the message names the row and column).</exception>
    public override ShardData Load() => Read(source =>
    {
        int width = source.ColumnNames().Count;
        var values = new List<double>();
        foreach (double[,] chunk in source.ReadChunks(4096, FirstRow, RowCount))
        {
            values.AddRange(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref chunk[0, 0], chunk.Length));
        }

        var rows = new double[values.Count / width, width];
        if (rows.Length > 0)
        {
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values).CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref rows[0, 0], rows.Length));
        }

        return new ShardData(rows);
    });

    /// <inheritdoc />
    public override string Describe() =>
        $"{Path} rows [{FirstRow}, {FirstRow + RowCount}){(Columns is null ? "" : $" columns {string.Join(", ", Columns)}")}";

    private static long[] RowGroups(string path, IReadOnlyList<string>? columns) =>
        new ParquetShardSource(path, columns: columns).Read(source =>
        {
            source.ColumnNames(); // a missing or non-numeric chosen column fails here, before any shard is made
            long[] counts = [.. source.RowGroupRowCounts()];
            return counts.Sum() > 0 ? counts : throw new RowFormatException(path, 0, 0, "the file holds no data rows.");
        });

    /// <summary>Runs a read of the file, reporting <see cref="RowFormatException"/> as this type's documented <see cref="InvalidDataException"/>.</summary>
    private T Read<T>(Func<ParquetRowChunkSource, T> read)
    {
        try
        {
            return read(new ParquetRowChunkSource(Path, Columns));
        }
        catch (RowFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
