namespace LatentModels.Data;

/// <summary>
/// A source whose chunks are another source's mapped value by value (row-major, the width kept): the rows of an
/// out-of-core fit in the units of its range frame, or sample weights divided by a power of two. An elementwise map does
/// not depend on the chunking, so the mapped source serves the rows the in-memory fit maps. Memory: one more chunk.
/// </summary>
internal sealed class MappedRowChunkSource(IRowChunkSource inner, MappedRowChunkSource.Map map) : IRowChunkSource
{
    /// <summary>Writes the mapped values of <paramref name="source"/> (row-major, <paramref name="columns"/> wide) into <paramref name="destination"/>.</summary>
    public delegate void Map(ReadOnlySpan<double> source, Span<double> destination, int columns);

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
    {
        double[,] mapped = new double[0, 0];
        foreach (double[,] chunk in inner.ReadChunks(chunkRows, cancellationToken))
        {
            if (mapped.GetLength(0) != chunk.GetLength(0) || mapped.GetLength(1) != chunk.GetLength(1))
            {
                mapped = new double[chunk.GetLength(0), chunk.GetLength(1)];
            }

            map(chunk.AsSpan(), mapped.AsWritableSpan(), chunk.GetLength(1));
            yield return mapped;
        }
    }
}
