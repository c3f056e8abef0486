using LatentModels.Data;
using LatentModels.Parquet;

namespace LatentModels.Cli;

/// <summary>
/// Reads numeric tables: comma-, semicolon- or whitespace-separated values, one observation per line, with an optional
/// header line. Blank lines and lines starting with '#' are ignored. A file that starts like an IDX file or a gzip
/// stream is read as MNIST IDX images (one row per image, pixels / 255). This is the CLI's only reader of data files
/// (every command reads through it), so every data error names <c>file:line:column</c> the same way.
/// </summary>
/// <remarks>
/// <para><b>Header rule.</b> The first non-blank, non-comment line is a header when <em>every</em> one of its cells is a
/// name: it holds a letter, is not a number (not even NaN, ∞ or an out-of-range number) and does not start like one (a
/// digit, a sign or a decimal point). Any other first line is a data row, so a typo in the first row of a header-less file
/// (<c>1.5,2.O</c>, or <c>1.O</c> in a one-column file) is an error naming <c>file:1:column</c>, never a header that
/// silently drops the row: with two or more columns a header needs every cell to be a name, so no single typo makes one;
/// in a one-column file a mistyped number (a digit or point with O/o for 0 or l/I for 1, e.g. <c>O.5</c>) is not a name
/// either, but a first cell that is a plain word (<c>x1</c>) is a header. Header names are not otherwise checked.</para>
/// <para><b>Separator.</b> Taken from the first data row: ',' if it holds one, else ';' if it holds one, else runs of
/// whitespace (spaces and tabs). Every later row must use it: a row with another delimiter has a cell that is not a
/// number, and the message names the delimiter.</para>
/// </remarks>
public static class DataFile
{
    /// <summary>Reads a file into an n × d matrix.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="RowFormatException">The file is missing, empty, ragged or holds a non-number.</exception>
    public static double[,] Read(string path) => Load(path).Values;

    /// <summary>Reads a table from a text reader.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <exception cref="RowFormatException">The text is empty, ragged or holds a non-number.</exception>
    public static double[,] Read(TextReader reader, string name) => Load(reader, name, null).Values;

    /// <summary>Reads a file into a table that remembers where each row came from.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="RowFormatException">The file is missing, empty, ragged or holds a non-number.</exception>
    public static DataTable Load(string path) => Load(path, null);

