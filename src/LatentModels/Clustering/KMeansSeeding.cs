using System.Runtime.InteropServices;
using LatentModels.LinearAlgebra;

namespace LatentModels.Clustering;

/// <summary>Initial centers for K-Means and for mixture models: greedy k-means++ and uniformly drawn rows.</summary>
public static class KMeansSeeding
{
    /// <summary>Rows per block of the k-means++ candidates' potentials (summed per block, the blocks in order).</summary>
    internal const int BlockSize = 2048;

    /// <summary>
    /// Greedy k-means++ (Arthur &amp; Vassilvitskii, with scikit-learn's greedy refinement): the first center is a row drawn
    /// with probability proportional to its weight; each further center is the best of 2 + ⌊ln k⌋ candidate rows drawn
    /// with probability proportional to weight × squared distance to the nearest chosen center, "best" meaning the
    /// candidate that leaves the smallest total weighted squared distance.
    /// </summary>
    /// <param name="data">n × d rows (not modified).</param>
    /// <param name="k">Number of centers, 1 ≤ k ≤ n.</param>
    /// <param name="random">The random source (all randomness comes from it).</param>
    /// <param name="weights">Optional per-row non-negative weights (empty = all ones).</param>
    /// <returns>k × d centers, each a copy of a data row.</returns>
    /// <exception cref="ArgumentException">Bad data, k out of range or bad weights.</exception>
    public static double[,] PlusPlus(double[,] data, int k, Random random, ReadOnlySpan<double> weights = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        ArgumentNullException.ThrowIfNull(random);
        int n = data.GetLength(0), d = data.GetLength(1);
        CheckK(k, n);
        double[]? w = null;
        if (!weights.IsEmpty)
        {
            DataValidation.CheckWeights(weights, n, nameof(weights));
            w = weights.ToArray();
        }

        return PlusPlusCore(data, k, random, w, 0);
    }

    /// <summary>The number of rows in the fixed blocks whose candidate potentials <see cref="PlusPlus"/> sums block by block, in block order.</summary>
    public const int PotentialBlockRows = BlockSize;

    /// <summary>
    /// Each row's squared Euclidean distance to the nearest of <paramref name="centers"/> (+∞ when there are none), with
    /// the kernel and the arithmetic of <see cref="PlusPlus"/> — the piece a partition needs to take part in a k-means++
    /// seeding computed elsewhere (e.g. by the shards of a distributed fit) and draw the same rows.
    /// </summary>
    /// <param name="data">n × d rows (finite; not modified).</param>
    /// <param name="centers">c × d centers (c may be 0).</param>
    /// <param name="nearest">n values (overwritten).</param>
    /// <exception cref="ArgumentException">The widths or lengths do not match.</exception>
    public static void NearestSquaredDistances(double[,] data, double[,] centers, Span<double> nearest)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(centers);
        int n = data.GetLength(0), d = data.GetLength(1), c = centers.GetLength(0);
        if (centers.GetLength(1) != d || nearest.Length != n)
        {
            throw new ArgumentException($"The data is {n} × {d}, the centers {c} × {centers.GetLength(1)} and the result has {nearest.Length} values.", nameof(centers));
        }

