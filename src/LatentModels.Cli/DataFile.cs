using System.Globalization;
using System.Text;

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
    /// <summary>Longest part of an offending cell quoted in a message.</summary>
    private const int MaxQuoted = 24;

    /// <summary>Reads a file into an n × d matrix.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="DataFormatException">The file is missing, empty, ragged or holds a non-number.</exception>
    public static double[,] Read(string path) => Load(path).Values;

    /// <summary>Reads a table from a text reader.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <exception cref="DataFormatException">The text is empty, ragged or holds a non-number.</exception>
    public static double[,] Read(TextReader reader, string name) => Load(reader, name, null).Values;

    /// <summary>Reads a file into a table that remembers where each row came from.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="DataFormatException">The file is missing, empty, ragged or holds a non-number.</exception>
    public static DataTable Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new DataFormatException(path, 0, 0, Directory.Exists(path) ? "is a directory, not a data file." : "no such file.");
        }

        try
        {
            if (IsIdxOrGzip(path))
            {
                return new DataTable(ReadIdx(path), path, [], null, null);
            }

            using var reader = new StreamReader(path);
            return Load(reader, path, line => LineOf(path, line));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, 0, $"cannot be read: {OneLine(e.Message)}");
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
                : throw new DataFormatException(path, 0, 0, "is an IDX image file that holds no images (no data rows).");
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, 0, 0, $"is not a readable IDX image file: {OneLine(e.Message)}");
        }
    }

    private static DataTable Load(TextReader reader, string name, Func<int, string?>? lineText)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var values = new List<double>(1 << 16);
        var rowLines = new List<int>();
        var fields = new List<(int Start, int End)>();
        int columns = -1, lineNumber = 0, headerLine = 0;
        bool firstContentLine = true;
        char? separator = null;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            ReadOnlySpan<char> text = line.AsSpan().TrimEnd();
            if (text.IsWhiteSpace() || text.TrimStart().StartsWith("#"))
            {
                continue;
            }

            char lineSeparator = separator ?? DetectSeparator(text);
            Split(text, lineSeparator, fields);
            if (firstContentLine)
            {
                firstContentLine = false;
                if (IsHeader(text, fields))
                {
                    headerLine = lineNumber;
                    continue; // the separator is taken from the first data row
                }
            }

            separator = lineSeparator;
            for (int f = 0; f < fields.Count; f++)
            {
                (int start, int end) = fields[f];
                if (columns >= 0 && f >= columns)
                {
                    throw new DataFormatException(name, lineNumber, start + 1, $"the row has {fields.Count} values but earlier rows have {columns}.");
                }

                ReadOnlySpan<char> field = text[start..end];
                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                {
                    throw new DataFormatException(name, lineNumber, start + 1, Problem(field, separator.Value, v));
                }

                values.Add(v);
            }

            if (columns < 0)
            {
                columns = fields.Count;
            }
            else if (fields.Count < columns)
            {
                throw new DataFormatException(name, lineNumber, text.Length + 1, $"the row has {fields.Count} values but earlier rows have {columns}.");
            }

            rowLines.Add(lineNumber);
        }

        if (rowLines.Count == 0)
        {
            if (headerLine == 0)
            {
                throw new DataFormatException(name, 0, 0, "the file holds no data rows (it is empty, blank or only comments).");
            }

            // Point at the end of the file, where the first data row was expected.
            throw new DataFormatException(name, lineNumber + 1, 1, "the file holds no data rows.");
        }

        int rows = rowLines.Count;
        var result = new double[rows, columns];
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values).CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref result[0, 0], result.Length));
        return new DataTable(result, name, [.. rowLines], separator, lineText);
    }

    private static char DetectSeparator(ReadOnlySpan<char> text) => text.Contains(',') ? ',' : (text.Contains(';') ? ';' : ' ');

    /// <summary>
    /// A header: every cell is a name — holding a letter, not a number, not starting like one (a digit, sign or decimal point),
    /// not a mistyped number (a digit or point with the letters O/o for 0 or l/I for 1: <c>O.5</c>, <c>1O</c>), no control
    /// characters.
    /// </summary>
    private static bool IsHeader(ReadOnlySpan<char> text, List<(int Start, int End)> fields)
    {
        foreach ((int start, int end) in fields)
        {
            ReadOnlySpan<char> cell = text[start..end];
            if (cell.IsEmpty || "0123456789+-−.".Contains(cell[0]) || IsBinary(cell) || !HasLetter(cell)
                || double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || IsMistypedNumber(cell))
            {
                return false;
            }
        }

        return fields.Count > 0;
    }

    private static bool HasLetter(ReadOnlySpan<char> cell)
    {
        foreach (char c in cell)
        {
            if (char.IsLetter(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A cell with a digit or point that is a number once O/o are read as 0 and l/I as 1.</summary>
    private static bool IsMistypedNumber(ReadOnlySpan<char> cell)
    {
        if (cell.IndexOfAny("0123456789.") < 0 || cell.Length > 64)
        {
            return false;
        }

        Span<char> digits = stackalloc char[cell.Length];
        for (int i = 0; i < cell.Length; i++)
        {
            digits[i] = cell[i] switch { 'O' or 'o' => '0', 'l' or 'I' => '1', char c => c };
        }

        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    private static bool IsBinary(ReadOnlySpan<char> cell)
    {
        foreach (char c in cell)
        {
            if ((c < ' ' && c != '\t') || c == '\u007F' || c == '\uFFFD')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What is wrong with a cell that is not a finite number.</summary>
    private static string Problem(ReadOnlySpan<char> field, char separator, double parsed)
    {
        if (field.IsEmpty)
        {
            return "an empty field is not a finite number.";
        }

        if (IsBinary(field))
        {
            return "the cell holds binary bytes (control characters or invalid UTF-8): this is not a text table of numbers.";
        }

        string quoted = $"'{Quote(field)}'";
        if (double.IsInfinity(parsed) && !field.Contains("inf", StringComparison.OrdinalIgnoreCase) && !field.Contains('∞'))
        {
            return $"{quoted} is beyond the range of double (±1.8e308); rescale the data.";
        }

        foreach (char other in (ReadOnlySpan<char>)[',', ';', '\t', ' '])
        {
            if (other != separator && !(separator == ' ' && other == '\t') && field.Contains(other))
            {
                string expected = separator switch { ',' => "','", ';' => "';'", _ => "whitespace" };
                string found = other switch { '\t' => "a tab", ' ' => "a space", _ => $"'{other}'" };
                return $"{quoted} is not a finite number (the rows are separated by {expected} but this cell holds {found}: a wrong delimiter?).";
            }
        }

        return $"{quoted} is not a finite number.";
    }

    /// <summary>The cell as printable text on one line: control characters escaped, at most <see cref="MaxQuoted"/> characters.</summary>
    private static string Quote(ReadOnlySpan<char> field)
    {
        var text = new StringBuilder();
        foreach (char c in field[..Math.Min(field.Length, MaxQuoted)])
        {
            if (c < ' ' || c == '\u007F' || c == '\uFFFD' || c == '\'' || c == '\\')
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                text.Append(c);
            }
        }

        return field.Length > MaxQuoted ? text.Append('…').ToString() : text.ToString();
    }

    /// <summary>A message on one line (newlines replaced by spaces).</summary>
    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>
    /// Splits a line (trailing whitespace removed) into fields: their [start, end) character ranges with the cells' own
    /// surrounding whitespace trimmed. With ' ' as separator, runs of spaces and tabs separate the fields.
    /// </summary>
    internal static void Split(ReadOnlySpan<char> text, char separator, List<(int Start, int End)> fields)
    {
        fields.Clear();
        if (separator == ' ')
        {
            int position = 0;
            while (true)
            {
                while (position < text.Length && char.IsWhiteSpace(text[position]))
                {
                    position++;
                }

                if (position >= text.Length)
                {
                    return;
                }

                int start = position;
                while (position < text.Length && !char.IsWhiteSpace(text[position]))
                {
                    position++;
                }

                fields.Add((start, position));
            }
        }

        int from = 0;
        while (true)
        {
            int next = text[from..].IndexOf(separator);
            int end = next < 0 ? text.Length : from + next;
            int s = from, e = end;
            while (s < e && char.IsWhiteSpace(text[s]))
            {
                s++;
            }

            while (e > s && char.IsWhiteSpace(text[e - 1]))
            {
                e--;
            }

            fields.Add((s, e));
            if (next < 0)
            {
                return;
            }

            from = end + 1;
        }
    }
}