    /// <summary>Reads a file into a table; <paramref name="columns"/> chooses the columns of a Parquet file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The <c>--columns</c> choice (Parquet only), or null for every numeric column.</param>
    /// <exception cref="RowFormatException">The file is missing, empty, ragged or holds a non-number.</exception>
    /// <exception cref="ArgumentException"><paramref name="columns"/> is given for a file that is not Parquet.</exception>
    public static DataTable Load(string path, IReadOnlyList<string>? columns)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new RowFormatException(path, 0, 0, Directory.Exists(path) ? "is a directory, not a data file." : "no such file.");
        }

        if (IsParquet(path))
        {
            return new DataTable(RowChunks.ReadAll(OpenParquet(path, columns)), path, [], null, null);
        }

        CheckNoColumns(path, columns);
        try
        {
            if (IsIdxOrGzip(path))
            {
                return new DataTable(ReadIdx(path), path, [], null, null);
            }

            using var reader = new StreamReader(path);
            return Load(reader, path, line => LineOf(path, line));
        }
        catch (Exception e) when (e is (IOException and not RowFormatException) or UnauthorizedAccessException)
        {
            throw new RowFormatException(path, 0, 0, $"cannot be read: {OneLine(e.Message)}");
        }
    }

    /// <summary>
    /// Whether a file is read as Parquet: its name ends with <c>.parquet</c> (any case; a damaged file is then reported as
    /// a bad Parquet file, not read as text) or it starts with the magic bytes <c>PAR1</c>.
    /// </summary>
    internal static bool IsParquet(string path) =>
        path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || ParquetRowChunkSource.StartsLikeParquet(path);

    /// <summary>The chunk source of a Parquet file (every numeric column, or the chosen ones), errors as <see cref="RowFormatException"/>.</summary>
    internal static ParquetRowChunkSource OpenParquet(string path, IReadOnlyList<string>? columns)
    {
        try
        {
            return new ParquetRowChunkSource(path, columns);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--columns: {CliErrors.RawMessage(e)}", e);
        }
    }

    /// <summary>Throws when <c>--columns</c> is given for a file that is not Parquet (text and IDX files are read whole).</summary>
    internal static void CheckNoColumns(string path, IReadOnlyList<string>? columns)
    {
        if (columns is { Count: > 0 })
        {
            throw new ArgumentException($"--columns: '{path}' is not a Parquet file; --columns chooses the columns of Parquet files only.");
        }
    }

    /// <summary>
    /// A table of a file that a command streams instead of reading (its values are not held): it locates row i by
    /// reading the file again with the same rules (blank, comment and header lines skipped), only when an error needs it.
    /// </summary>
    internal static DataTable Locator(string path) =>
        File.Exists(path) && !IsIdxOrGzip(path) && !IsParquet(path)
            ? new DataTable(new double[0, 0], path, row => LineOfRow(path, row), null, line => LineOf(path, line))
            : new DataTable(new double[0, 0], path, [], null, null);

    /// <summary>
    /// The one-based line of zero-based data row <paramref name="row"/> of a text file, or null: the file is read again by
    /// the same <see cref="CsvRowReader"/>, up to that row only (rows before it were read without error by the stream).
    /// </summary>
    private static int? LineOfRow(string path, long row)
    {
        try
        {
            using var text = new StreamReader(path);
            var reader = new CsvRowReader(text, path);
            for (long rows = 0; reader.ReadRow(); rows++)
            {
                if (rows == row)
                {
                    return (int)reader.Line;
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a RowFormatException (an IOException) too: the file changed since it was streamed
        }
    }

    /// <summary>The text of one-based line <paramref name="number"/> of a file (for locating a column after the read).</summary>
    private static string? LineOf(string path, int number)
    {
        try
        {
            return File.ReadLines(path).Skip(number - 1).FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the file starts like an IDX file (two zero bytes, then the unsigned-byte type 0x08) or a gzip stream
    /// (1F 8B): such files are MNIST images, read by <see cref="Data.IdxReader"/> as rows of pixels scaled to [0, 1].
    /// </summary>
    private static bool IsIdxOrGzip(string path)
    {
        Span<byte> head = stackalloc byte[3];
        using var stream = System.IO.File.OpenRead(path);
        int read = stream.ReadAtLeast(head, 3, throwOnEndOfStream: false);
        return read == 3 && ((head[0] == 0x1F && head[1] == 0x8B) || (head[0] == 0 && head[1] == 0 && head[2] == 0x08));
    }

    private static double[,] ReadIdx(string path)
    {
        try
        {
            double[,] images = Data.IdxReader.ReadImages(path);
            return images.GetLength(0) > 0
                ? images
                : throw new RowFormatException(path, 0, 0, "is an IDX image file that holds no images (no data rows).");
        }
        catch (InvalidDataException e)
        {
            throw new RowFormatException(path, 0, 0, $"is not a readable IDX image file: {OneLine(e.Message)}");
        }
    }

    private static DataTable Load(TextReader reader, string name, Func<int, string?>? lineText)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var values = new List<double>(1 << 16);
        var rowLines = new List<int>();
        var rows = new CsvRowReader(reader, name);
        while (rows.ReadRow())
        {
            values.AddRange(rows.Row);
            rowLines.Add((int)rows.Line);
        }

        var result = new double[rowLines.Count, rows.Columns];
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values).CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref result[0, 0], result.Length));
        return new DataTable(result, name, [.. rowLines], rows.Separator, lineText);
    }

    /// <summary>A message on one line (newlines replaced by spaces).</summary>
    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>
    /// Splits a line (trailing whitespace removed) into fields: their [start, end) character ranges with the cells' own
    /// surrounding whitespace trimmed. With ' ' as separator, runs of spaces and tabs separate the fields.
    /// </summary>
    internal static void Split(ReadOnlySpan<char> text, char separator, List<(int Start, int End)> fields) => Data.CsvRules.Split(text, separator, fields);
}
