using LatentModels.Data;
using Parquet;
using Parquet.Schema;

namespace LatentModels.Parquet;

/// <summary>
/// The numeric columns of a Parquet file as a re-readable chunk source, read one row group at a time: memory is one row
/// group's selected columns plus one chunk, whatever the file's size. By default every top-level numeric column (8-, 16-,
/// 32- and 64-bit integers, float, double, decimal; nullable or not) is read in schema order and every other column
/// (strings, dates, lists…) is skipped; a column selection reads the named columns in the given order instead.
/// </summary>
/// <remarks>
/// Validation at the door, as for <see cref="CsvRowChunkSource"/>: a file that is not Parquet or cannot be decoded, a
/// null cell, a value that is not finite, a chosen column that does not exist or is not numeric, or a file with no rows
/// raises <see cref="RowFormatException"/> naming the file (and the one-based row and column, with the column's name,
/// for a bad cell). Errors of the Parquet reader itself never leak: they are reported as a <see cref="RowFormatException"/>.
/// </remarks>
public sealed class ParquetRowChunkSource : IRowChunkSource
{
    private static readonly byte[] _magic = "PAR1"u8.ToArray();

    private readonly string _path;
    private readonly string[]? _columns;

    /// <summary>A source over a Parquet file.</summary>
    /// <param name="path">The file (its name as given is used in messages).</param>
    /// <param name="columns">The columns to read, by name, in this order; null or empty for every numeric column.</param>
    /// <exception cref="ArgumentException">The path is empty, or a column name is empty or repeated.</exception>
    /// <exception cref="RowFormatException">There is no such file, or it is not a Parquet file.</exception>
    public ParquetRowChunkSource(string path, IReadOnlyList<string>? columns = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!System.IO.File.Exists(path))
        {
            throw new RowFormatException(path, 0, 0, Directory.Exists(path) ? "is a directory, not a data file." : "no such file.");
        }

