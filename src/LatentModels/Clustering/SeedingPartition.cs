using LatentModels.LinearAlgebra;

namespace LatentModels.Clustering;

/// <summary>
/// The sums one partition of the rows (a chunk read from a source, a shard) contributes to the passes of
/// <see cref="IKMeansSeedingData"/>, continued from the partitions before it — written once for the out-of-core and the
/// distributed seedings. Row-order sums go row by row; the candidates' potentials go by blocks of
/// <see cref="KMeansSeeding.BlockSize"/> rows from the partition's first row (the in-memory blocks when partitions start at
/// multiples of it), each block summed row by row and the block sums added in order; the squared distances are the
/// kernel's, so a partition gives the in-memory seeding's values bit for bit.
/// </summary>
internal static class SeedingPartition
{
    /// <summary>Each of the first <paramref name="rows"/> rows' squared distance to the nearest of the first <paramref name="chosen"/> centers (+∞ for none).</summary>
    public static void Nearest(double[,] x, int rows, double[,] centers, int chosen, double[] nearest, int maxDegreeOfParallelism)
    {
        int d = x.GetLength(1);
        ParallelBlocks.For(rows, KMeansSeeding.BlockSize, maxDegreeOfParallelism, (_, start, end) =>
        {
            ReadOnlySpan<double> xs = x.AsSpan(), c = centers.AsSpan();
            for (int i = start; i < end; i++)
            {
                double best = double.PositiveInfinity;
                ReadOnlySpan<double> row = xs.Slice(i * d, d);
                for (int j = 0; j < chosen; j++)
                {
                    best = Math.Min(best, RowReductions.SquaredDistance(row, c.Slice(j * d, d)));
                }

                nearest[i] = best;
            }
        });
    }

    /// <summary>
    /// Continues the running potential <paramref name="run"/> over the first <paramref name="rows"/> rows — w·D² (D² from
    /// <paramref name="nearest"/>), or w alone when <paramref name="nearest"/> is null (no center chosen yet) — and sets, for
    /// every target not yet found (<paramref name="found"/>[t] &lt; 0), the first row whose running sum exceeds it.
    /// </summary>
    /// <returns>The running potential after the rows.</returns>
    public static double Search(int rows, double[]? weights, double[]? nearest, double[] targets, double run, int[] found)
    {
        for (int i = 0; i < rows; i++)
        {
            run += nearest is null ? (weights is null ? 1.0 : weights[i]) : (weights is null ? nearest[i] : weights[i] * nearest[i]);
            for (int t = 0; t < targets.Length; t++)
            {
                if (found[t] < 0 && run > targets[t])
                {
                    found[t] = i;
                }
            }
        }

        return run;
    }

    /// <summary>
    /// Continues, for every candidate, the potential it would leave, Σ w·min(D², ‖x − candidate‖²), over the first
    /// <paramref name="rows"/> rows: block by block into <paramref name="blockOrder"/> and row by row into
    /// <paramref name="rowOrder"/>. The blocks run in parallel; <paramref name="left"/> (at least rows × candidates) and
    /// <paramref name="partial"/> (at least blocks × candidates) are scratch.
    /// </summary>
    public static void Potentials(double[,] x, int rows, double[]? weights, double[] nearest, double[][] candidates, double[] blockOrder, double[] rowOrder,
        double[] left, double[] partial, int maxDegreeOfParallelism)
    {
        int trials = candidates.Length, d = x.GetLength(1), blocks = ParallelBlocks.BlockCount(rows, KMeansSeeding.BlockSize);
        ParallelBlocks.For(rows, KMeansSeeding.BlockSize, maxDegreeOfParallelism, (b, start, end) =>
        {
            ReadOnlySpan<double> xs = x.AsSpan();
            for (int t = 0; t < trials; t++)
            {
                ReadOnlySpan<double> candidate = candidates[t];
                Span<double> mine = left.AsSpan(t * rows, rows);
                double s = 0;
                for (int i = start; i < end; i++)
                {
                    double dist = Math.Min(nearest[i], RowReductions.SquaredDistance(xs.Slice(i * d, d), candidate));
                    double v = weights is null ? dist : weights[i] * dist;
                    mine[i] = v;
                    s += v;
                }

                partial[(b * trials) + t] = s;
            }
        });

        for (int t = 0; t < trials; t++)
        {
            for (int b = 0; b < blocks; b++)
            {
                blockOrder[t] += partial[(b * trials) + t];
            }

            ReadOnlySpan<double> mine = left.AsSpan(t * rows, rows);
            double r = rowOrder[t];
            for (int i = 0; i < rows; i++)
            {
                r += mine[i];
            }

            rowOrder[t] = r;
        }
    }
}
