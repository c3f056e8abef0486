namespace LatentModels.Data;

/// <summary>
/// Rows already in memory as a chunk source (e.g. to run an out-of-core fit on an array in tests, or a format read whole
/// such as IDX). The array is checked once here — at least one row and one column, finite values — and is not copied:
/// the caller must not modify it while the source is in use. Chunks are fresh copies of the array's rows.
/// </summary>
public sealed class ArrayRowChunkSource : IRowChunkSource
{
    private readonly double[,] _rows;

    /// <summary>Wraps an array.</summary>
    /// <param name="rows">n × d rows (not modified, not copied).</param>
    /// <param name="name">The name used in messages.</param>
    /// <exception cref="ArgumentException">The array has no rows or columns, or a value that is not finite (the message names it).</exception>
    public ArrayRowChunkSource(double[,] rows, string name = "rows")
    {
        DataValidation.CheckMatrix(rows, nameof(rows));
        ArgumentNullException.ThrowIfNull(name);
        _rows = rows;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The number of rows.</summary>
    public int Rows => _rows.GetLength(0);

    /// <inheritdoc />
    public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        return Read(chunkRows, cancellationToken);
    }

    private IEnumerable<double[,]> Read(int chunkRows, CancellationToken cancellationToken)
    {
        int n = _rows.GetLength(0), d = _rows.GetLength(1);
        for (int start = 0; start < n; start += chunkRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(chunkRows, n - start);
            var chunk = new double[rows, d];
            _rows.AsSpan().Slice(start * d, rows * d).CopyTo(chunk.AsWritableSpan());
            yield return chunk;
        }
    }
}
