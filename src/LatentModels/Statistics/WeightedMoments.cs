using System.Text.Json.Serialization;
using LatentModels.Distributions;

namespace LatentModels.Statistics;

/// <summary>
/// Mergeable weighted sufficient statistics of d-dimensional points: total weight W, weighted mean m and the scatter
/// about the mean S = Σ wᵢ (xᵢ − m)(xᵢ − m)ᵀ (full d × d, or only its diagonal). Partial statistics merge exactly with
/// Chan's pairwise formula (<see cref="Merge(WeightedMoments)"/>, which returns a new value and leaves both operands
/// unchanged), so statistics computed on separate partitions (threads, machines) combine into those of the whole data
/// set. Never forms Σxxᵀ − W mmᵀ, so it stays accurate far from the origin.
/// </summary>
/// <remarks>
/// <para>
/// As an accumulator the value can also be changed in place: points are added one at a time with Welford's update
/// (<see cref="Add(ReadOnlySpan{double}, double)"/>), removed with its exact inverse (<see cref="Remove"/>), other
/// statistics folded in with <see cref="Accumulate"/>, and everything cleared with <see cref="Reset"/>. Do not change a
/// value in place while it is shared (e.g. after handing it to a merge of partitions); <see cref="Clone"/> it first.
/// </para>
/// <para>
/// <see cref="FromRows"/> summarises fixed chunks of <see cref="ChunkSize"/> rows (two passes each) and merges them from
/// first to last, so statistics of partitions of one chunk each (rows j·<see cref="ChunkSize"/> up to the next multiple),
/// merged from first to last, equal the single pass bit for bit; any other split (including partitions of several
/// chunks) agrees to rounding.
/// </para>
/// <para>The type saves and loads through <see cref="Persistence.ModelJson"/> (format <c>LatentModels.WeightedMoments</c>)
/// and also round-trips through <c>System.Text.Json</c> (properties <see cref="Dimension"/>, <see cref="FullScatter"/>,
/// <see cref="Weight"/>, <see cref="Mean"/>, <see cref="Scatter"/>).</para>
/// </remarks>
public sealed class WeightedMoments : IMergeableStatistics<WeightedMoments>
{
    /// <summary>The rows per chunk of <see cref="FromRows"/>: partitions of one chunk each merge to the single pass's bits.</summary>
    public const int ChunkSize = 256;

    private readonly double[] _mean;
    private readonly double[] _scatter;
    private double _weight;

    /// <summary>Creates empty statistics (weight zero).</summary>
    /// <param name="dimension">The dimension d of the points, at least 1.</param>
    /// <param name="fullScatter">Whether to keep the full d × d scatter (true) or only its diagonal (false).</param>
    public WeightedMoments(int dimension, bool fullScatter = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Dimension = dimension;
        FullScatter = fullScatter;
        _mean = new double[dimension];
        _scatter = new double[fullScatter ? dimension * dimension : dimension];
    }

