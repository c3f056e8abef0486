using System.Runtime.InteropServices;
using LatentModels.Clustering;
using LatentModels.LinearAlgebra;

namespace LatentModels.Statistics;

/// <summary>
/// The sufficient statistics of one K-Means assignment step on some rows: for every cluster j of the model's centers
/// cⱼ, the weight Nⱼ = Σ wᵢ of the rows assigned to it (nearest center, first on ties), their weighted mean mⱼ and the
/// centered scatter Sⱼ = Σ wᵢ‖xᵢ − mⱼ‖², plus the total row weight. The Lloyd update (<see cref="NextCenters()"/>,
/// <see cref="ToModel"/>) and the inertia Σᵢ wᵢ‖xᵢ − c(xᵢ)‖² = Σⱼ Sⱼ + Nⱼ‖mⱼ − cⱼ‖² (<see cref="Inertia"/>) need nothing
/// else: partitions call <see cref="Compute"/> (or <see cref="KMeansModel.ComputeStatistics"/>) where the data lives, a
/// driver merges the parts in a fixed order with <see cref="Merge(KMeansStatistics)"/> (Chan's formula) and takes the
/// update. Immutable; persisted by <see cref="Persistence.ModelJson"/> (format <c>LatentModels.KMeansStatistics</c>).
/// </summary>
/// <remarks>
/// Statistics keep the <see cref="Centers"/> of the assignment step and merge only with statistics of the same centers.
/// <see cref="Compute"/> summarises fixed chunks of <see cref="ChunkSize"/> rows (two passes each: mean, then centered
/// scatter) and merges them in a fixed structure: from first to last within each superblock of
/// <see cref="SuperblockRows"/> rows, then the superblocks' totals from first to last. <see cref="KMeans"/> (in memory, Lloyd
/// and accelerated), the out-of-core fit and a distributed fit whose shards start at superblock boundaries
/// (<see cref="ComputeParts"/>, <see cref="MergeParts"/>) all take this same fold, so they give the same bits whatever
/// the thread count; any other split agrees to rounding.
/// </remarks>
public sealed class KMeansStatistics : IMergeableStatistics<KMeansStatistics>
{
    /// <summary>The rows per chunk of <see cref="Compute"/>: partitions of one chunk each merge to the single pass's bits.</summary>
    public const int ChunkSize = 1024;

    /// <summary>
    /// The rows per superblock of the fixed merge structure (64 chunks): chunks are merged in order within a superblock,
    /// then superblocks in order. A partition that starts at a multiple of this reproduces the single pass bit for bit.
    /// </summary>
    public const int SuperblockRows = 64 * ChunkSize;

    // Chunks summarised in parallel before they are folded in order: one superblock.
    private const int ChunksPerWindow = SuperblockRows / ChunkSize;

    private readonly double[] _centers;
    private readonly double[] _weights;
    private readonly double[] _means;
    private readonly double[] _scatters;

    private KMeansStatistics(int clusters, int dimension, double[] centers, double[] weights, double[] means, double[] scatters, double totalWeight)
    {
        Clusters = clusters;
        Dimension = dimension;
        _centers = centers;
        _weights = weights;
        _means = means;
        _scatters = scatters;
        TotalWeight = totalWeight;
    }

    /// <summary>Statistics from owned arrays (no copy, no checks): the folds' result.</summary>
    internal static KMeansStatistics FromParts(int clusters, int dimension, double[] centers, double[] weights, double[] means, double[] scatters, double totalWeight) =>
        new(clusters, dimension, centers, weights, means, scatters, totalWeight);

