namespace LatentModels.Data;

/// <summary>
/// The rows of a <see cref="IRowChunkSource"/> with, optionally, their sample weights from a second, one-column source read
/// in lockstep (the same chunk size, so chunk i of the weights belongs to chunk i of the rows): memory is one chunk of each,
/// never the whole weight column. The weights are checked as they arrive (one column, one per row, finite and
/// non-negative); that they are not all zero is the caller's check once a pass has summed them.
/// </summary>
internal sealed class WeightedRowChunks
{
    private double[] _weights = [];

    public WeightedRowChunks(IRowChunkSource rows, IRowChunkSource? weights)
    {
        Rows = rows;
        Weights = weights;
    }

    /// <summary>The rows.</summary>
    public IRowChunkSource Rows { get; }

    /// <summary>The sample weights (one column), or null for unit weights.</summary>
    public IRowChunkSource? Weights { get; }

    /// <summary>The rows' name (for messages).</summary>
    public string Name => Rows.Name;

    /// <summary>One chunk: its rows, the weights of its rows (null without weights; the array is reused), and the index of its first row.</summary>
    public readonly record struct Chunk(double[,] X, double[]? W, long First)
    {
        /// <summary>The number of rows.</summary>
        public int Count => X.GetLength(0);
    }

    /// <summary>Reads the rows (and weights) from the first row, in chunks of <paramref name="chunkRows"/> rows (the last may be shorter).</summary>
    /// <exception cref="ArgumentException">A weight is negative or not finite, the weights have more than one column, or their count is not the rows' (names <c>sampleWeights</c>).</exception>
    public IEnumerable<Chunk> Read(int chunkRows, CancellationToken cancellationToken)
    {
        long first = 0;
        if (Weights is null)
        {
            foreach (double[,] x in Rows.ReadChunks(chunkRows, cancellationToken))
            {
                yield return new Chunk(x, null, first);
                first += x.GetLength(0);
            }

            yield break;
        }

        using IEnumerator<double[,]> weights = Weights.ReadChunks(chunkRows, cancellationToken).GetEnumerator();
        foreach (double[,] x in Rows.ReadChunks(chunkRows, cancellationToken))
        {
            int rows = x.GetLength(0);
            if (!weights.MoveNext() || weights.Current.GetLength(0) < rows)
            {
                throw new ArgumentException($"{Weights.Name} has fewer weights than {Rows.Name} has rows (at least {first + rows}).", "sampleWeights");
            }

            double[,] w = weights.Current;
            if (w.GetLength(0) > rows)
            {
                throw new ArgumentException($"{Weights.Name} has more weights than {Rows.Name} has rows ({first + rows}).", "sampleWeights");
            }

            if (w.GetLength(1) != 1)
            {
                throw new ArgumentException($"{Weights.Name} has {w.GetLength(1)} columns; give one weight per row.", "sampleWeights");
            }

            if (_weights.Length != rows)
            {
                _weights = new double[rows];
            }

            for (int i = 0; i < rows; i++)
            {
                double v = w[i, 0];
                if (!double.IsFinite(v) || v < 0)
                {
                    throw new ArgumentException($"The weight of row {first + i} is {v}; weights must be finite and non-negative.", "sampleWeights");
                }

                _weights[i] = v;
            }

            yield return new Chunk(x, _weights, first);
            first += rows;
        }

        if (weights.MoveNext())
        {
            throw new ArgumentException($"{Weights.Name} has more weights than {Rows.Name} has rows ({first}).", "sampleWeights");
        }
    }
}
