namespace LatentModels.Cli;

/// <summary>A data file that could not be read, with the place of the problem.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file name as given.</param>
    /// <param name="line">One-based line number (0 when the problem is the file as a whole).</param>
    /// <param name="column">One-based character column (0 when not applicable).</param>
    /// <param name="problem">What is wrong.</param>
    public DataFormatException(string file, int line, int column, string problem)
        : base(line > 0 ? $"{file}:{line}:{column}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file name as given.</summary>
    public string File { get; }

    /// <summary>One-based line number, or 0.</summary>
    public int Line { get; }

    /// <summary>One-based character column, or 0.</summary>
    public int Column { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