    /// <summary>
    /// Recreates statistics from their parts (copied), e.g. received from another process. Every value must be finite;
    /// weights, scatters and the total weight non-negative.
    /// </summary>
    /// <param name="centers">The K × d centers of the assignment step.</param>
    /// <param name="clusterWeights">Nⱼ, K values.</param>
    /// <param name="means">The K × d weighted means of the clusters' rows (zero for a cluster without weight).</param>
    /// <param name="scatters">Sⱼ = Σ wᵢ‖xᵢ − mⱼ‖², K values.</param>
    /// <param name="totalWeight">Σᵢ wᵢ over the rows summarised.</param>
    /// <exception cref="ArgumentException">A shape does not match the centers, or a value is out of range (the message names it).</exception>
    public KMeansStatistics(double[,] centers, double[] clusterWeights, double[,] means, double[] scatters, double totalWeight)
    {
        DataValidation.CheckMatrix(centers, nameof(centers));
        ArgumentNullException.ThrowIfNull(clusterWeights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(scatters);
        int k = centers.GetLength(0), d = centers.GetLength(1);
        if (means.GetLength(0) != k || means.GetLength(1) != d)
        {
            throw new ArgumentException($"The means are {means.GetLength(0)} × {means.GetLength(1)}; the centers are {k} × {d}.", nameof(means));
        }

        DataValidation.CheckFinite(means.AsSpan(), d, nameof(means));
        CheckNonNegative(clusterWeights, k, nameof(clusterWeights));
        CheckNonNegative(scatters, k, nameof(scatters));
        if (!double.IsFinite(totalWeight) || totalWeight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalWeight), totalWeight, "The total weight must be finite and non-negative.");
        }

