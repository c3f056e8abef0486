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

    internal static double[,] RandomRowsCore(double[,] data, int k, Random random) =>
        Wait(RandomRowsAsync(new ArraySeedingData(data, null, 1), k, random, CancellationToken.None));

    /// <summary>
    /// The rows <see cref="RandomRows"/> draws (<see cref="RandomRowIndices"/>: the same <see cref="Random"/> calls), fetched
    /// from data held anywhere (<see cref="IKMeansSeedingData.RowsAsync"/>): the same centers from the same generator.
    /// </summary>
    /// <param name="data">The data (in memory, a source read in passes, the shards of a cluster).</param>
    /// <param name="k">Number of rows, 1 ≤ k ≤ n.</param>
    /// <param name="random">The random source.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>k × d centers.</returns>
    /// <exception cref="ArgumentOutOfRangeException">k is out of range.</exception>
    public static async ValueTask<double[,]> RandomRowsAsync(IKMeansSeedingData data, int k, Random random, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        int[] rows = RandomRowIndices(data.Rows, k, random);
        return ToMatrix(await data.RowsAsync(rows, cancellationToken).ConfigureAwait(false));
    }

    private static void CheckK(int k, int n)
    {
        if (k < 1 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k is {k} but must lie between 1 and the number of rows ({n}).");
        }
    }

    internal static double[,] PlusPlusCore(double[,] data, int k, Random random, double[]? weights, int maxDegreeOfParallelism, CancellationToken cancellationToken = default) =>
        Wait(PlusPlusAsync(new ArraySeedingData(data, weights, maxDegreeOfParallelism), k, random, cancellationToken));

    /// <summary>
    /// Greedy k-means++ of <see cref="PlusPlus"/> over data held anywhere: the one implementation of its draws and choices,
    /// the data answering the passes (<see cref="IKMeansSeedingData"/>). The first center is the row
    /// <c>random.Next(n)</c> (with sample weights, the row <see cref="IKMeansSeedingData.DrawAsync"/> finds for one
    /// <c>random.NextDouble()</c>); each further center draws 2 + ⌊ln k⌋ candidates (one <c>random.NextDouble()</c> each),
    /// evaluates their potentials and keeps the first smallest.
    /// </summary>
    /// <param name="data">The data (in memory, a source read in passes, the shards of a cluster).</param>
    /// <param name="k">Number of centers, 1 ≤ k ≤ n.</param>
    /// <param name="random">The random source (all randomness comes from it).</param>
    /// <param name="cancellationToken">Cancels between passes.</param>
    /// <returns>k × d centers, each a copy of a data row.</returns>
    /// <exception cref="ArgumentOutOfRangeException">k is out of range.</exception>
    public static async ValueTask<double[,]> PlusPlusAsync(IKMeansSeedingData data, int k, Random random, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(random);
        CheckK(k, data.Rows);
        cancellationToken.ThrowIfCancellationRequested();
        int trials = 2 + (int)Math.Log(k);
        var centers = new double[k][];
        centers[0] = data.Weighted
            ? (await data.DrawAsync([random.NextDouble()], cancellationToken).ConfigureAwait(false))[0]
            : (await data.RowsAsync([random.Next(data.Rows)], cancellationToken).ConfigureAwait(false))[0];
        if (k > 1)
        {
            await data.ChooseAsync(centers[0], -1, cancellationToken).ConfigureAwait(false);
        }

        var uniforms = new double[trials];
        for (int c = 1; c < k; c++)
        {
            cancellationToken.ThrowIfCancellationRequested(); // one center costs (2 + ln k) passes over the rows in memory
            for (int t = 0; t < trials; t++)
            {
                uniforms[t] = random.NextDouble();
            }

            double[][] candidates = await data.DrawAsync(uniforms, cancellationToken).ConfigureAwait(false);
            double[] potentials = await data.PotentialsAsync(candidates, cancellationToken).ConfigureAwait(false);
            int best = 0;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                if (potentials[t] < bestPotential)
                {
                    bestPotential = potentials[t];
                    best = t;
                }
            }

            centers[c] = candidates[best];
            if (c < k - 1)
            {
                await data.ChooseAsync(centers[c], best, cancellationToken).ConfigureAwait(false);
            }
        }

        return ToMatrix(centers);
    }

    /// <summary>Rows as the rows of a matrix.</summary>
    internal static double[,] ToMatrix(double[][] rows)
    {
        int d = rows.Length == 0 ? 0 : rows[0].Length;
        var m = new double[rows.Length, d];
        Span<double> target = m.AsWritableSpan();
        for (int j = 0; j < rows.Length; j++)
        {
            rows[j].CopyTo(target.Slice(j * d, d));
        }

        return m;
    }

    /// <summary>The result of a seeding over data in memory or read synchronously (its passes complete at once).</summary>
    private static double[,] Wait(ValueTask<double[,]> seeding) => seeding.IsCompletedSuccessfully ? seeding.Result : seeding.AsTask().GetAwaiter().GetResult();
}
