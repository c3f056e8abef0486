using LatentModels.Data;

namespace LatentModels.Cli;

/// <summary>A chunk source that remembers the rows and columns of its last complete pass (for reports, without a pass of its own).</summary>
internal sealed class CountingSource(IRowChunkSource inner) : IRowChunkSource
{
    /// <inheritdoc />
    public string Name => inner.Name;

    /// <summary>Rows of the last complete pass (0 before one).</summary>
    public long Rows { get; private set; }

    /// <summary>Columns of the last complete pass (0 before one).</summary>
    public int Columns { get; private set; }

    /// <inheritdoc />
    public IEnumerable<double[,]> ReadChunks(int chunkRows, CancellationToken cancellationToken = default)
    {
        IEnumerable<double[,]> chunks = inner.ReadChunks(chunkRows, cancellationToken);
        return Count(chunks);
    }

    private IEnumerable<double[,]> Count(IEnumerable<double[,]> chunks)
    {
        long rows = 0;
        int columns = 0;
        foreach (double[,] chunk in chunks)
        {
            rows += chunk.GetLength(0);
            columns = chunk.GetLength(1);
            yield return chunk;
        }

        (Rows, Columns) = (rows, columns);
    }
}