        if (columns is { Count: > 0 })
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string column in columns)
            {
                if (string.IsNullOrWhiteSpace(column))
                {
                    throw new ArgumentException("A column name is empty.", nameof(columns));
                }

                if (!seen.Add(column))
                {
                    throw new ArgumentException($"The column '{column}' is chosen twice.", nameof(columns));
                }
            }

            _columns = [.. columns];
        }

        _path = path;
        Name = path;
        if (!IsParquet(path))
        {
            throw new RowFormatException(path, 0, 0, "is not a Parquet file (it does not start and end with the magic bytes PAR1).");
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Whether a file starts and ends with the Parquet magic bytes <c>PAR1</c> (false for a missing or short file).</summary>
    /// <param name="path">The file.</param>
    public static bool IsParquet(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = System.IO.File.OpenRead(path);
            if (stream.Length < 12)
            {
                return false;
            }

            Span<byte> head = stackalloc byte[4];
            Span<byte> tail = stackalloc byte[4];
            stream.ReadExactly(head);
            stream.Seek(-4, SeekOrigin.End);
            stream.ReadExactly(tail);
            return head.SequenceEqual(_magic) && tail.SequenceEqual(_magic);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether a file starts with the Parquet magic bytes <c>PAR1</c> (a truncated Parquet file still does).</summary>
    /// <param name="path">The file.</param>
    public static bool StartsLikeParquet(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = System.IO.File.OpenRead(path);
            Span<byte> head = stackalloc byte[4];
            return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(_magic);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The names of the columns this source reads, in order (opens the file's footer).</summary>
    /// <exception cref="RowFormatException">The file cannot be read, or a chosen column is missing or not numeric.</exception>
    public IReadOnlyList<string> ColumnNames()
    {
        using var stream = Open();
        ParquetReader reader = CreateReader(stream, CancellationToken.None, out _, out _);
        try
        {
            return [.. Select(reader).Select(f => f.Name)];
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The number of rows of every row group, in file order (reads the footer only, no cell is decoded or checked).</summary>
    /// <exception cref="RowFormatException">The file cannot be read.</exception>
    public IReadOnlyList<long> RowGroupRowCounts()
    {
        using var stream = Open();
        ParquetReader reader = CreateReader(stream, CancellationToken.None, out _, out _);
        try
        {
            var counts = new long[Guard(() => reader.RowGroupCount)];
            for (int g = 0; g < counts.Length; g++)
            {
                counts[g] = GroupRows(reader, g);
            }

            return counts;
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <inheritdoc />
    public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        return Read(chunkRows, 0, long.MaxValue, cancellationToken);
    }

    /// <summary>
    /// Reads rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>) (fewer when the
    /// file ends first; none past its end), <paramref name="chunkRows"/> at a time as <see cref="ReadChunks(int, CancellationToken)"/>
    /// does. Row groups wholly outside the range are skipped without being decoded; only the rows of the range are checked.
    /// </summary>
    /// <param name="chunkRows">Rows per chunk (≥ 1).</param>
    /// <param name="firstRow">The first row (0-based).</param>
    /// <param name="rowCount">The number of rows.</param>
    /// <param name="cancellationToken">Checked before every row group and chunk.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> is less than 1, or the range is negative.</exception>
    /// <exception cref="RowFormatException">The file holds no rows, or a row of the range holds a null or a value that is not a finite number (raised when reached).</exception>
    public IEnumerable<double[,]> ReadChunks(int chunkRows, long firstRow, long rowCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        return Read(chunkRows, firstRow, rowCount, cancellationToken);
    }

    private IEnumerable<double[,]> Read(int chunkRows, long firstRow, long rowCount, CancellationToken cancellationToken)
    {
        using var stream = Open();
        ParquetReader reader = CreateReader(stream, cancellationToken, out EndCheckedStream window, out long dataEnd);
        try
        {
            DataField[] fields = Select(reader);
            int d = fields.Length;
            double[,]? chunk = null;
            int filled = 0;
            long rowBase = 0, end = rowCount > long.MaxValue - firstRow ? long.MaxValue : firstRow + rowCount;
            for (int g = 0; g < reader.RowGroupCount && rowBase < end; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long rowsInGroup = firstRow > rowBase ? GroupRows(reader, g) : 0;
                if (rowBase + rowsInGroup <= firstRow && rowsInGroup > 0)
                {
                    rowBase += rowsInGroup; // wholly before the range: skipped, not decoded
                    continue;
                }

                double[] group = ReadGroup(reader, window, dataEnd, g, fields, rowBase, cancellationToken, out int groupRows);
                int from = (int)Math.Max(0, firstRow - rowBase), to = (int)Math.Min(groupRows, end - rowBase);
                for (int r = from; r < to;)
                {
                    chunk ??= new double[chunkRows, d];
                    int take = Math.Min(chunkRows - filled, to - r);
                    group.AsSpan(r * d, take * d).CopyTo(Flat(chunk).Slice(filled * d));
                    filled += take;
                    r += take;
                    if (filled == chunkRows)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        yield return chunk;
                        filled = 0;
                    }
                }

                rowBase += groupRows;
            }

            if (rowBase == 0 && end > firstRow)
            {
                throw new RowFormatException(_path, 0, 0, "the file holds no data rows.");
            }

            if (filled > 0)
            {
                var last = new double[filled, d];
                Flat(chunk!).Slice(0, filled * d).CopyTo(Flat(last));
                yield return last;
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private FileStream Open()
    {
        try
        {
            return new FileStream(_path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, BufferSize = 1 << 16 });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RowFormatException(_path, 0, 0, $"cannot be read: {OneLine(e.Message)}");
        }
    }

    /// <summary>
    /// Opens the Parquet reader after checking the footer against the file: its declared length must fit in the file, and
    /// it must be a sound <c>FileMetaData</c> of Parquet's Thrift schema (<see cref="ThriftFooterCheck"/>), so that Parquet.Net
    /// decodes it in time and memory linear in its length. The reader reads the file through an <see cref="EndCheckedStream"/>,
    /// so that a page header running into the end of the file fails instead of being read forever.
    /// </summary>
    private ParquetReader CreateReader(FileStream stream, CancellationToken cancellationToken, out EndCheckedStream window, out long dataEnd)
    {
        byte[] footer;
        try
        {
            long length = stream.Length;
            Span<byte> size = stackalloc byte[4];
            stream.Seek(-8, SeekOrigin.End);
            stream.ReadExactly(size);
            long footerLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(size);
            if (footerLength <= 0 || footerLength > length - 12)
            {
                throw new RowFormatException(_path, 0, 0, $"is not a readable Parquet file: its footer length {footerLength} does not fit in the file's {length} bytes.");
            }

            footer = new byte[footerLength];
            dataEnd = length - 8 - footerLength;
            stream.Seek(-8 - footerLength, SeekOrigin.End);
            stream.ReadExactly(footer);
            stream.Seek(0, SeekOrigin.Begin);
        }
        catch (IOException e) when (e is not RowFormatException)
        {
            throw new RowFormatException(_path, 0, 0, $"cannot be read: {OneLine(e.Message)}");
        }

        if (ThriftFooterCheck.Problem(footer) is string problem)
        {
            throw new RowFormatException(_path, 0, 0, $"is not a readable Parquet file: {problem}");
        }

        var checkedStream = new EndCheckedStream(stream);
        window = checkedStream;
        return Guard(() => ParquetReader.CreateAsync(checkedStream, cancellationToken: cancellationToken).GetAwaiter().GetResult());
    }

    /// <summary>The fields read: the chosen ones in order, else every top-level numeric column in schema order.</summary>
    private DataField[] Select(ParquetReader reader)
    {
        // The schema is decoded from the footer on first use: a damaged one fails here, inside the guard.
        DataField[] all = Guard(() => reader.Schema.GetDataFields());
        if (_columns is null)
        {
            DataField[] numeric = [.. all.Where(IsNumeric)];
            return numeric.Length > 0
                ? numeric
                : throw new RowFormatException(_path, 0, 0, $"has no numeric columns (columns: {string.Join(", ", all.Select(f => Shown(f.Name)))}).");
        }

        var chosen = new DataField[_columns.Length];
        for (int i = 0; i < _columns.Length; i++)
        {
            DataField? field = all.FirstOrDefault(f => string.Equals(f.Name, _columns[i], StringComparison.Ordinal) && f.Path.ToList().Count == 1)
                ?? throw new RowFormatException(_path, 0, 0, $"has no column '{Shown(_columns[i])}' (columns: {string.Join(", ", all.Select(f => Shown(f.Name)))}).");
            chosen[i] = IsNumeric(field)
                ? field
                : throw new RowFormatException(_path, 0, 0, $"the column '{Shown(field.Name)}' is not numeric ({(field.IsArray ? "a list" : field.ClrType.Name)}); choose numeric columns.");
        }

        return chosen;
    }

    private static bool IsNumeric(DataField field) =>
        !field.IsArray && field.Path.ToList().Count == 1 && (field.ClrType == typeof(double) || field.ClrType == typeof(float)
            || field.ClrType == typeof(int) || field.ClrType == typeof(long) || field.ClrType == typeof(short)
            || field.ClrType == typeof(sbyte) || field.ClrType == typeof(byte) || field.ClrType == typeof(ushort)
            || field.ClrType == typeof(uint) || field.ClrType == typeof(ulong) || field.ClrType == typeof(decimal));

    /// <summary>The declared row count of row group <paramref name="g"/> (its metadata only).</summary>
    private long GroupRows(ParquetReader reader, int g)
    {
        long count = Guard(() =>
        {
            using ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
            return group.RowCount;
        });
        return count >= 0 ? count : throw new RowFormatException(_path, 0, 0, $"is not a readable Parquet file: row group {g + 1} declares {count} rows.");
    }

    /// <summary>One row group's chosen columns as row-major doubles, checked (no null, finite).</summary>
    private double[] ReadGroup(ParquetReader reader, EndCheckedStream window, long dataEnd, int g, DataField[] fields, long rowBase, CancellationToken cancellationToken, out int rows)
    {
        using ParquetRowGroupReader group = Guard(() => reader.OpenRowGroupReader(g));
        long count = group.RowCount;
        if (count < 0)
        {
            throw new RowFormatException(_path, 0, 0, $"is not a readable Parquet file: row group {g + 1} declares {count} rows.");
        }

        if (count > int.MaxValue / Math.Max(1, fields.Length))
        {
            throw new RowFormatException(_path, 0, 0, $"row group {g + 1} has {count} rows, too many to read at once.");
        }

        // Before allocating the group's rows: every chosen (flat) column chunk must declare one value per row (nulls
        // included) and lie inside the file, so a damaged footer cannot size the arrays by a row count its columns lack.
        // Then its pages are walked as Parquet.Net will read them (PageWalk), and Parquet.Net reads only the pages walked.
        long fileLength = new FileInfo(_path).Length;
        var pagesEnd = new long[fields.Length];
        for (int j = 0; j < fields.Length; j++)
        {
            DataField field = fields[j];
            global::Parquet.Meta.ColumnMetaData? meta = Guard(() => group.GetMetadata(field)?.MetaData);
            if (meta is null || meta.NumValues != count || meta.TotalCompressedSize < 0 || meta.TotalCompressedSize > fileLength
                || meta.DataPageOffset < 0 || meta.DataPageOffset >= fileLength)
            {
                throw new RowFormatException(_path, 0, 0, $"is not a readable Parquet file: the column '{Shown(field.Name)}' of row group {g + 1} does not match the group's {count} rows or lies outside the file.");
            }

            long start = new[] { meta.DictionaryPageOffset ?? 0, meta.DataPageOffset, meta.IndexPageOffset ?? 0 }.Where(o => o != 0).DefaultIfEmpty(0).Min();
            string? pageProblem;
            try
            {
                pageProblem = PageWalk.Check(window, start, dataEnd, count, (long)meta.Codec, out pagesEnd[j]);
            }
            catch (IOException e)
            {
                pageProblem = OneLine(e.Message);
            }

            if (pageProblem is not null)
            {
                throw new RowFormatException(_path, 0, 0, $"is not a readable Parquet file: the column '{Shown(field.Name)}' of row group {g + 1}: {pageProblem}");
            }
        }

        rows = (int)count;
        int d = fields.Length;
        var values = new double[rows * d];
        for (int j = 0; j < d; j++)
        {
            DataField field = fields[j];
            window.Limit = pagesEnd[j];
            try
            {
                ReadColumn(group, field, values, j, d, rowBase, rows, cancellationToken);
            }
            finally
            {
                window.Limit = long.MaxValue;
            }
        }

        return values;
    }

    private void ReadColumn(ParquetRowGroupReader group, DataField field, double[] values, int j, int d, long rowBase, int rows, CancellationToken cancellationToken)
    {
        Type t = field.ClrType;
        if (t == typeof(double))
        {
            Column<double>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else if (t == typeof(float))
        {
            Column<float>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else if (t == typeof(int))
        {
            Column<int>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else if (t == typeof(long))
        {
            Column<long>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else if (t == typeof(short))
        {
            Column<short>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else if (t == typeof(sbyte))
        {
            Column<sbyte>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else if (t == typeof(byte))
        {
            Column<byte>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else if (t == typeof(ushort))
        {
            Column<ushort>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else if (t == typeof(uint))
        {
            Column<uint>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else if (t == typeof(ulong))
        {
            Column<ulong>(group, field, values, j, d, rowBase, rows, v => v, cancellationToken);
        }
        else
        {
            Column<decimal>(group, field, values, j, d, rowBase, rows, v => (double)v, cancellationToken);
        }
    }

    private void Column<T>(ParquetRowGroupReader group, DataField field, double[] values, int j, int d, long rowBase, int rows, Func<T, double> convert, CancellationToken cancellationToken)
        where T : struct
    {
        if (field.IsNullable)
        {
            var cells = new T?[rows];
            Guard(() => group.ReadAsync<T>(field, cells.AsMemory(), null, cancellationToken).AsTask().GetAwaiter().GetResult());
            for (int i = 0; i < rows; i++)
            {
                values[(i * d) + j] = cells[i] is T v
                    ? Check(convert(v), rowBase + i, j, field)
                    : throw new RowFormatException(_path, rowBase + i + 1, j + 1, $"the column '{Shown(field.Name)}' is null in this row; every cell must be a number.");
            }
        }
        else
        {
            var cells = new T[rows];
            Guard(() => group.ReadAsync<T>(field, cells.AsMemory(), null, cancellationToken).AsTask().GetAwaiter().GetResult());
            for (int i = 0; i < rows; i++)
            {
                values[(i * d) + j] = Check(convert(cells[i]), rowBase + i, j, field);
            }
        }
    }

    private double Check(double value, long row, int j, DataField field) =>
        double.IsFinite(value)
            ? value
            : throw new RowFormatException(_path, row + 1, j + 1, $"the column '{Shown(field.Name)}' holds {value}, which is not a finite number.");

    /// <summary>Runs a call of the Parquet reader, reporting its failures as a <see cref="RowFormatException"/> naming the file.</summary>
    private T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not RowFormatException and not OperationCanceledException and not OutOfMemoryException)
        {
            throw new RowFormatException(_path, 0, 0, $"is not a readable Parquet file: {OneLine(e.Message)}");
        }
    }

    private void Guard(Action read) => Guard(() =>
    {
        read();
        return 0;
    });

    private static Span<double> Flat(double[,] a) => System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref a[0, 0], a.Length);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>A column name as shown in a message: control characters and line breaks escaped (<c>\u000A</c>), so the message stays one line.</summary>
    private static string Shown(string name)
    {
        if (!name.Any(IsBreaking))
        {
            return name;
        }

        var shown = new System.Text.StringBuilder(name.Length + 8);
        foreach (char c in name)
        {
            shown.Append(IsBreaking(c) ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return shown.ToString();
    }

    private static bool IsBreaking(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
