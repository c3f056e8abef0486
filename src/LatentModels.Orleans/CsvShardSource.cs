using LatentModels.Data;

namespace LatentModels.Orleans;

/// <summary>
/// A shard that is a range of rows of a CSV file every silo can read (a shared or object-storage-backed path), read by the
/// rules of the <c>latent</c> CLI and <see cref="CsvRowChunkSource"/> (the core's <see cref="CsvRowReader"/>, see
/// <see cref="CsvRules"/>): comma-, semicolon- or whitespace-separated numbers (the separator of the first data row for
/// every row), one row per line, blank lines and '#' comments skipped, an optional header line, every row of the width
/// of the file's first data row. The shard is rows [<see cref="FirstRow"/>, <see cref="FirstRow"/> +
/// <see cref="RowCount"/>) of the data rows (header excluded), read by streaming the file, so a silo holds only its rows.
/// </summary>
[GenerateSerializer]
public sealed class CsvShardSource : ShardSource
{
    /// <summary>Describes rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>) of a CSV file.</summary>
    /// <param name="path">The file's path as every silo sees it.</param>
    /// <param name="firstRow">The first data row (0-based, header excluded).</param>
    /// <param name="rowCount">The number of rows; fewer are read when the file ends first.</param>
    /// <exception cref="ArgumentException">The path is empty, or the range is negative.</exception>
    public CsvShardSource(string path, long firstRow, int rowCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        Path = path;
        FirstRow = firstRow;
        RowCount = rowCount;
    }

    /// <summary>The file's path as every silo sees it.</summary>
    [Id(0)]
    public string Path { get; init; }

    /// <summary>The first data row of the shard (0-based, header excluded).</summary>
    [Id(1)]
    public long FirstRow { get; init; }

    /// <summary>The number of rows of the shard.</summary>
    [Id(2)]
    public int RowCount { get; init; }

    /// <summary>
    /// Cuts the data rows of a CSV file into consecutive shards of <paramref name="rowsPerShard"/> rows (the last may be
    /// shorter), reading (and so validating) the file once to count its rows.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="rowsPerShard">Rows per shard (choose a multiple of the model's block size for bit-identical results).</param>
    /// <returns>The shards in row order (at least one).</returns>
    /// <exception cref="InvalidDataException">The file holds no data rows, a ragged row or a cell that is not a finite number (the message names <c>file:line:column</c>).</exception>
    public static IReadOnlyList<CsvShardSource> Partition(string path, int rowsPerShard)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerShard);
        long rows = 0;
        ReadRows(path, reader =>
        {
            while (reader.ReadRow())
            {
                rows++;
            }
        });

        var shards = new List<CsvShardSource>();
        for (long start = 0; start < rows || shards.Count == 0; start += rowsPerShard)
        {
            shards.Add(new CsvShardSource(path, start, (int)Math.Min(rowsPerShard, Math.Max(0, rows - start))));
        }

        return shards;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The file holds no data rows, or a ragged row or a cell that is not a finite number up to the shard's last row (the message names <c>file:line:column</c>).</exception>
    public override ShardData Load()
    {
        var values = new List<double>();
        int width = 0, taken = 0;
        ReadRows(Path, reader =>
        {
            long dataRow = 0;
            while (taken < RowCount && reader.ReadRow())
            {
                width = reader.Columns; // the file's first data row fixes the width for every shard, not the shard's own
                if (dataRow++ >= FirstRow)
                {
                    values.AddRange(reader.Row);
                    taken++;
                }
            }
        });

        var rows = new double[taken, width];
        if (rows.Length > 0)
        {
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values).CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref rows[0, 0], rows.Length));
        }

        return new ShardData(rows);
    }

    /// <inheritdoc />
    public override string Describe() => $"{Path} rows [{FirstRow}, {FirstRow + RowCount})";

    /// <summary>
    /// Reads a file's data rows by the rules of the core's <see cref="CsvRowReader"/> (the same rules as the <c>latent</c>
    /// CLI and <see cref="CsvRowChunkSource"/>), reporting its <see cref="RowFormatException"/> as this type's
    /// documented <see cref="InvalidDataException"/> (same message, the original as inner exception).
    /// </summary>
    private static void ReadRows(string path, Action<CsvRowReader> read)
    {
        using var text = new StreamReader(path);
        try
        {
            read(new CsvRowReader(text, path));
        }
        catch (RowFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
