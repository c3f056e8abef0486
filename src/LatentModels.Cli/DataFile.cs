using System.Globalization;

namespace LatentModels.Cli;

/// <summary>
/// Reads numeric tables: comma-separated or whitespace-separated values, one observation per line, with an optional
/// header line (a first line that is not all numbers). Blank lines and lines starting with '#' are ignored. A file that
/// starts like an IDX file or a gzip stream is read as MNIST IDX images (one row per image, pixels / 255).
/// </summary>
public static class DataFile
{
    /// <summary>Reads a file into an n × d matrix.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="DataFormatException">The file is missing, empty, ragged or holds a non-number.</exception>
    public static double[,] Read(string path)
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
                return ReadIdx(path);
            }

            using var reader = new StreamReader(path);
            return Read(reader, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, 0, $"cannot be read: {e.Message}");
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
            return Data.IdxReader.ReadImages(path);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, 0, 0, $"is not a readable IDX image file: {e.Message}");
        }
    }

    /// <summary>Reads a table from a text reader.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <exception cref="DataFormatException">The text is empty, ragged or holds a non-number.</exception>
    public static double[,] Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var values = new List<double>(1 << 16);
        int columns = -1, rows = 0, lineNumber = 0;
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

            separator ??= text.Contains(',') ? ',' : (text.Contains(';') ? ';' : ' ');
            int before = values.Count;
            if (!TryParseLine(text, separator.Value, values, out int count, out int badColumn, out string badField))
            {
                if (firstContentLine)
                {
                    // A first line that is not all numbers is a header; the separator is taken from the data.
                    values.RemoveRange(before, values.Count - before);
                    firstContentLine = false;
                    separator = null;
                    continue;
                }

                string what = badField.Length == 0 ? "an empty field" : $"'{badField}'";
                throw new DataFormatException(name, lineNumber, badColumn, $"{what} is not a finite number.");
            }

            firstContentLine = false;
            if (columns < 0)
            {
                columns = count;
            }
            else if (count != columns)
            {
                throw new DataFormatException(name, lineNumber, 1, $"the row has {count} values but earlier rows have {columns}.");
            }

            rows++;
        }

        if (rows == 0)
        {
            // Point at the end of the file, where the first data row was expected.
            throw new DataFormatException(name, lineNumber + 1, 1, "the file holds no data rows.");
        }

        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                result[i, j] = values[i * columns + j];
            }
        }

        return result;
    }

    private static bool TryParseLine(ReadOnlySpan<char> text, char separator, List<double> values, out int count, out int badColumn, out string badField)
    {
        count = 0;
        badColumn = 0;
        badField = string.Empty;
        int position = 0;
        while (position <= text.Length)
        {
            int start = position;
            int end;
            if (separator == ' ')
            {
                while (start < text.Length && char.IsWhiteSpace(text[start]))
                {
                    start++;
                }

                if (start >= text.Length)
                {
                    break;
                }

                end = start;
                while (end < text.Length && !char.IsWhiteSpace(text[end]))
                {
                    end++;
                }

                position = end;
            }
            else
            {
                end = text.Slice(start).IndexOf(separator);
                end = end < 0 ? text.Length : start + end;
                position = end + 1;
            }

            ReadOnlySpan<char> field = text[start..end].Trim();
            if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            {
                int leading = 0;
                while (start + leading < end && char.IsWhiteSpace(text[start + leading]))
                {
                    leading++;
                }

                badColumn = start + leading + 1;
                badField = field.ToString();
                return false;
            }

            values.Add(v);
            count++;
            if (separator != ' ' && end == text.Length)
            {
                break;
            }
        }

        return true;
    }
}
