using System.Globalization;

namespace LatentModels.Data;

/// <summary>
/// The one parse loop of numeric text tables (the rules of <see cref="CsvRules"/>): reads a text line by line and yields
/// its data rows one at a time, each with its one-based line in the text. Blank lines, lines starting with '#' and a
/// header line are skipped; every row must have the width of the first and every cell must parse (invariant culture) as
/// a finite number. <see cref="CsvRowChunkSource"/> and the <c>latent</c> CLI's whole-file reader both read through it,
/// so they accept the same tables and fail with the same <see cref="RowFormatException"/> at the same place.
/// </summary>
/// <remarks>The reader does not own the <see cref="TextReader"/>; memory is one row plus the line being read.</remarks>
public sealed class CsvRowReader
{
    private readonly TextReader _reader;
    private readonly List<(int Start, int End)> _fields = new(64);
    private double[] _row = [];
    private long _lineNumber;
    private long _headerLine;
    private bool _firstContentLine = true;
    private bool _sawRow;

    /// <summary>A reader of a text's rows.</summary>
    /// <param name="reader">The text, read from its current position (not disposed by this reader).</param>
    /// <param name="name">The name used in messages (the file as given).</param>
    public CsvRowReader(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(name);
        _reader = reader;
        Name = name;
    }

    /// <summary>The name used in messages.</summary>
    public string Name { get; }

    /// <summary>The width of the rows (that of the first data row), or -1 before the first row is read.</summary>
    public int Columns { get; private set; } = -1;

    /// <summary>The separator of the data rows (',' ';' or ' ' for runs of whitespace), or null before the first row is read.</summary>
    public char? Separator { get; private set; }

    /// <summary>The one-based line of the row last read (0 before the first).</summary>
    public long Line { get; private set; }

    /// <summary>The values of the row last read (<see cref="Columns"/> of them); valid until the next <see cref="ReadRow"/>.</summary>
    public ReadOnlySpan<double> Row => _row;

    /// <summary>Reads the next data row into <see cref="Row"/>.</summary>
    /// <returns>Whether a row was read; false at the end of the text (after at least one row).</returns>
    /// <exception cref="RowFormatException">
    /// A row is ragged or holds a cell that is not a finite number (naming its line and character column), or the text
    /// ends without any data row.
    /// </exception>
    public bool ReadRow()
    {
        List<(int Start, int End)> fields = _fields;
        string? line;
        while ((line = _reader.ReadLine()) is not null)
        {
            _lineNumber++;
            ReadOnlySpan<char> text = line.AsSpan().TrimEnd();
            if (text.IsWhiteSpace() || text.TrimStart().StartsWith("#"))
            {
                continue;
            }

            char lineSeparator = Separator ?? CsvRules.DetectSeparator(text);
            CsvRules.Split(text, lineSeparator, fields);
            if (_firstContentLine)
            {
                _firstContentLine = false;
                if (CsvRules.IsHeader(text, fields))
                {
                    _headerLine = _lineNumber;
                    continue; // the separator is taken from the first data row
                }
            }

            Separator = lineSeparator;
            if (Columns < 0)
            {
                Columns = fields.Count;
                _row = new double[Columns];
            }

            for (int f = 0; f < fields.Count; f++)
            {
                (int start, int end) = fields[f];
                if (f >= Columns)
                {
                    throw new RowFormatException(Name, _lineNumber, start + 1, $"the row has {fields.Count} values but earlier rows have {Columns}.");
                }

                ReadOnlySpan<char> field = text[start..end];
                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                {
                    throw new RowFormatException(Name, _lineNumber, start + 1, CsvRules.Problem(field, lineSeparator, v));
                }

                _row[f] = v;
            }

            if (fields.Count < Columns)
            {
                throw new RowFormatException(Name, _lineNumber, text.Length + 1, $"the row has {fields.Count} values but earlier rows have {Columns}.");
            }

            Line = _lineNumber;
            _sawRow = true;
            return true;
        }

        if (!_sawRow)
        {
            if (_headerLine == 0)
            {
                throw new RowFormatException(Name, 0, 0, "the file holds no data rows (it is empty, blank or only comments).");
            }

            // Point at the end of the file, where the first data row was expected.
            throw new RowFormatException(Name, _lineNumber + 1, 1, "the file holds no data rows.");
        }

        return false;
    }
}
