namespace LatentModels.Cli;

/// <summary>
/// A numeric table read from a data file, with the place of every row in the file, so that an error the library
/// reports in 0-based data coordinates (row i, column j) can be reported as <c>file:line:column</c>.
/// </summary>
public sealed class DataTable
{
    private readonly Func<long, int?> _lineOfRow;
    private readonly Func<int, string?>? _lineText;

    internal DataTable(double[,] values, string name, int[] rowLines, char? separator, Func<int, string?>? lineText)
        : this(values, name, row => row >= 0 && row < rowLines.Length ? rowLines[row] : null, separator, lineText)
    {
    }

    /// <summary>A table whose rows' lines are found on demand (a streamed file: the rows are not held).</summary>
    internal DataTable(double[,] values, string name, Func<long, int?> lineOfRow, char? separator, Func<int, string?>? lineText)
    {
        Values = values;
        Name = name;
        _lineOfRow = lineOfRow;
        Separator = separator;
        _lineText = lineText;
    }

    /// <summary>The n × d values.</summary>
    public double[,] Values { get; }

    /// <summary>The file name as given (used in messages).</summary>
    public string Name { get; }

    /// <summary>The field separator of the data rows (',' ';' or ' ' for whitespace), or null for a binary (IDX) file.</summary>
    public char? Separator { get; }

    /// <summary>
    /// The one-based line and character column of value (<paramref name="row"/>, <paramref name="column"/>) in the file,
    /// or null when the file has no lines (an IDX image file) or the row is out of range.
    /// </summary>
    /// <param name="row">Zero-based data row.</param>
    /// <param name="column">Zero-based data column.</param>
    public (int Line, int Column)? Locate(long row, int column)
    {
        if (_lineText is null || _lineOfRow(row) is not int line)
        {
            return null; // an IDX file has no lines
        }

        string? text = _lineText(line);
        if (text is null)
        {
            return (line, 1);
        }

        char separator = Separator ?? Data.CsvRules.DetectSeparator(text);

        var fields = new List<(int Start, int End)>();
        DataFile.Split(text.AsSpan().TrimEnd(), separator, fields);
        return column >= 0 && column < fields.Count ? (line, fields[column].Start + 1) : (line, 1);
    }
}
