namespace LatentModels.Data;

/// <summary>Helpers over <see cref="IRowChunkSource"/>: counting rows, reading a whole (small) source into memory.</summary>
public static class RowChunks
{
    /// <summary>The rows per chunk the helpers and the CLI read by default (a multiple of every block size of the fits).</summary>
    public const int DefaultChunkRows = 1 << 14;

    /// <summary>The number of rows and columns of a source (one pass over it).</summary>
    /// <param name="source">The rows.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="RowFormatException">The source is empty or malformed.</exception>
    public static (long Rows, int Columns) Shape(IRowChunkSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        long rows = 0;
        int columns = 0;
        foreach (double[,] chunk in source.ReadChunks(DefaultChunkRows, cancellationToken))
        {
            rows += chunk.GetLength(0);
            columns = chunk.GetLength(1);
        }

        return (rows, columns);
    }

    /// <summary>Reads a whole source into one n × d array (memory grows with the source: for data that fits).</summary>
    /// <param name="source">The rows.</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="RowFormatException">The source is empty or malformed.</exception>
    /// <exception cref="OverflowException">The source has more rows than an array can hold.</exception>
    public static double[,] ReadAll(IRowChunkSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var values = new List<double>(1 << 16);
        int rows = 0, columns = 0;
        foreach (double[,] chunk in source.ReadChunks(DefaultChunkRows, cancellationToken))
        {
            columns = chunk.GetLength(1);
            rows = checked(rows + chunk.GetLength(0));
            foreach (double v in chunk.AsSpan())
            {
                values.Add(v);
            }
        }

        var result = new double[rows, columns];
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values).CopyTo(result.AsWritableSpan());
        return result;
    }
}