        ReadOnlySpan<double> x = data.AsSpan(), m = centers.AsSpan();
        for (int i = 0; i < n; i++)
        {
            double best = double.PositiveInfinity;
            for (int j = 0; j < c; j++)
            {
                best = Math.Min(best, RowReductions.SquaredDistance(x.Slice(i * d, d), m.Slice(j * d, d)));
            }

            nearest[i] = best;
        }
    }

    /// <summary>
    /// The indices of the rows <see cref="RandomRows"/> draws from n rows (its partial Fisher–Yates draws, the swapped
    /// indices kept sparsely), for partitions that fetch the rows by index — the same draws from the same generator.
    /// </summary>
    /// <param name="n">The number of rows.</param>
    /// <param name="k">Number of rows to draw, 1 ≤ k ≤ n.</param>
    /// <param name="random">The random source.</param>
    /// <returns>k distinct indices in the order drawn.</returns>
    /// <exception cref="ArgumentOutOfRangeException">k is out of range.</exception>
    public static int[] RandomRowIndices(int n, int k, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckK(k, n);
        var moved = new Dictionary<int, int>();
        var rows = new int[k];
        for (int j = 0; j < k; j++)
        {
            int r = random.Next(j, n);
            int atJ = moved.TryGetValue(j, out int a) ? a : j, atR = moved.TryGetValue(r, out int b) ? b : r;
            moved[j] = atR;
            moved[r] = atJ;
            rows[j] = atR;
        }

        return rows;
    }

    /// <summary>k distinct rows drawn uniformly without replacement, in the order drawn.</summary>
    /// <param name="data">n × d rows (not modified).</param>
    /// <param name="k">Number of centers, 1 ≤ k ≤ n.</param>
    /// <param name="random">The random source.</param>
    /// <returns>k × d centers.</returns>
    /// <exception cref="ArgumentException">Bad data or k out of range.</exception>
    public static double[,] RandomRows(double[,] data, int k, Random random)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        ArgumentNullException.ThrowIfNull(random);
        int n = data.GetLength(0);
        CheckK(k, n);
        return RandomRowsCore(data, k, random);
    }

    internal static double[,] RandomRowsCore(double[,] data, int k, Random random)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var index = new int[n];
        for (int i = 0; i < n; i++)
        {
            index[i] = i;
        }

        var centers = new double[k, d];
        ReadOnlySpan<double> x = data.AsSpan();
        Span<double> c = centers.AsWritableSpan();
        for (int j = 0; j < k; j++)
        {
            int r = random.Next(j, n);
            (index[j], index[r]) = (index[r], index[j]);
            x.Slice(index[j] * d, d).CopyTo(c.Slice(j * d, d));
        }

        return centers;
    }

    private static void CheckK(int k, int n)
    {
        if (k < 1 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k is {k} but must lie between 1 and the number of rows ({n}).");
        }
    }

    internal static double[,] PlusPlusCore(double[,] data, int k, Random random, double[]? weights, int maxDegreeOfParallelism, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int n = data.GetLength(0), d = data.GetLength(1);
        int trials = 2 + (int)Math.Log(k);
        var centers = new double[k, d];
        var closest = new double[n];
        var cumulative = new double[n];
        var candidates = new int[trials];
        int blocks = ParallelBlocks.BlockCount(n, BlockSize);
        var partial = new double[blocks * trials];

        // First center: a row drawn with probability ∝ weight.
        int first;
        if (weights is null)
        {
            first = random.Next(n);
        }
        else
        {
            double run = 0;
            for (int i = 0; i < n; i++)
            {
                run += weights[i];
                cumulative[i] = run;
            }

            first = Search(cumulative, random.NextDouble() * run);
        }

        CopyRow(data, first, centers, 0);
        ParallelBlocks.For(n, BlockSize, maxDegreeOfParallelism, (b, start, end) =>
        {
            ReadOnlySpan<double> x = data.AsSpan();
            ref double c0 = ref MemoryMarshal.GetReference(x.Slice(first * d, d));
            for (int i = start; i < end; i++)
            {
                closest[i] = RowReductions.SquaredDistance(ref MemoryMarshal.GetReference(x.Slice(i * d, d)), ref c0, d);
            }
        });

        for (int c = 1; c < k; c++)
        {
            cancellationToken.ThrowIfCancellationRequested(); // one center costs (2 + ln k) passes over the rows
            double pot = 0;
            for (int i = 0; i < n; i++)
            {
                pot += weights is null ? closest[i] : weights[i] * closest[i];
                cumulative[i] = pot;
            }

            for (int t = 0; t < trials; t++)
            {
                candidates[t] = Search(cumulative, random.NextDouble() * pot);
            }

            // Potential left by each candidate, per fixed block, summed in block order.
            ParallelBlocks.For(n, BlockSize, maxDegreeOfParallelism, (b, start, end) =>
            {
                ReadOnlySpan<double> x = data.AsSpan();
                for (int t = 0; t < trials; t++)
                {
                    ref double ct = ref MemoryMarshal.GetReference(x.Slice(candidates[t] * d, d));
                    double s = 0;
                    for (int i = start; i < end; i++)
                    {
                        double dist = Math.Min(closest[i], RowReductions.SquaredDistance(ref MemoryMarshal.GetReference(x.Slice(i * d, d)), ref ct, d));
                        s += weights is null ? dist : weights[i] * dist;
                    }

                    partial[b * trials + t] = s;
                }
            });

            int bestTrial = 0;
            double bestPot = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                double s = 0;
                for (int b = 0; b < blocks; b++)
                {
                    s += partial[b * trials + t];
                }

                if (s < bestPot)
                {
                    bestPot = s;
                    bestTrial = t;
                }
            }

            int chosen = candidates[bestTrial];
            CopyRow(data, chosen, centers, c);
            ParallelBlocks.For(n, BlockSize, maxDegreeOfParallelism, (b, start, end) =>
            {
                ReadOnlySpan<double> x = data.AsSpan();
                ref double cc = ref MemoryMarshal.GetReference(x.Slice(chosen * d, d));
                for (int i = start; i < end; i++)
                {
                    closest[i] = Math.Min(closest[i], RowReductions.SquaredDistance(ref MemoryMarshal.GetReference(x.Slice(i * d, d)), ref cc, d));
                }
            });
        }

        return centers;
    }

    /// <summary>First index whose cumulative value exceeds <paramref name="target"/> (clipped to the last row).</summary>
    private static int Search(double[] cumulative, double target)
    {
        int lo = 0, hi = cumulative.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > target)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private static void CopyRow(double[,] data, int row, double[,] centers, int c)
    {
        int d = data.GetLength(1);
        data.AsSpan().Slice(row * d, d).CopyTo(centers.AsWritableSpan().Slice(c * d, d));
    }
}