        Clusters = k;
        Dimension = d;
        _centers = centers.AsSpan().ToArray();
        _weights = (double[])clusterWeights.Clone();
        _means = means.AsSpan().ToArray();
        _scatters = (double[])scatters.Clone();
        TotalWeight = totalWeight;
    }

    /// <summary>The number of clusters K.</summary>
    public int Clusters { get; }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <inheritdoc />
    /// <remarks>Σᵢ wᵢ over the rows summarised (their number when unweighted).</remarks>
    public double TotalWeight { get; }

    /// <summary>The K × d centers of the assignment step (the model the statistics came from); a copy.</summary>
    public double[,] Centers => ToMatrix(_centers);

    /// <summary>Nⱼ, the weight of the rows assigned to each cluster; a copy.</summary>
    public double[] ClusterWeights => (double[])_weights.Clone();

    /// <summary>The K × d weighted means of the rows assigned to each cluster (zero for a cluster without weight); a copy.</summary>
    public double[,] Means => ToMatrix(_means);

    /// <summary>Sⱼ = Σ wᵢ‖xᵢ − mⱼ‖², each cluster's scatter about its own mean (its inertia after the Lloyd update); a copy.</summary>
    public double[] Scatters => (double[])_scatters.Clone();

    /// <summary>
    /// Σᵢ wᵢ‖xᵢ − c(xᵢ)‖², the inertia of the rows under <see cref="Centers"/> (the objective at this assignment step),
    /// computed from the statistics as Σⱼ Sⱼ + Nⱼ‖mⱼ − cⱼ‖² (clusters in order).
    /// </summary>
    public double Inertia
    {
        get => InertiaOf(_weights, _means, _scatters, _centers, Dimension);
    }

    /// <summary>Σⱼ Sⱼ + Nⱼ‖mⱼ − cⱼ‖², clusters in order: the inertia of an assignment step from its statistics (every K-Means driver's trace).</summary>
    internal static double InertiaOf(ReadOnlySpan<double> weights, ReadOnlySpan<double> means, ReadOnlySpan<double> scatters, ReadOnlySpan<double> centers, int d)
    {
        double total = 0;
        for (int j = 0; j < weights.Length; j++)
        {
            total += scatters[j] + weights[j] * SquaredDistance(means.Slice(j * d, d), centers.Slice(j * d, d));
        }

        return total;
    }

    /// <summary>
    /// The mean column variance of the rows summarised, pooled from the clusters (Chan): Σⱼ [Sⱼ + Nⱼ‖mⱼ − m‖²] / (N d) with m
    /// the weighted mean of the cluster means; 0 without weight. Every K-Means driver scales
    /// <see cref="KMeansOptions.Tolerance"/> by this value of its first assignment step, so the stopping rule has the same
    /// bits in memory, out of core and on a cluster.
    /// </summary>
    public double MeanColumnVariance => MeanColumnVarianceOf(_weights, _means, _scatters, Dimension);

    /// <summary><see cref="MeanColumnVariance"/> of folded statistics.</summary>
    internal static double MeanColumnVarianceOf(ReadOnlySpan<double> weights, ReadOnlySpan<double> means, ReadOnlySpan<double> scatters, int d)
    {
        int k = weights.Length;
        double w = 0;
        Span<double> mean = d <= 256 ? stackalloc double[d] : new double[d];
        mean.Clear();
        for (int j = 0; j < k; j++)
        {
            w += weights[j];
            for (int p = 0; p < d; p++)
            {
                mean[p] += weights[j] * means[j * d + p];
            }
        }

        if (!(w > 0))
        {
            return 0;
        }

        double total = 0;
        for (int j = 0; j < k; j++)
        {
            double distance = 0;
            for (int p = 0; p < d; p++)
            {
                double t = means[j * d + p] - mean[p] / w;
                distance += t * t;
            }

            total += scatters[j] + weights[j] * distance;
        }

        return total / w / d;
    }

    /// <summary>Σ (next − current)², in order: the total squared center shift every K-Means driver compares with its tolerance.</summary>
    internal static double SquaredShift(ReadOnlySpan<double> current, ReadOnlySpan<double> next)
    {
        double total = 0;
        for (int i = 0; i < current.Length; i++)
        {
            double t = next[i] - current[i];
            total += t * t;
        }

        return total;
    }

    internal ReadOnlySpan<double> CentersSpan => _centers;

    internal ReadOnlySpan<double> MeansSpan => _means;

    internal ReadOnlySpan<double> WeightsSpan => _weights;

    internal ReadOnlySpan<double> ScattersSpan => _scatters;

    /// <summary>
    /// The statistics of one assignment step of <paramref name="model"/> on <paramref name="data"/>: every row goes to its
    /// nearest center (the first on exact ties, as <see cref="KMeansModel.Predict(double[,])"/>), optionally with
    /// per-row sample weights (a row of weight w counts as w copies). The result does not depend on
    /// <paramref name="maxDegreeOfParallelism"/>.
    /// </summary>
    /// <param name="model">The current centers.</param>
    /// <param name="data">n × d rows (not modified); n may be 0.</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row (not modified); they may all be 0.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value, or a weight is bad (the message names the row).</exception>
    public static KMeansStatistics Compute(KMeansModel model, double[,] data, double[]? sampleWeights = null, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        DataValidation.CheckMatrix(data, nameof(data), minRows: 0);
        DataValidation.CheckDimension(data, model.Dimension, nameof(data));
        if (sampleWeights is not null)
        {
            DataValidation.CheckPartitionWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        }

        return ComputeCore(model, data, sampleWeights, maxDegreeOfParallelism);
    }

    /// <summary>The unchecked core of <see cref="Compute"/>.</summary>
    internal static KMeansStatistics ComputeCore(KMeansModel model, double[,] data, double[]? sampleWeights, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), k = model.Clusters, d = model.Dimension;
        var labels = new int[n];
        model.Assign(data, labels, maxDegreeOfParallelism);
        var fold = new KMeansFold(k, d);
        Summarize(data, sampleWeights, labels, 0, n, fold, maxDegreeOfParallelism);
        fold.Finish();
        return fold.ToStatistics(model.CentersSpan);
    }

    /// <summary>
    /// The statistics of rows <c>[start, end)</c> of <paramref name="data"/> under <paramref name="labels"/>: chunks of
    /// <see cref="ChunkSize"/> rows from <paramref name="start"/>, summarised a superblock's worth at a time in parallel and
    /// added to <paramref name="fold"/> in order.
    /// </summary>
    internal static void Summarize(double[,] data, double[]? sampleWeights, int[] labels, int start, int end, KMeansFold fold, int maxDegreeOfParallelism)
    {
        int k = fold.Clusters, d = fold.Dimension;
        int chunks = ParallelBlocks.BlockCount(end - start, ChunkSize);
        int window = Math.Min(chunks, ChunksPerWindow);
        var chunkWeights = new double[window * k];
        var chunkMeans = new double[window * k * d];
        var chunkScatters = new double[window * k];
        var chunkTotals = new double[window];
        for (int first = 0; first < chunks; first += window)
        {
            int count = Math.Min(window, chunks - first);
            int rowStart = start + first * ChunkSize;
            int rowCount = Math.Min(end - rowStart, count * ChunkSize);
            ParallelBlocks.For(rowCount, ChunkSize, maxDegreeOfParallelism, (c, s, e) =>
                SummarizeChunk(data, sampleWeights, labels, rowStart + s, rowStart + e, k,
                    chunkWeights.AsSpan(c * k, k), chunkMeans.AsSpan(c * k * d, k * d), chunkScatters.AsSpan(c * k, k), out chunkTotals[c]));
            for (int c = 0; c < count; c++)
            {
                fold.AddChunk(chunkWeights.AsSpan(c * k, k), chunkMeans.AsSpan(c * k * d, k * d), chunkScatters.AsSpan(c * k, k), chunkTotals[c]);
            }
        }
    }

    /// <summary>
    /// The statistics of a partition whose first row is row <paramref name="firstRow"/> of the whole data, one per piece
    /// of it between superblock boundaries (multiples of <see cref="SuperblockRows"/>): merged by <see cref="MergeParts"/>
    /// in partition order, the parts of partitions that start at superblock boundaries give the statistics of all the
    /// rows bit for bit (the fold of <see cref="Compute"/> and of <see cref="KMeans"/>). A partition of at most one
    /// superblock has one part, the same as <see cref="Compute"/> on its rows.
    /// </summary>
    /// <param name="model">The current centers.</param>
    /// <param name="data">The partition's n × d rows (not modified); n may be 0 (no parts).</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row.</param>
    /// <param name="firstRow">The global index of the partition's first row (≥ 0).</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    /// <returns>The parts in row order; part p covers the rows <see cref="PartRows"/> gives.</returns>
    /// <exception cref="ArgumentException">Bad data or weights, or a negative <paramref name="firstRow"/>.</exception>
    public static IReadOnlyList<KMeansStatistics> ComputeParts(KMeansModel model, double[,] data, double[]? sampleWeights, long firstRow, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        DataValidation.CheckMatrix(data, nameof(data), minRows: 0);
        DataValidation.CheckDimension(data, model.Dimension, nameof(data));
        if (sampleWeights is not null)
        {
            DataValidation.CheckPartitionWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        }

        int n = data.GetLength(0);
        var labels = new int[n];
        model.Assign(data, labels, maxDegreeOfParallelism);
        var parts = new List<KMeansStatistics>();
        foreach ((int start, int count) in PartRows(firstRow, n))
        {
            var fold = new KMeansFold(model.Clusters, model.Dimension);
            Summarize(data, sampleWeights, labels, start, start + count, fold, maxDegreeOfParallelism);
            fold.Finish();
            parts.Add(fold.ToStatistics(model.CentersSpan));
        }

        return parts;
    }

    /// <summary>
    /// The pieces (start within the partition, row count) of a partition of <paramref name="rows"/> rows starting at global
    /// row <paramref name="firstRow"/>, cut at the multiples of <see cref="SuperblockRows"/>: the rows of
    /// <see cref="ComputeParts"/>' parts.
    /// </summary>
    /// <param name="firstRow">The partition's first global row (≥ 0).</param>
    /// <param name="rows">Its rows (≥ 0).</param>
    public static IEnumerable<(int Start, int Count)> PartRows(long firstRow, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        int start = 0;
        while (start < rows)
        {
            long global = firstRow + start;
            int count = (int)Math.Min(rows - start, SuperblockRows - global % SuperblockRows);
            yield return (start, count);
            start += count;
        }
    }

    /// <summary>
    /// Merges parts in the fixed structure of <see cref="Compute"/>: in order within a superblock, then the superblocks'
    /// totals in order. Part p covers <paramref name="partRows"/>[p] rows following the previous part (the first starts at
    /// row 0); a part that ends on a multiple of <see cref="SuperblockRows"/> closes its superblock. Parts from
    /// <see cref="ComputeParts"/> of partitions that start at superblock boundaries give <see cref="Compute"/>'s bits on all
    /// the rows; single chunks of <see cref="ChunkSize"/> rows do too.
    /// </summary>
    /// <param name="parts">At least one set of statistics, all of the same centers, in row order.</param>
    /// <param name="partRows">The rows of each part.</param>
    /// <exception cref="ArgumentException">No parts, lengths that differ, a negative row count, or statistics of different models.</exception>
    public static KMeansStatistics MergeParts(IReadOnlyList<KMeansStatistics> parts, IReadOnlyList<long> partRows) =>
        MergeableStatistics.MergeInSuperblocks(parts, partRows, SuperblockRows);

    /// <summary>One chunk's statistics, two passes: per-cluster weighted means, then the scatter about them.</summary>
    internal static void SummarizeChunk(double[,] data, double[]? sampleWeights, int[] labels, int start, int end, int k,
        Span<double> weights, Span<double> means, Span<double> scatters, out double total)
    {
        total = 0;
        for (int i = start; i < end; i++)
        {
            total += sampleWeights?[i] ?? 1.0;
        }

        SummarizeClusters(data, sampleWeights, labels, start, end, k, default, weights, means, scatters);
    }

    /// <summary>
    /// The statistics of the clusters flagged in <paramref name="clusters"/> (all when it is empty) over one chunk, the
    /// others left as they are. Each cluster's statistics are accumulated over its own rows in row order, so recomputing
    /// only the clusters whose rows changed gives the bits of recomputing the whole chunk.
    /// </summary>
    internal static void SummarizeClusters(double[,] data, double[]? sampleWeights, int[] labels, int start, int end, int k,
        ReadOnlySpan<bool> clusters, Span<double> weights, Span<double> means, Span<double> scatters)
    {
        int d = means.Length / k;
        bool all = clusters.IsEmpty;
        ReadOnlySpan<double> x = data.AsSpan();
        for (int j = 0; j < k; j++)
        {
            if (all || clusters[j])
            {
                weights[j] = 0;
                means.Slice(j * d, d).Clear();
                scatters[j] = 0;
            }
        }

        for (int i = start; i < end; i++)
        {
            double w = sampleWeights?[i] ?? 1.0;
            int j = labels[i];
            if (w == 0 || !(all || clusters[j]))
            {
                continue;
            }

            weights[j] += w;
            RowReductions.AddScaled(ref means[j * d], ref MemoryMarshal.GetReference(x.Slice(i * d, d)), w, d);
        }

        for (int j = 0; j < k; j++)
        {
            if ((all || clusters[j]) && weights[j] > 0)
            {
                Span<double> m = means.Slice(j * d, d);
                for (int p = 0; p < d; p++)
                {
                    m[p] /= weights[j];
                }
            }
        }

        for (int i = start; i < end; i++)
        {
            double w = sampleWeights?[i] ?? 1.0;
            int j = labels[i];
            if (w == 0 || !(all || clusters[j]))
            {
                continue;
            }

            scatters[j] += w * RowReductions.SquaredDistance(x.Slice(i * d, d), means.Slice(j * d, d));
        }
    }

    /// <summary>
    /// Chan's pairwise combination per cluster, B into A: W = Wa + Wb, δ = mb − ma, m = ma + (Wb / W) δ,
    /// S = Sa + Sb + (Wa Wb / W)‖δ‖²; an empty side leaves the other exactly as it is.
    /// </summary>
    internal static void MergeInto(Span<double> weightsA, Span<double> meansA, Span<double> scattersA,
        ReadOnlySpan<double> weightsB, ReadOnlySpan<double> meansB, ReadOnlySpan<double> scattersB, int d)
    {
        for (int j = 0; j < weightsA.Length; j++)
        {
            double wb = weightsB[j];
            if (!(wb > 0))
            {
                continue;
            }

            Span<double> ma = meansA.Slice(j * d, d);
            ReadOnlySpan<double> mb = meansB.Slice(j * d, d);
            double wa = weightsA[j];
            if (!(wa > 0))
            {
                weightsA[j] = wb;
                mb.CopyTo(ma);
                scattersA[j] = scattersB[j];
                continue;
            }

            double w = wa + wb;
            double f = wb / w;
            double g = wa * wb / w;
            double delta2 = 0;
            for (int p = 0; p < d; p++)
            {
                double delta = mb[p] - ma[p];
                delta2 += delta * delta;
                ma[p] += f * delta;
            }

            scattersA[j] = scattersA[j] + scattersB[j] + g * delta2;
            weightsA[j] = w;
        }
    }

    /// <summary>Empty statistics (no rows) of the same centers: the identity of <see cref="Merge(KMeansStatistics)"/>.</summary>
    public KMeansStatistics Empty() =>
        new(Clusters, Dimension, _centers, new double[Clusters], new double[Clusters * Dimension], new double[Clusters], 0);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The other statistics have another shape or other centers (they came from another model).</exception>
    public KMeansStatistics Merge(KMeansStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckSameCenters(other, nameof(other));
        double[] weights = (double[])_weights.Clone(), means = (double[])_means.Clone(), scatters = (double[])_scatters.Clone();
        MergeInto(weights, means, scatters, other._weights, other._means, other._scatters, Dimension);
        return new KMeansStatistics(Clusters, Dimension, _centers, weights, means, scatters, TotalWeight + other.TotalWeight);
    }

    /// <summary>Merges statistics from first to last (a fixed order, so the same list gives the same bits).</summary>
    /// <param name="parts">At least one set of statistics, all of the same centers.</param>
    /// <exception cref="ArgumentException">There are none, one is null or they came from different models.</exception>
    public static KMeansStatistics Merge(IEnumerable<KMeansStatistics> parts) => MergeableStatistics.Merge(parts);

    /// <summary>
    /// The Lloyd update: each cluster's next center is the weighted mean of its rows, mⱼ; a cluster without weight keeps
    /// its center (statistics cannot re-seed it from a far row as <see cref="KMeans"/> does).
    /// </summary>
    /// <returns>K × d centers.</returns>
    public double[,] NextCenters()
    {
        int d = Dimension;
        var next = new double[Clusters, d];
        Span<double> dst = next.AsWritableSpan();
        for (int j = 0; j < Clusters; j++)
        {
            (_weights[j] > 0 ? _means : _centers).AsSpan(j * d, d).CopyTo(dst.Slice(j * d, d));
        }

        return next;
    }

    /// <summary>The number of clusters without weight (to be re-seeded by <see cref="NextCenters(KMeansFarRows)"/>).</summary>
    public int EmptyClusters
    {
        get
        {
            int empty = 0;
            foreach (double w in _weights)
            {
                empty += w > 0 ? 0 : 1;
            }

            return empty;
        }
    }

    /// <summary>
    /// The candidates' capacity a driver asks for first when there are empty clusters: <see cref="EmptyClusters"/> + K + 16
    /// (enough unless many clusters cannot give up a row; <see cref="NextCenters(KMeansFarRows)"/> says when it was not).
    /// </summary>
    public int FarRowCapacity => EmptyClusters + Clusters + 16;

    /// <summary>
    /// The Lloyd update with <see cref="KMeans"/>' rule for empty clusters: each cluster without weight, in order, takes the
    /// farthest positive-weight row (of <paramref name="farRows"/>, computed under <see cref="Centers"/>) whose cluster keeps
    /// some weight without it and that no earlier cluster took; its center is that row, and the donor's center is its mean
    /// without the row. A cluster that finds no such row keeps its center.
    /// </summary>
    /// <param name="farRows">The candidates of all the rows under <see cref="Centers"/>, merged.</param>
    /// <returns>The K × d centers, or null when the candidates ran out before the rule could decide (not
    /// <see cref="KMeansFarRows.IsComplete"/>): compute them again with a larger capacity.</returns>
    /// <exception cref="ArgumentException">The candidates have another dimension.</exception>
    public double[,]? NextCenters(KMeansFarRows farRows)
    {
        ArgumentNullException.ThrowIfNull(farRows);
        if (farRows.Dimension != Dimension)
        {
            throw new ArgumentException($"The candidates have dimension {farRows.Dimension}; the statistics {Dimension}.", nameof(farRows));
        }

        for (int q = 0; q < farRows.Count; q++)
        {
            if (farRows[q].Label >= Clusters)
            {
                throw new ArgumentException($"Candidate {q} is labelled {farRows[q].Label}; there are {Clusters} clusters.", nameof(farRows));
            }
        }

        double[] weights = (double[])_weights.Clone(), means = (double[])_means.Clone();
        if (Relocate(weights, means, Dimension, farRows) < 0)
        {
            return null;
        }

        var next = new double[Clusters, Dimension];
        NextCentersInto(weights, means, _centers, next.AsWritableSpan());
        return next;
    }

    /// <summary>The next centers from the (relocated) weights and means: a cluster without weight keeps its old center.</summary>
    internal static void NextCentersInto(ReadOnlySpan<double> weights, ReadOnlySpan<double> means, ReadOnlySpan<double> old, Span<double> next)
    {
        int d = means.Length / weights.Length;
        for (int j = 0; j < weights.Length; j++)
        {
            (weights[j] > 0 ? means : old).Slice(j * d, d).CopyTo(next.Slice(j * d, d));
        }
    }

    /// <summary>
    /// The empty-cluster rule on working copies of the merged weights and means: returns the number of clusters re-seeded,
    /// or −1 when the (incomplete) candidates ran out before the rule could decide.
    /// </summary>
    internal static int Relocate(Span<double> weights, Span<double> means, int d, KMeansFarRows farRows)
    {
        int relocated = 0;
        bool[]? chosen = null;
        for (int e = 0; e < weights.Length; e++)
        {
            if (weights[e] > 0)
            {
                continue;
            }

            chosen ??= new bool[farRows.Count];
            int pick = -1;
            for (int q = 0; q < farRows.Count && pick < 0; q++)
            {
                if (!chosen[q] && weights[farRows[q].Label] - farRows[q].Weight > 0)
                {
                    pick = q;
                }
            }

            if (pick < 0)
            {
                if (!farRows.IsComplete)
                {
                    return -1;
                }

                continue; // Fewer donors than empty clusters: the center stays where it was.
            }

            chosen[pick] = true;
            (_, _, int donor, double w, ReadOnlyMemory<double> row) = farRows[pick];
            ReadOnlySpan<double> x = row.Span;
            double rest = weights[donor] - w;
            double f = w / rest;
            Span<double> m = means.Slice(donor * d, d);
            for (int p = 0; p < d; p++)
            {
                m[p] += f * (m[p] - x[p]);
            }

            weights[donor] = rest;
            weights[e] = w;
            x.CopyTo(means.Slice(e * d, d));
            relocated++;
        }

        return relocated;
    }

    /// <summary>
    /// The next model of the Lloyd iteration: <see cref="NextCenters()"/>, with <see cref="KMeansModel.Inertia"/> NaN (its
    /// inertia needs another assignment step: <c>ToModel().ComputeStatistics(data).Inertia</c>).
    /// </summary>
    public KMeansModel ToModel() => new(NextCenters());

    /// <summary>
    /// The model of the assignment step these statistics summarise: <see cref="Centers"/> with <see cref="Inertia"/> as its
    /// <see cref="KMeansModel.Inertia"/> — what a fit returns after its last assignment step (a driver of partitions
    /// that runs one more E-step on its final centers).
    /// </summary>
    public KMeansModel AssignmentModel() => new(Centers, Inertia);

    private void CheckSameCenters(KMeansStatistics other, string paramName)
    {
        if (other.Clusters != Clusters || other.Dimension != Dimension)
        {
            throw new ArgumentException(
                $"Statistics of {other.Clusters} clusters of dimension {other.Dimension} cannot merge with {Clusters} clusters of dimension {Dimension}.", paramName);
        }

        if (!other._centers.AsSpan().SequenceEqual(_centers))
        {
            throw new ArgumentException("The statistics have different centers: they were computed from different models.", paramName);
        }
    }

    private static void CheckNonNegative(double[] values, int expected, string paramName)
    {
        if (values.Length != expected)
        {
            throw new ArgumentException($"There are {values.Length} values; the centers have {expected} clusters.", paramName);
        }

        for (int j = 0; j < values.Length; j++)
        {
            if (!double.IsFinite(values[j]) || values[j] < 0)
            {
                throw new ArgumentOutOfRangeException(paramName, values[j], $"The value of cluster {j} is {values[j]}; it must be finite and non-negative.");
            }
        }
    }

    /// <summary>‖a − b‖², summed in coordinate order.</summary>
    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int p = 0; p < a.Length; p++)
        {
            double t = a[p] - b[p];
            s += t * t;
        }

        return s;
    }

    private double[,] ToMatrix(double[] values)
    {
        var result = new double[Clusters, Dimension];
        values.CopyTo(result.AsWritableSpan());
        return result;
    }
}
