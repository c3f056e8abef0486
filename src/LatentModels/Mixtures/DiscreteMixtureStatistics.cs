using LatentModels.Distributions;

namespace LatentModels.Mixtures;

/// <summary>
/// The weighted sufficient statistics of one E-step of a Bernoulli or categorical mixture on some rows: per component k
/// the weight Nₖ = Σᵢ wᵢ rᵢₖ and, for every variable j and outcome q, the weighted count Σᵢ wᵢ rᵢₖ [xᵢⱼ = q] (a Bernoulli
/// column has the two outcomes 0 and 1), plus the total row weight and the weighted log-likelihood of the rows.
/// They are plain sums, so the statistics of partitions of the data <see cref="Merge(DiscreteMixtureStatistics)"/> into
/// those of the whole, and the M-step (<see cref="ToBernoulliModel"/>, <see cref="ToCategoricalModel"/>) needs nothing
/// else: partitions compute statistics where the data lives, a driver merges them and takes the M-step. Immutable;
/// persisted by <see cref="Persistence.ModelJson"/> (format <c>LatentModels.DiscreteMixtureStatistics</c>).
/// </summary>
/// <remarks>
/// Merging adds in the order given (left, then right; a list from first to last), so a fixed merge order gives the same
/// bits every time. <see cref="FromBernoulli"/> and <see cref="FromCategorical"/> summarise fixed chunks of
/// <see cref="ChunkSize"/> rows and merge them from first to last within each superblock of
/// <see cref="Statistics.KMeansStatistics.SuperblockRows"/> rows, and the superblocks from first to last (up to one
/// superblock: the plain fold of the chunks), so statistics of partitions of one chunk each, merged from first to last,
/// equal the statistics of all the rows bit for bit (this is the E-step of <see cref="BernoulliMixture"/> and
/// <see cref="CategoricalMixture"/>). Sums of integer-valued counts merge exactly
/// for any split; otherwise merged and whole-data statistics differ only by the rounding of the summation order.
/// </remarks>
public sealed class DiscreteMixtureStatistics : IMergeableStatistics<DiscreteMixtureStatistics>
{
    /// <summary>The rows per chunk of the E-step: partitions of one chunk each merge to the single pass's bits.</summary>
    public const int ChunkSize = 4096;

    private readonly int[] _categoryCounts;
    private readonly int[] _offsets;
    private readonly double[] _componentWeights;
    private readonly double[] _counts;

    internal DiscreteMixtureStatistics(int[] categoryCounts, double[] componentWeights, double[] counts, double totalWeight, double logLikelihood)
    {
        _categoryCounts = categoryCounts;
        _offsets = IndependentCategorical.OffsetsOf(categoryCounts);
        _componentWeights = componentWeights;
        _counts = counts;
        TotalWeight = totalWeight;
        LogLikelihood = logLikelihood;
        CategoryCounts = Array.AsReadOnly(_categoryCounts);
        ComponentWeights = Array.AsReadOnly(_componentWeights);
        Counts = Array.AsReadOnly(_counts);
    }

    /// <summary>The number of components K.</summary>
    public int Components => _componentWeights.Length;

    /// <summary>The number of variables d.</summary>
    public int Dimension => _categoryCounts.Length;

    /// <summary>The number of outcomes Cⱼ of each variable (2 for every Bernoulli column).</summary>
    public IReadOnlyList<int> CategoryCounts { get; }

    /// <summary>Nₖ = Σᵢ wᵢ rᵢₖ, the weighted responsibility of each component.</summary>
    public IReadOnlyList<double> ComponentWeights { get; }

    /// <summary>The weighted outcome counts Σᵢ wᵢ rᵢₖ [xᵢⱼ = q], K × ΣⱼCⱼ row-major (per component, variables in order, outcomes in order).</summary>
    public IReadOnlyList<double> Counts { get; }

    /// <summary>Σᵢ wᵢ, the total weight of the rows (their number when unweighted).</summary>
    public double TotalWeight { get; }

