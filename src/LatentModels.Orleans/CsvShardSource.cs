using System.Globalization;

namespace LatentModels.Orleans;

/// <summary>
/// A shard that is a range of rows of a CSV file every silo can read (a shared or object-storage-backed path): numbers
/// separated by commas, semicolons, tabs or spaces, one row per non-empty line (an empty field between commas or
/// semicolons is an error, and every row has the width of the file's first data row); a first line that does not parse
/// as numbers is a header and is skipped. The shard is rows [<see cref="FirstRow"/>, <see cref="FirstRow"/> +
/// <see cref="RowCount"/>) of the data rows (header excluded), read by streaming the file, so a silo holds only its rows.
/// </summary>
[GenerateSerializer]
public sealed class CsvShardSource : ShardSource
{
    private static readonly char[] _delimiters = [',', ';'];

    private static readonly char[] _blanks = ['\t', ' '];

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
    /// shorter), reading the file once to count its rows.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="rowsPerShard">Rows per shard (choose a multiple of the model's block size for bit-identical results).</param>
    /// <returns>The shards in row order (at least one).</returns>
    public static IReadOnlyList<CsvShardSource> Partition(string path, int rowsPerShard)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerShard);
        long rows = 0;
        bool first = true;
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (first && !TryParse(line, out _))
            {
                first = false;
                continue;
            }

            first = false;
            rows++;
        }

        var shards = new List<CsvShardSource>();
        for (long start = 0; start < rows || shards.Count == 0; start += rowsPerShard)
        {
            shards.Add(new CsvShardSource(path, start, (int)Math.Min(rowsPerShard, Math.Max(0, rows - start))));
        }

        return shards;
    }

    /// <inheritdoc />
    public override ShardData Load()
    {
        var values = new List<double>();
        int width = -1, taken = 0, lineNumber = 0;
        long dataRow = 0;
        bool first = true;
        foreach (string line in File.ReadLines(Path))
        {
            lineNumber++;
            if (taken == RowCount)
            {
                break;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            bool parsed = TryParse(line, out double[]? row);
            if (first && !parsed)
            {
                first = false;
                continue; // a header
            }

            first = false;
            if (parsed && width < 0)
            {
                width = row!.Length; // the file's first data row fixes the width for every shard, not the shard's own
            }

            if (dataRow++ < FirstRow)
            {
                continue;
            }

            if (!parsed)
            {
                throw new InvalidDataException($"{Path}, line {lineNumber}: a value is missing or is not a finite number.");
            }

            if (row!.Length != width)
            {
                throw new InvalidDataException($"{Path}, line {lineNumber}: {row.Length} values; the file's first data row has {width}.");
            }

            values.AddRange(row);
            taken++;
        }

        width = Math.Max(width, 0);
        var rows = new double[taken, width];
        for (int i = 0; i < taken; i++)
        {
            for (int j = 0; j < width; j++)
            {
                rows[i, j] = values[i * width + j];
            }
        }

        return new ShardData(rows);
    }

    /// <inheritdoc />
    public override string Describe() => $"{Path} rows [{FirstRow}, {FirstRow + RowCount})";

    private static bool TryParse(string line, out double[]? row)
    {
        // Commas and semicolons delimit fields (an empty one is an error, as in the CLI's reader: "1,,3" is not the row
        // (1, 3)); spaces and tabs separate values within them.
        var values = new List<double>();
        foreach (string field in line.Split(_delimiters, StringSplitOptions.TrimEntries))
        {
            string[] parts = field.Split(_blanks, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                row = null;
                return false;
            }

            foreach (string part in parts)
            {
                if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                {
                    row = null;
                    return false;
                }

                values.Add(v);
            }
        }

        row = [.. values];
        return true;
    }
}
