namespace LatentModels.Data;

/// <summary>
/// A table that could not be read as numeric rows, with the place of the problem: the message reads
/// <c>file:line:column: problem</c> (or <c>file: problem</c> for the file as a whole).
/// </summary>
public sealed class RowFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file (or source) name as given.</param>
    /// <param name="line">One-based line (or row) number; 0 when the problem is the file as a whole.</param>
    /// <param name="column">One-based character column (or field number); 0 when not applicable.</param>
    /// <param name="problem">What is wrong.</param>
    public RowFormatException(string file, long line, int column, string problem)
        : base(line > 0 ? $"{file}:{line}:{column}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file (or source) name as given.</summary>
    public string File { get; }

    /// <summary>One-based line number, or 0.</summary>
    public long Line { get; }

    /// <summary>One-based column, or 0.</summary>
    public int Column { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