    /// <summary>Σᵢ wᵢ log p(xᵢ) under the model of the E-step (rows of weight 0 left out).</summary>
    public double LogLikelihood { get; }

    /// <summary>The weighted count of outcome <paramref name="outcome"/> of variable <paramref name="variable"/> in component <paramref name="component"/>.</summary>
    /// <param name="component">k in [0, K).</param>
    /// <param name="variable">j in [0, d).</param>
    /// <param name="outcome">q in [0, Cⱼ).</param>
    public double GetCount(int component, int variable, int outcome)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(component);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(component, Components);
        ArgumentOutOfRangeException.ThrowIfNegative(variable);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(variable, Dimension);
        ArgumentOutOfRangeException.ThrowIfNegative(outcome);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(outcome, _categoryCounts[variable]);
        return _counts[component * _offsets[^1] + _offsets[variable] + outcome];
    }

    /// <summary>
    /// The statistics of one E-step of <paramref name="model"/> on <paramref name="data"/> (binary rows), optionally with
    /// per-row sample weights (a row of weight w counts as w copies).
    /// </summary>
    /// <param name="model">The current mixture.</param>
    /// <param name="data">n × d rows of 0/1 values (not modified); n may be 0 (empty statistics).</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row (not modified); they may all be 0.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">The data is not binary or has the wrong width, or a weight is bad (the message names row and column).</exception>
    public static DiscreteMixtureStatistics FromBernoulli(MixtureModel<IndependentBernoulli> model, double[,] data, double[]? sampleWeights = null, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (IsEmptyPartition(model, data, sampleWeights))
        {
            return new DiscreteMixtureStatistics(Enumerable.Repeat(2, model.Dimension).ToArray(), new double[model.Components], new double[model.Components * 2 * model.Dimension], 0, 0);
        }

        IndependentBernoulliFamily.Instance.CheckData(data, nameof(data)); // also when the model was built with another family
        CheckInput(model, data, sampleWeights);
        return InChunks(data, sampleWeights, maxDegreeOfParallelism, (rows, weights) => BernoulliChunk(model, rows, weights, 1));
    }

    /// <summary>The E-step of <see cref="FromBernoulli"/> on rows the caller has validated (n ≥ 1): no checks, same bits.</summary>
    internal static DiscreteMixtureStatistics FromBernoulliUnchecked(MixtureModel<IndependentBernoulli> model, double[,] data, double[]? sampleWeights, int maxDegreeOfParallelism) =>
        InChunks(data, sampleWeights, maxDegreeOfParallelism, (rows, weights) => BernoulliChunk(model, rows, weights, 1));

    /// <summary>The E-step of <see cref="FromCategorical"/> on rows the caller has validated (n ≥ 1): no checks, same bits.</summary>
    internal static DiscreteMixtureStatistics FromCategoricalUnchecked(MixtureModel<IndependentCategorical> model, double[,] data, double[]? sampleWeights, int maxDegreeOfParallelism) =>
        InChunks(data, sampleWeights, maxDegreeOfParallelism, (rows, weights) => CategoricalChunk(model, (IndependentCategoricalFamily)model.Family, rows, weights, 1));

    private static DiscreteMixtureStatistics BernoulliChunk(MixtureModel<IndependentBernoulli> model, double[,] data, double[]? sampleWeights, int maxDegreeOfParallelism)
    {
        (double[] resp, double[] nk, double total, double logLikelihood) = Posterior(model, data, sampleWeights, maxDegreeOfParallelism);
        int k = model.Components, d = model.Dimension;
        double[] ones = IndependentBernoulliFamily.WeightedOnes(data, resp, k, maxDegreeOfParallelism);
        var counts = new double[k * 2 * d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                counts[c * 2 * d + 2 * j] = Math.Max(0, nk[c] - ones[c * d + j]);
                counts[c * 2 * d + 2 * j + 1] = ones[c * d + j];
            }
        }

        return new DiscreteMixtureStatistics(Enumerable.Repeat(2, d).ToArray(), nk, counts, total, logLikelihood);
    }

    /// <summary>
    /// The statistics of one E-step of <paramref name="model"/> on <paramref name="data"/> (category codes), optionally
    /// with per-row sample weights (a row of weight w counts as w copies).
    /// </summary>
    /// <param name="model">The current mixture.</param>
    /// <param name="data">n × d category codes (not modified); n may be 0 (empty statistics).</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row (not modified); they may all be 0.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">A code is out of range or the width is wrong, or a weight is bad (the message names row and column).</exception>
    public static DiscreteMixtureStatistics FromCategorical(MixtureModel<IndependentCategorical> model, double[,] data, double[]? sampleWeights = null, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var family = new IndependentCategoricalFamily(model.Distributions[0].CategoryCounts.ToArray());
        if (IsEmptyPartition(model, data, sampleWeights))
        {
            int[] counts = family.CategoryCounts.ToArray();
            return new DiscreteMixtureStatistics(counts, new double[model.Components], new double[model.Components * counts.Sum()], 0, 0);
        }

        family.CheckData(data, nameof(data)); // also when the model was built with another family
        CheckInput(model, data, sampleWeights);
        return InChunks(data, sampleWeights, maxDegreeOfParallelism, (rows, weights) => CategoricalChunk(model, family, rows, weights, 1));
    }

    private static DiscreteMixtureStatistics CategoricalChunk(
        MixtureModel<IndependentCategorical> model, IndependentCategoricalFamily family, double[,] data, double[]? sampleWeights, int maxDegreeOfParallelism)
    {
        (double[] resp, double[] nk, double total, double logLikelihood) = Posterior(model, data, sampleWeights, maxDegreeOfParallelism);
        double[] counts = family.WeightedCounts(data, resp, model.Components, maxDegreeOfParallelism);
        return new DiscreteMixtureStatistics(family.CategoryCounts.ToArray(), nk, counts, total, logLikelihood);
    }

    /// <summary>Whether the partition has no rows (after checking its width and its empty weights).</summary>
    private static bool IsEmptyPartition<TComponent>(MixtureModel<TComponent> model, double[,] data, double[]? sampleWeights) where TComponent : class
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.GetLength(0) > 0)
        {
            return false;
        }

        DataValidation.CheckDimension(data, model.Dimension, nameof(data));
        if (sampleWeights is not null)
        {
            DataValidation.CheckPartitionWeights(sampleWeights, 0, nameof(sampleWeights));
        }

        return true;
    }

    private static void CheckInput<TComponent>(MixtureModel<TComponent> model, double[,] data, double[]? sampleWeights) where TComponent : class
    {
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckDimension(data, model.Dimension, nameof(data));
        if (sampleWeights is not null)
        {
            DataValidation.CheckPartitionWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        }

        model.Family.CheckData(data, nameof(data));
    }

    /// <summary>
    /// The statistics of fixed chunks of <see cref="ChunkSize"/> rows in the superblock structure of
    /// <see cref="FoldParts"/> (one chunk: the rows themselves, no copy; up to one superblock: the chunks merged from first to
    /// last), so partitions of one chunk each, or starting at superblock boundaries, merge to the same bits.
    /// </summary>
    private static DiscreteMixtureStatistics InChunks(double[,] data, double[]? sampleWeights, int maxDegreeOfParallelism, Func<double[,], double[]?, DiscreteMixtureStatistics> chunk)
    {
        List<DiscreteMixtureStatistics> parts = InParts(data, sampleWeights, 0, maxDegreeOfParallelism, chunk);
        return FoldParts(parts, [.. Statistics.KMeansStatistics.PartRows(0, data.GetLength(0)).Select(p => (long)p.Count)]);
    }

    /// <summary>
    /// The statistics of a partition whose first row has global index <paramref name="firstRow"/>, one part per piece
    /// between global superblock boundaries (<see cref="Statistics.KMeansStatistics.PartRows"/>): each part the chunks of
    /// <see cref="ChunkSize"/> rows at the global multiples of the chunk size within it, merged from first to last.
    /// </summary>
    internal static List<DiscreteMixtureStatistics> InParts(double[,] data, double[]? sampleWeights, long firstRow, int maxDegreeOfParallelism,
        Func<double[,], double[]?, DiscreteMixtureStatistics> chunk)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var pieces = new List<(int Part, int Start, int Rows)>();
        int partCount = 0;
        foreach ((int pieceStart, int count) in Statistics.KMeansStatistics.PartRows(firstRow, n))
        {
            for (int start = pieceStart, end = pieceStart + count; start < end;)
            {
                int rows = (int)Math.Min(end - start, ChunkSize - ((firstRow + start) % ChunkSize));
                pieces.Add((partCount, start, rows));
                start += rows;
            }

            partCount++;
        }

        // The chunks in parallel (each on one thread: its bits do not depend on the cap), then merged in order.
        var statistics = new DiscreteMixtureStatistics[pieces.Count];
        LinearAlgebra.ParallelBlocks.For(pieces.Count, 1, maxDegreeOfParallelism, (_, first, last) =>
        {
            for (int c = first; c < last; c++)
            {
                (_, int start, int rows) = pieces[c];
                if (start == 0 && rows == n)
                {
                    statistics[c] = chunk(data, sampleWeights);
                    continue;
                }

                var block = new double[rows, d];
                data.AsSpan().Slice(start * d, rows * d).CopyTo(block.AsWritableSpan());
                statistics[c] = chunk(block, sampleWeights?[start..(start + rows)]);
            }
        });

        var parts = new List<DiscreteMixtureStatistics>(partCount);
        DiscreteMixtureStatistics? part = null;
        for (int c = 0; c < pieces.Count; c++)
        {
            part = part is null ? statistics[c] : part.Merge(statistics[c]);
            if (c + 1 == pieces.Count || pieces[c + 1].Part != pieces[c].Part)
            {
                parts.Add(part);
                part = null;
            }
        }

        return parts;
    }

    /// <summary>
    /// The fixed merge structure of the batch mixtures' E-step (the one of <see cref="Statistics.KMeansStatistics"/>):
    /// parts in row order of <paramref name="partRows"/> rows each; parts of one superblock of
    /// <see cref="Statistics.KMeansStatistics.SuperblockRows"/> rows are merged in order (the first taken as it is), and
    /// every superblock then into the totals in order. A superblock in one part, or in parts of one chunk each, gives the
    /// bits of the single pass.
    /// </summary>
    internal static DiscreteMixtureStatistics FoldParts(IReadOnlyList<DiscreteMixtureStatistics> parts, IReadOnlyList<long> partRows)
    {
        DiscreteMixtureStatistics? totals = null, open = null;
        long first = 0, openSuperblock = -1;
        for (int p = 0; p < parts.Count; p++)
        {
            long superblock = first / Statistics.KMeansStatistics.SuperblockRows;
            if (open is not null && superblock != openSuperblock)
            {
                totals = totals is null ? open : totals.Merge(open);
                open = null;
            }

            open = open is null ? parts[p] : open.Merge(parts[p]);
            openSuperblock = superblock;
            first += partRows[p];
        }

        if (open is not null)
        {
            totals = totals is null ? open : totals.Merge(open);
        }

        return totals ?? throw new ArgumentException("There are no parts.", nameof(parts));
    }

    /// <summary>
    /// The E-step of <see cref="FromBernoulli"/> or <see cref="FromCategorical"/> (by the model's component type) on a
    /// partition whose first row has global index <paramref name="firstRow"/>, in the parts of <see cref="InParts"/> (checked
    /// as the public calls check; an empty partition gives one empty part).
    /// </summary>
    internal static List<DiscreteMixtureStatistics> ComputeParts(object model, double[,] data, double[]? sampleWeights, long firstRow, int maxDegreeOfParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        switch (model)
        {
            case MixtureModel<IndependentBernoulli> b:
                if (IsEmptyPartition(b, data, sampleWeights))
                {
                    return [FromBernoulli(b, data, sampleWeights)];
                }

                IndependentBernoulliFamily.Instance.CheckData(data, nameof(data));
                CheckInput(b, data, sampleWeights);
                return InParts(data, sampleWeights, firstRow, maxDegreeOfParallelism, (rows, weights) => BernoulliChunk(b, rows, weights, 1));
            case MixtureModel<IndependentCategorical> c:
                var family = new IndependentCategoricalFamily(c.Distributions[0].CategoryCounts.ToArray());
                if (IsEmptyPartition(c, data, sampleWeights))
                {
                    return [FromCategorical(c, data, sampleWeights)];
                }

                family.CheckData(data, nameof(data));
                CheckInput(c, data, sampleWeights);
                return InParts(data, sampleWeights, firstRow, maxDegreeOfParallelism, (rows, weights) => CategoricalChunk(c, family, rows, weights, 1));
            default:
                throw new NotSupportedException($"There are no discrete mixture statistics for {model.GetType().Name}.");
        }
    }

    private static (double[] Responsibilities, double[] ComponentWeights, double TotalWeight, double LogLikelihood) Posterior<TComponent>(
        MixtureModel<TComponent> model, double[,] data, double[]? sampleWeights, int maxDegreeOfParallelism) where TComponent : class
    {
        int n = data.GetLength(0), k = model.Components;
        var resp = new double[n * k];
        var logNormalizers = new double[n];
        (double logLikelihood, double total) = Mixture<TComponent>.WeightedPosterior(model, data, sampleWeights, resp, logNormalizers, maxDegreeOfParallelism);
        return (resp, Mixture<TComponent>.ComponentWeights(resp, n, k), total, logLikelihood);
    }

    /// <summary>Empty statistics (no rows, every sum zero) of the same shape: the identity of <see cref="Merge(DiscreteMixtureStatistics)"/>.</summary>
    public DiscreteMixtureStatistics Empty() =>
        new(_categoryCounts, new double[Components], new double[_counts.Length], 0, 0);

    /// <summary>The statistics of the union of the rows of these and <paramref name="other"/>: every sum is this one plus the other's.</summary>
    /// <param name="other">Statistics of the same shape (components and outcomes per variable).</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public DiscreteMixtureStatistics Merge(DiscreteMixtureStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckSameShape(other, nameof(other));
        var nk = new double[Components];
        for (int c = 0; c < nk.Length; c++)
        {
            nk[c] = _componentWeights[c] + other._componentWeights[c];
        }

        var counts = new double[_counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = _counts[i] + other._counts[i];
        }

        return new DiscreteMixtureStatistics(_categoryCounts, nk, counts, TotalWeight + other.TotalWeight, LogLikelihood + other.LogLikelihood);
    }

    /// <summary>Merges statistics from first to last (a fixed order, so the same list gives the same bits).</summary>
    /// <param name="parts">At least one set of statistics, all of the same shape.</param>
    /// <exception cref="ArgumentException">There are none, one is null or the shapes differ.</exception>
    public static DiscreteMixtureStatistics Merge(IEnumerable<DiscreteMixtureStatistics> parts) => MergeableStatistics.Merge(parts);

    /// <summary>
    /// The M-step of a Bernoulli mixture from these statistics: πₖ = Nₖ / ΣNₖ and pₖⱼ = (countₖⱼ[1] + α) / (Nₖ + 2α), as
    /// <see cref="BernoulliMixture"/> computes it from the rows.
    /// </summary>
    /// <param name="pseudoCount">The pseudo-count α ≥ 0 (<see cref="MixtureOptions.PseudoCount"/>).</param>
    /// <exception cref="InvalidOperationException">A variable does not have exactly 2 outcomes.</exception>
    /// <exception cref="FittingException">A component has no weight and there is no pseudo-count.</exception>
    public MixtureModel<IndependentBernoulli> ToBernoulliModel(double pseudoCount = 0)
    {
        CheckPseudoCount(pseudoCount);
        if (_categoryCounts.Any(c => c != 2))
        {
            throw new InvalidOperationException("A Bernoulli M-step needs exactly 2 outcomes for every variable.");
        }

        int d = Dimension;
        IndependentBernoulli[] components = IndependentBernoulliFamily.FromCounts(_counts, _componentWeights, d, pseudoCount, stride: 2 * d, step: 2, offset: 1);
        return new MixtureModel<IndependentBernoulli>(IndependentBernoulliFamily.Instance, MixingWeights(), components);
    }

    /// <summary>
    /// The M-step of a categorical mixture from these statistics: πₖ = Nₖ / ΣNₖ and pₖⱼ[q] = (countₖⱼ[q] + α) / (Nₖ + Cⱼα),
    /// as <see cref="CategoricalMixture"/> computes it from the rows.
    /// </summary>
    /// <param name="pseudoCount">The pseudo-count α ≥ 0 (<see cref="MixtureOptions.PseudoCount"/>).</param>
    /// <exception cref="FittingException">A component has no weight and there is no pseudo-count.</exception>
    public MixtureModel<IndependentCategorical> ToCategoricalModel(double pseudoCount = 0)
    {
        CheckPseudoCount(pseudoCount);
        for (int c = 0; c < Components; c++)
        {
            MixtureFamilies.CheckWeight(_componentWeights[c], pseudoCount, c);
        }

        IndependentCategorical[] components = IndependentCategoricalFamily.FromCounts(_counts, _categoryCounts, _componentWeights, pseudoCount, 1);
        return new MixtureModel<IndependentCategorical>(new IndependentCategoricalFamily(_categoryCounts), MixingWeights(), components);
    }

    private double[] MixingWeights()
    {
        double total = 0;
        foreach (double v in _componentWeights)
        {
            total += v;
        }

        if (!(total > 0))
        {
            throw new FittingException("The statistics summarise no weight: there is nothing to estimate from.");
        }

        var weights = new double[Components];
        for (int c = 0; c < weights.Length; c++)
        {
            weights[c] = _componentWeights[c] / total;
        }

        return weights;
    }

    private static void CheckPseudoCount(double pseudoCount)
    {
        if (!(pseudoCount >= 0) || double.IsPositiveInfinity(pseudoCount))
        {
            throw new ArgumentOutOfRangeException(nameof(pseudoCount), pseudoCount, "The pseudo-count must be finite and non-negative.");
        }
    }

    private void CheckSameShape(DiscreteMixtureStatistics other, string paramName)
    {
        if (other.Components != Components || !other._categoryCounts.AsSpan().SequenceEqual(_categoryCounts))
        {
            throw new ArgumentException(
                $"Statistics of {other.Components} components with outcomes [{string.Join(", ", other._categoryCounts)}] cannot merge with {Components} components with outcomes [{string.Join(", ", _categoryCounts)}].",
                paramName);
        }
    }

    /// <summary>These statistics times <paramref name="factor"/> ≥ 0 (every weight, count, the total weight and the log-likelihood), for streaming EM's blend.</summary>
    internal DiscreteMixtureStatistics Scale(double factor)
    {
        double[] weights = _componentWeights.Select(v => v * factor).ToArray();
        double[] counts = _counts.Select(v => v * factor).ToArray();
        return new DiscreteMixtureStatistics(_categoryCounts, weights, counts, TotalWeight * factor, LogLikelihood * factor);
    }

    /// <summary>The raw arrays, for the codec.</summary>
    internal (int[] CategoryCounts, double[] ComponentWeights, double[] Counts) Arrays => (_categoryCounts, _componentWeights, _counts);
}
