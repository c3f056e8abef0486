using System.Globalization;

namespace LatentModels.Data;

/// <summary>
/// Numeric rows streamed from text: comma-, semicolon- or whitespace-separated values, one observation per line, an
/// optional header line (a first line that is not all numbers), blank lines and lines starting with '#' ignored — the
/// rules of the <c>latent</c> CLI's data files. The file is read line by line for every pass; memory is one chunk plus
/// the reader's buffer, whatever the file's size.
/// </summary>
/// <remarks>
/// Validation at the door: every row must have the width of the first and every field must parse (invariant culture)
/// as a finite number; otherwise <see cref="RowFormatException"/> names the file, line and column. An empty file (no
/// data rows) is an error too. A problem is raised when the enumeration reaches it: a fit over a bad file fails at the
/// bad line of its first pass, before it returns anything.
/// </remarks>
public sealed class CsvRowChunkSource : IRowChunkSource
{
    private readonly Func<TextReader> _open;

    /// <summary>A source over a file.</summary>
    /// <param name="path">The file (its name as given is used in messages).</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="RowFormatException">There is no such file (it is a directory, or missing).</exception>
    public CsvRowChunkSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!System.IO.File.Exists(path))
        {
            throw new RowFormatException(path, 0, 0, Directory.Exists(path) ? "is a directory, not a data file." : "no such file.");
        }

        Name = path;
        _open = () => new StreamReader(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.SequentialScan, BufferSize = 1 << 16 });
    }

    /// <summary>A source over text opened afresh for every pass (e.g. a <see cref="StringReader"/> factory in tests).</summary>
    /// <param name="open">Opens the text from its start; the source disposes each reader it opens.</param>
    /// <param name="name">The name used in messages.</param>
    public CsvRowChunkSource(Func<TextReader> open, string name)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(name);
        _open = open;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        return Read(chunkRows, cancellationToken);
    }

    private IEnumerable<double[,]> Read(int chunkRows, CancellationToken cancellationToken)
    {
        using TextReader reader = _open();
        var row = new List<double>(64);
        double[,]? chunk = null;
        int columns = -1, filled = 0;
        long lineNumber = 0;
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
            row.Clear();
            if (!TryParseLine(text, separator.Value, row, out int badColumn, out string badField))
            {
                if (firstContentLine)
                {
                    // A first line that is not all numbers is a header; the separator is taken from the data.
                    firstContentLine = false;
                    separator = null;
                    continue;
                }

                string what = badField.Length == 0 ? "an empty field" : $"'{badField}'";
                throw new RowFormatException(Name, lineNumber, badColumn, $"{what} is not a finite number.");
            }

            firstContentLine = false;
            if (columns < 0)
            {
                columns = row.Count;
                chunk = new double[chunkRows, columns];
            }
            else if (row.Count != columns)
            {
                throw new RowFormatException(Name, lineNumber, 1, $"the row has {row.Count} values but earlier rows have {columns}.");
            }

            for (int j = 0; j < columns; j++)
            {
                chunk![filled, j] = row[j];
            }

            if (++filled == chunkRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return chunk!;
                filled = 0;
            }
        }

        if (columns < 0)
        {
            // Point at the end of the file, where the first data row was expected.
            throw new RowFormatException(Name, lineNumber + 1, 1, "the file holds no data rows.");
        }

        if (filled > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var last = new double[filled, columns];
            chunk!.AsSpan()[..(filled * columns)].CopyTo(last.AsWritableSpan());
            yield return last;
        }
    }

    private static bool TryParseLine(ReadOnlySpan<char> text, char separator, List<double> values, out int badColumn, out string badField)
    {
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
            if (separator != ' ' && end == text.Length)
            {
                break;
            }
        }

        return true;
    }
}