    /// <summary>Recreates statistics from their parts (used by JSON deserialisation).</summary>
    /// <param name="dimension">The dimension d.</param>
    /// <param name="fullScatter">Whether <paramref name="scatter"/> is d × d (row-major) or its diagonal.</param>
    /// <param name="weight">The total weight, non-negative.</param>
    /// <param name="mean">d values.</param>
    /// <param name="scatter">d·d or d values.</param>
    [JsonConstructor]
    public WeightedMoments(int dimension, bool fullScatter, double weight, double[] mean, double[] scatter)
        : this(dimension, fullScatter)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scatter);
        if (!double.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The weight must be finite and non-negative.");
        }

        if (mean.Length != dimension)
        {
            throw new ArgumentException($"The mean has {mean.Length} values but the dimension is {dimension}.", nameof(mean));
        }

        if (scatter.Length != _scatter.Length)
        {
            throw new ArgumentException($"The scatter has {scatter.Length} values but {_scatter.Length} are needed.", nameof(scatter));
        }

        DataValidation.CheckFinite(mean, dimension, nameof(mean));
        DataValidation.CheckFinite(scatter, fullScatter ? dimension : scatter.Length, nameof(scatter));
        _weight = weight;
        mean.CopyTo(_mean, 0);
        scatter.CopyTo(_scatter, 0);
    }

    /// <summary>The dimension d of the points.</summary>
    public int Dimension { get; }

    /// <summary>Whether the full d × d scatter is kept (otherwise only its diagonal).</summary>
    public bool FullScatter { get; }

    /// <summary>The total weight W (the count for unit weights).</summary>
    public double Weight => _weight;

    /// <summary>The total weight W; the same as <see cref="Weight"/>.</summary>
    [JsonIgnore]
    public double TotalWeight => _weight;

    /// <summary>A copy of the weighted mean (zeros while the weight is zero).</summary>
    public double[] Mean => (double[])_mean.Clone();

    /// <summary>A copy of the scatter about the mean: d × d row-major when <see cref="FullScatter"/>, else its diagonal.</summary>
    public double[] Scatter => (double[])_scatter.Clone();

    internal ReadOnlySpan<double> MeanSpan => _mean;

    internal ReadOnlySpan<double> ScatterSpan => _scatter;

    /// <summary>The diagonal scatter entry Sⱼⱼ, whichever form the statistics keep.</summary>
    internal double DiagonalScatter(int j) => FullScatter ? _scatter[j * Dimension + j] : _scatter[j];

    /// <summary>
    /// Statistics of the rows of a matrix, optionally weighted. A partition of the data may have no rows or only rows of
    /// weight 0: its statistics are empty (weight 0) and merge as the identity.
    /// </summary>
    /// <param name="data">n × d rows (n may be 0, d at least 1; not modified).</param>
    /// <param name="weights">Optional finite non-negative per-row weights (default: all one; not modified).</param>
    /// <param name="fullScatter">Whether to keep the full scatter.</param>
    /// <exception cref="ArgumentException">The data has no columns or a non-finite value, or a weight is bad (the message names the row).</exception>
    public static WeightedMoments FromRows(double[,] data, double[]? weights = null, bool fullScatter = true)
    {
        DataValidation.CheckMatrix(data, nameof(data), minRows: 0);
        int n = data.GetLength(0), d = data.GetLength(1);
        if (weights is not null)
        {
            DataValidation.CheckPartitionWeights(weights, n, nameof(weights));
        }

        return FromRowsChecked(data, weights, fullScatter);
    }

    /// <summary><see cref="FromRows"/> of data and weights already checked at the door of the caller.</summary>
    internal static WeightedMoments FromRowsChecked(double[,] data, double[]? weights, bool fullScatter)
    {
        var result = new WeightedMoments(data.GetLength(1), fullScatter);
        result.AccumulateRowsChecked(data.AsSpan(), data.GetLength(0), weights, new WeightedMoments(data.GetLength(1), fullScatter));
        return result;
    }

    /// <summary>
    /// Folds n checked rows (row-major in <paramref name="x"/>) into this, <see cref="ChunkSize"/> rows at a time in row
    /// order: rows fed in pieces whose lengths are multiples of <see cref="ChunkSize"/> give the bits of
    /// <see cref="FromRowsChecked"/> on all of them (the out-of-core fits' first pass).
    /// </summary>
    /// <param name="x">The rows.</param>
    /// <param name="n">Their number.</param>
    /// <param name="weights">Null, or one weight per row.</param>
    /// <param name="chunk">Scratch of the same shape as this.</param>
    internal void AccumulateRowsChecked(ReadOnlySpan<double> x, int n, double[]? weights, WeightedMoments chunk)
    {
        int d = Dimension;
        bool fullScatter = FullScatter;
        WeightedMoments result = this;

        // Two-pass per chunk (mean, then centered scatter), chunks merged in order: accurate and exact to merge.
        for (int start = 0; start < n; start += ChunkSize)
        {
            int end = Math.Min(n, start + ChunkSize);
            chunk.Reset();
            double w = 0;
            Span<double> m = chunk._mean;
            for (int i = start; i < end; i++)
            {
                double wi = weights?[i] ?? 1.0;
                w += wi;
                ReadOnlySpan<double> row = x.Slice(i * d, d);
                for (int a = 0; a < d; a++)
                {
                    m[a] += wi * row[a];
                }
            }

            if (!(w > 0))
            {
                continue;
            }

            for (int a = 0; a < d; a++)
            {
                m[a] /= w;
            }

            for (int i = start; i < end; i++)
            {
                double wi = weights?[i] ?? 1.0;
                ReadOnlySpan<double> row = x.Slice(i * d, d);
                for (int a = 0; a < d; a++)
                {
                    double da = wi * (row[a] - m[a]);
                    if (fullScatter)
                    {
                        for (int b = 0; b <= a; b++)
                        {
                            chunk._scatter[a * d + b] += da * (row[b] - m[b]);
                        }
                    }
                    else
                    {
                        chunk._scatter[a] += da * (row[a] - m[a]);
                    }
                }
            }

            if (fullScatter)
            {
                MomentMath.SymmetrizeFromLower(chunk._scatter, d);
            }

            chunk._weight = w;
            result.AccumulateCore(chunk);
        }
    }

    /// <summary>Adds one point with a weight (Welford's weighted update).</summary>
    /// <param name="point">d values.</param>
    /// <param name="weight">Non-negative finite weight.</param>
    public void Add(ReadOnlySpan<double> point, double weight = 1.0)
    {
        DataValidation.CheckPoint(point, Dimension, nameof(point));
        if (!double.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The weight must be finite and non-negative.");
        }

        MomentMath.AddPoint(ref _weight, _mean, _scatter, FullScatter, point, weight);
    }

    /// <summary>Removes a point previously added with the same weight (the exact inverse of <see cref="Add"/>).</summary>
    /// <param name="point">d values.</param>
    /// <param name="weight">Non-negative finite weight, at most <see cref="Weight"/>.</param>
    public void Remove(ReadOnlySpan<double> point, double weight = 1.0)
    {
        DataValidation.CheckPoint(point, Dimension, nameof(point));
        if (!double.IsFinite(weight) || weight < 0 || weight > _weight * (1 + 1e-12))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"The weight must be finite, non-negative and at most the total weight {_weight}.");
        }

        MomentMath.AddPoint(ref _weight, _mean, _scatter, FullScatter, point, -weight);
    }

    /// <summary>Folds another set of statistics into this one, in place (Chan's exact pairwise combination).</summary>
    /// <param name="other">Statistics of the same dimension and scatter shape (not modified).</param>
    /// <exception cref="ArgumentException"><paramref name="other"/> has another dimension or scatter shape.</exception>
    public void Accumulate(WeightedMoments other)
    {
        CheckSameShape(other, nameof(other));
        AccumulateCore(other);
    }

    /// <summary>
    /// The statistics of the union of the points summarised here and by <paramref name="other"/> (Chan's exact pairwise
    /// combination, this value first); neither is modified.
    /// </summary>
    /// <param name="other">Statistics of the same dimension and scatter shape.</param>
    /// <exception cref="ArgumentException"><paramref name="other"/> has another dimension or scatter shape.</exception>
    public WeightedMoments Merge(WeightedMoments other)
    {
        CheckSameShape(other, nameof(other));
        WeightedMoments result = Clone();
        result.AccumulateCore(other);
        return result;
    }

    /// <summary>Merges statistics from first to last (a fixed order, so the same list gives the same bits); none is modified.</summary>
    /// <param name="parts">At least one set of statistics, all of the same dimension and scatter shape.</param>
    /// <exception cref="ArgumentException">There are none, one is null or the shapes differ.</exception>
    public static WeightedMoments Merge(IEnumerable<WeightedMoments> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        WeightedMoments? result = null;
        int index = 0;
        foreach (WeightedMoments? part in parts)
        {
            if (part is null)
            {
                throw new ArgumentException($"Part {index} is null.", nameof(parts));
            }

            if (result is null)
            {
                result = part.Clone();
            }
            else
            {
                result.CheckSameShape(part, nameof(parts));
                result.AccumulateCore(part);
            }

            index++;
        }

        return result ?? throw new ArgumentException("There are no statistics to merge.", nameof(parts));
    }

    /// <summary>The statistics of the union of two sets, leaving both unchanged: <c>left.Merge(right)</c>.</summary>
    /// <param name="left">The first set.</param>
    /// <param name="right">The second set.</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static WeightedMoments Combine(WeightedMoments left, WeightedMoments right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.Merge(right);
    }

    /// <summary>Empty statistics (weight zero) of the same dimension and scatter shape: the identity of <see cref="Merge(WeightedMoments)"/>.</summary>
    public WeightedMoments Empty() => new(Dimension, FullScatter);

    private void AccumulateCore(WeightedMoments other) =>
        MomentMath.Merge(ref _weight, _mean, _scatter, other._weight, other._mean, other._scatter, FullScatter);

    private void CheckSameShape(WeightedMoments other, string paramName)
    {
        ArgumentNullException.ThrowIfNull(other, paramName);
        if (other.Dimension != Dimension || other.FullScatter != FullScatter)
        {
            throw new ArgumentException(
                $"Statistics of dimension {other.Dimension} with a {(other.FullScatter ? "full" : "diagonal")} scatter cannot merge with dimension {Dimension} with a {(FullScatter ? "full" : "diagonal")} scatter.",
                paramName);
        }
    }

    /// <summary>A deep copy.</summary>
    public WeightedMoments Clone() => new(Dimension, FullScatter, _weight, _mean, _scatter);

    /// <summary>Resets to empty statistics.</summary>
    public void Reset()
    {
        _weight = 0;
        Array.Clear(_mean);
        Array.Clear(_scatter);
    }

    /// <summary>The weighted (maximum-likelihood, divide-by-W) covariance S / W as a d × d matrix.</summary>
    /// <exception cref="InvalidOperationException">The weight is zero.</exception>
    public double[,] Covariance()
    {
        if (!(_weight > 0))
        {
            throw new InvalidOperationException("The statistics are empty (weight zero); no covariance is defined.");
        }

        int d = Dimension;
        var result = new double[d, d];
        for (int a = 0; a < d; a++)
        {
            if (FullScatter)
            {
                for (int b = 0; b < d; b++)
                {
                    result[a, b] = _scatter[a * d + b] / _weight;
                }
            }
            else
            {
                result[a, a] = _scatter[a] / _weight;
            }
        }

        return result;
    }

    /// <summary>
    /// The maximum-likelihood Gaussian of the points summarised: mean m and covariance S / W (the "next model" of these
    /// statistics, as <see cref="MultivariateGaussian.Fit(double[,], ReadOnlySpan{double})"/> computes it from the rows).
    /// </summary>
    /// <exception cref="InvalidOperationException">The weight is zero, or only the diagonal of the scatter is kept.</exception>
    /// <exception cref="ArgumentException">The covariance is not positive definite (e.g. fewer distinct points than d + 1).</exception>
    public MultivariateGaussian ToMultivariateGaussian()
    {
        if (!FullScatter)
        {
            throw new InvalidOperationException("Only the diagonal of the scatter is kept; a multivariate Gaussian needs the full scatter.");
        }

        return new MultivariateGaussian(Mean, Covariance());
    }

    /// <summary>The weighted variances (diagonal of <see cref="Covariance"/>).</summary>
    /// <exception cref="InvalidOperationException">The weight is zero.</exception>
    public double[] Variances()
    {
        if (!(_weight > 0))
        {
            throw new InvalidOperationException("The statistics are empty (weight zero); no variance is defined.");
        }

        int d = Dimension;
        var result = new double[d];
        for (int a = 0; a < d; a++)
        {
            result[a] = (FullScatter ? _scatter[a * d + a] : _scatter[a]) / _weight;
        }

        return result;
    }
}
