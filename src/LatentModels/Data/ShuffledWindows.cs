namespace LatentModels.Data;

/// <summary>
/// An epoch over a shuffled order of the rows of a <see cref="IRowChunkSource"/>, in bounded memory: the order is kept as
/// one int per row (inverted, so that <c>position[i]</c> is row i's place in the order), and the order is walked in windows
/// of whole mini-batches; for each window one pass over the source keeps the rows (and weights) whose place falls in it, at
/// that place. The mini-batches of a window are then runs of the held rows — those of the in-memory epoch over the same
/// order. Shared by the stochastic variational mixture's epochs and mini-batch K-Means over a source.
/// </summary>
internal static class ShuffledWindows
{
    /// <summary>The rows an epoch holds in memory at once, as bytes (64 MiB; a data set smaller than that is one window).</summary>
    internal const long WindowBytes = 64L << 20;

    /// <summary>Checks one chunk's values (row-major), given the index of its first row; throws on a bad one.</summary>
    public delegate void ChunkCheck(ReadOnlySpan<double> values, long firstRow);

    /// <summary>
    /// The rows of one window: a whole number of mini-batches of <paramref name="batch"/> rows (at least one) of width
    /// <paramref name="d"/> in at most <paramref name="windowBytes"/> of rows, and at most <paramref name="n"/>.
    /// </summary>
    public static int Rows(int n, int d, int batch, long windowBytes)
    {
        long windowRows = Math.Max(1, windowBytes / ((long)sizeof(double) * Math.Max(d, 1)) / batch) * batch;
        return (int)Math.Min(windowRows, n);
    }

    /// <summary>
    /// One pass over the source keeping the rows whose shuffled position is in [<paramref name="first"/>, <paramref name="end"/>),
    /// at their place in <paramref name="held"/> (and their weights in <paramref name="heldWeights"/> when the source has
    /// weights). <paramref name="check"/>, when given, sees every chunk's values with the index of its first row.
    /// </summary>
    /// <exception cref="ArgumentException">A chunk of another width, or a number of rows other than <c>position.Length</c> (names <c>source</c>).</exception>
    public static void Gather(WeightedRowChunks source, int[] position, int first, int end, int d, double[] held, double[]? heldWeights,
        ChunkCheck? check, CancellationToken cancellationToken)
    {
        long row = 0;
        int n = position.Length;
        foreach (WeightedRowChunks.Chunk chunk in source.Read(RowChunks.DefaultChunkRows, cancellationToken))
        {
            int m = chunk.Count;
            if (chunk.X.GetLength(1) != d)
            {
                throw new ArgumentException($"{source.Name} has {chunk.X.GetLength(1)} columns at row {row}; the stream has dimension {d}.", nameof(source));
            }

            if (row + m > n)
            {
                throw new ArgumentException($"{source.Name} has more than the {n} rows given.", nameof(source));
            }

            ReadOnlySpan<double> x = chunk.X.AsSpan();
            check?.Invoke(x, row);
            for (int i = 0; i < m; i++)
            {
                int p = position[row + i];
                if (p >= first && p < end)
                {
                    x.Slice(i * d, d).CopyTo(held.AsSpan((p - first) * d, d));
                    if (heldWeights is not null && chunk.W is not null)
                    {
                        heldWeights[p - first] = chunk.W[i];
                    }
                }
            }

            row += m;
        }

        if (row != n)
        {
            throw new ArgumentException($"{source.Name} has {row} rows, not the {n} given.", nameof(source));
        }
    }

    /// <summary>Inverts a permutation in place (each cycle followed once, visited entries marked by complement).</summary>
    public static void InvertInPlace(int[] order)
    {
        for (int i = 0; i < order.Length; i++)
        {
            if (order[i] < 0)
            {
                continue;
            }

            // order[previous] = current: row `current` is at place `previous`.
            int previous = i, current = order[i];
            while (current != i)
            {
                int next = order[current];
                order[current] = ~previous;
                previous = current;
                current = next;
            }

            order[i] = ~previous;
        }

        for (int i = 0; i < order.Length; i++)
        {
            order[i] = ~order[i];
        }
    }
}
