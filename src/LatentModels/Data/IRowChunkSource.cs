namespace LatentModels.Data;

/// <summary>
/// A re-readable table of numeric rows delivered in fixed-size chunks, so that a fit can see a data set far larger than
/// memory: memory is bounded by the chunk, not by the table. Every call of <see cref="ReadChunks"/> reads the rows again
/// from the first, in the same order (a fit that needs several passes simply enumerates again). Implementations validate
/// at the door — one width, finite values — and name a bad value by its place (<see cref="RowFormatException"/>).
/// </summary>
/// <remarks>
/// Implementations: <see cref="CsvRowChunkSource"/> (streamed CSV or whitespace-separated text),
/// <see cref="ArrayRowChunkSource"/> (rows already in memory); the <c>LatentModels.Parquet</c> package adds Parquet files.
/// </remarks>
public interface IRowChunkSource
{
    /// <summary>The name used in messages (e.g. the file name as given).</summary>
    string Name { get; }

    /// <summary>
    /// Reads the rows from the first, <paramref name="chunkRows"/> at a time: every chunk but the last has exactly
    /// <paramref name="chunkRows"/> rows, the last has the rest (at least one row). Implementations may hand out the same
    /// array for every full chunk: a chunk is valid only until the enumeration moves on, and must not be modified.
    /// </summary>
    /// <param name="chunkRows">Rows per chunk (≥ 1).</param>
    /// <param name="cancellationToken">Checked before every chunk.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> is less than 1.</exception>
    /// <exception cref="RowFormatException">The table is empty, ragged or holds a value that is not a finite number (raised when reached).</exception>
    IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default);
}
