namespace LatentModels.Cli;

/// <summary>
/// A library <see cref="ArgumentException"/> about a mini-batch of the data file's rows: its row numbers count from
/// <see cref="FirstRow"/>, the batch's first row in the file (so the message can name the file's line).
/// </summary>
internal sealed class DataRowsException : Exception
{
    public DataRowsException(ArgumentException inner, long firstRow, bool singleRow)
        : base(inner.Message, inner)
    {
        Inner = inner;
        FirstRow = firstRow;
        SingleRow = singleRow;
    }

    /// <summary>Whether the update was of the single row <see cref="FirstRow"/> (its message names no row).</summary>
    public bool SingleRow { get; }

    /// <summary>The library's exception.</summary>
    public ArgumentException Inner { get; }

    /// <summary>The batch's first row in the data file (0-based).</summary>
    public long FirstRow { get; }
}
