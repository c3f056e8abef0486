using LatentModels.LinearAlgebra;
using LatentModels.Mixtures;
using LatentModels.Mixtures.UpdateRules;
using LatentModels.Variational;

namespace LatentModels.Statistics;

/// <summary>
/// The sufficient statistics of one E-step of a Gaussian mixture on some rows: per component k the weight
/// Nₖ = Σᵢ wᵢ γᵢₖ, the responsibility-weighted mean and the scatter about that mean (d × d for full and tied
/// covariances, its d diagonal entries for diagonal and spherical ones), plus the weighted log-likelihood Σᵢ wᵢ log p(xᵢ),
/// the total sample weight Σᵢ wᵢ, and the weighted moments of the rows themselves (which the default prior of MAP EM
/// reads). This is the public spine of distributed fits: every partition calls <see cref="Compute"/> with the current
/// model, a driver merges the parts in a fixed order (<see cref="Merge(GaussianMixtureStatistics)"/>, Chan's formula) and
/// takes the M-step with <see cref="ToModel"/>. Immutable; persisted by <see cref="Persistence.ModelJson"/> (format
/// <c>LatentModels.GaussianMixtureStatistics</c>).
/// </summary>
/// <remarks>
/// Means are kept relative to a <see cref="Reference"/> point (the model's centre) so the centered scatters keep their
/// precision far from the origin; statistics merge only with statistics of the same reference, i.e. computed from the
/// same model. <see cref="Compute"/> works over the same fixed-size row blocks as <see cref="GaussianMixture"/> and
/// merges them in block order, so statistics of partitions that are whole blocks, merged from first to last, equal the
/// statistics of all the rows bit for bit; any other split agrees to rounding (about 1e-15 relative).
/// </remarks>
public sealed class GaussianMixtureStatistics : IMergeableStatistics<GaussianMixtureStatistics>
{
    private readonly double[] _reference;
    private readonly MixtureStatistics _totals;
    private readonly MixtureStatistics _data;

    internal GaussianMixtureStatistics(CovarianceType type, double[] reference, MixtureStatistics totals, MixtureStatistics data)
    {
        CovarianceType = type;
        _reference = reference;
        _totals = totals;
        _data = data;
    }

    /// <summary>The covariance type of the model the statistics came from (it fixes the shape of the scatters).</summary>
    public CovarianceType CovarianceType { get; }

    /// <summary>The number of components K.</summary>
    public int Components => _totals.K;

    /// <summary>The dimension d.</summary>
    public int Dimension => _totals.D;

    /// <inheritdoc />
    /// <remarks>Σᵢ wᵢ over the rows summarised (their number when unweighted).</remarks>
    public double TotalWeight => _totals.SampleWeight;

    /// <summary>Σᵢ wᵢ log p(xᵢ) under the model of the E-step.</summary>
    public double LogLikelihood => _totals.LogLikelihood;

    /// <summary>The point the stored means are relative to (the centre of the model the statistics came from); a copy.</summary>
    public double[] Reference => (double[])_reference.Clone();

    /// <summary>Nₖ = Σᵢ wᵢ γᵢₖ per component; a copy.</summary>
    public double[] ComponentWeights => (double[])_totals.Weight.Clone();

    /// <summary>The responsibility-weighted means (K × d, data coordinates; zero for a component without weight); a copy.</summary>
    public double[,] Means
    {
        get
        {
            int k = Components, d = Dimension;
            var m = new double[k, d];
            for (int c = 0; c < k; c++)
            {
                for (int j = 0; j < d; j++)
                {
                    m[c, j] = _totals.Weight[c] > 0 ? _totals.Mean[c * d + j] + _reference[j] : 0;
                }
            }

            return m;
        }
    }

    /// <summary>
    /// The scatter of one component about its mean, Σᵢ wᵢ γᵢₖ (xᵢ − x̄ₖ)(xᵢ − x̄ₖ)ᵀ, as a d × d matrix; for diagonal and
    /// spherical covariances only the diagonal is kept (the off-diagonal entries are zero).
    /// </summary>
    /// <param name="component">k in [0, K).</param>
    public double[,] GetScatter(int component)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(component);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(component, Components);
        int d = Dimension;
        var s = new double[d, d];
        if (_totals.FullScatter)
        {
            _totals.Scatter.AsSpan(component * d * d, d * d).CopyTo(s.AsWritableSpan());
        }
        else
        {
            for (int j = 0; j < d; j++)
            {
                s[j, j] = _totals.Scatter[component * d + j];
            }
        }

        return s;
    }

    /// <summary>The sample-weighted moments of the rows themselves (weight, mean, full scatter); a copy.</summary>
    public WeightedMoments DataMoments
    {
        get
        {
            int d = Dimension;
            var mean = new double[d];
            for (int j = 0; j < d; j++)
            {
                mean[j] = _data.Weight[0] > 0 ? _data.Mean[j] + _reference[j] : 0;
            }

            return new WeightedMoments(d, true, _data.Weight[0], mean, (double[])_data.Scatter.Clone());
        }
    }

    /// <summary>The raw internal form (means relative to the reference), for the codec and the M-step.</summary>
    internal MixtureStatistics Totals => _totals;

    internal MixtureStatistics Data => _data;

    internal ReadOnlySpan<double> ReferenceSpan => _reference;

    /// <summary>
    /// The statistics of one E-step of <paramref name="model"/> on <paramref name="data"/>, optionally with per-row
    /// sample weights (a row of weight w counts as w copies). Rows are processed in fixed-size blocks merged in block
    /// order, so the result does not depend on <paramref name="maxDegreeOfParallelism"/>.
    /// </summary>
    /// <param name="model">The current mixture.</param>
    /// <param name="data">n × d rows (not modified); n may be 0.</param>
    /// <param name="sampleWeights">Null, or one non-negative finite weight per row (not modified).</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    /// <exception cref="ArgumentException">The data has the wrong width or a non-finite value, or a weight is bad (the message names the row).</exception>
    public static GaussianMixtureStatistics Compute(GaussianMixtureModel model, double[,] data, double[]? sampleWeights = null, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        DataValidation.CheckMatrix(data, nameof(data), minRows: 0);
        DataValidation.CheckDimension(data, model.Dimension, nameof(data));
        if (sampleWeights is not null)
        {
            CheckWeights(sampleWeights, data.GetLength(0));
        }

        return ComputeCore(model.Parameters, data, sampleWeights, maxDegreeOfParallelism);
    }

    private static void CheckWeights(double[] weights, int rows)
    {
        if (weights.Length != rows)
        {
            throw new ArgumentException($"There are {weights.Length} sample weights for {rows} rows.", "sampleWeights");
        }

        for (int i = 0; i < rows; i++)
        {
            if (!(weights[i] >= 0) || !double.IsFinite(weights[i]))
            {
                throw new ArgumentException($"The sample weight of row {i} is {weights[i]}; weights must be finite and non-negative.", "sampleWeights");
            }
        }
    }

    /// <summary>The unchecked core of <see cref="Compute"/>: blocks of the batch-EM size, merged in block order.</summary>
    internal static GaussianMixtureStatistics ComputeCore(GaussianComponents p, double[,] data, double[]? sampleWeights, int maxDegreeOfParallelism)
    {
        int n = data.GetLength(0), d = p.D, k = p.K;
        bool full = p.Form.FullScatter;
        int blockSize = Math.Min(GaussianMixtureEngine.BlockSizeFor(k, d), Math.Max(n, 1));
        int blocks = ParallelBlocks.BlockCount(n, blockSize);
        var parts = new MixtureStatistics[blocks];
        var dataParts = new MixtureStatistics[blocks];
        ParallelBlocks.For(n, blockSize, maxDegreeOfParallelism, (block, start, end) =>
        {
            var ws = new MixtureWorkspace(blockSize, k, d);
            int rows = end - start;
            var stats = new MixtureStatistics(k, d, full);
            GaussianMixtureEngine.EStepInto(p, data.AsSpan().Slice(start * d, rows * d), rows, sampleWeights is null ? default : sampleWeights.AsSpan(start, rows), start, stats, ws);

            // The rows' own moments: the same two-pass block statistics with the sample weights as the one "responsibility".
            Span<double> w = ws.Temp.AsSpan(0, rows);
            for (int i = 0; i < rows; i++)
            {
                w[i] = sampleWeights?[start + i] ?? 1.0;
            }

            var moments = new MixtureStatistics(1, d, fullScatter: true);
            moments.SetFromBlock(ws.Centered, w, rows, blockSize, ws);
            parts[block] = stats;
            dataParts[block] = moments;
        });

        var totals = new MixtureStatistics(k, d, full);
        var dataTotals = new MixtureStatistics(1, d, fullScatter: true);
        var fold = new MixtureSuperblockFold(k, d, full, blockSize); // the in-memory engine's merge structure
        var dataFold = new MixtureSuperblockFold(1, d, true, blockSize);
        for (int b = 0; b < blocks; b++)
        {
            fold.Add(totals, parts[b]);
            dataFold.Add(dataTotals, dataParts[b]);
        }

        fold.Finish(totals);
        dataFold.Finish(dataTotals);

        ClearWorst(totals);
        return new GaussianMixtureStatistics(p.Type, (double[])p.Shift.Clone(), totals, dataTotals);
    }

    /// <summary>
    /// One part of the engine's E-step (<see cref="GaussianMixtureEngine.EStepParts"/>): the block statistics of a piece
    /// of a superblock centred on the engine's shift (the data mean), with its worst-explained row, and no data moments
    /// (the engine has them from its first pass). Travels as these statistics; <see cref="Totals"/> is what the driver folds.
    /// </summary>
    internal static GaussianMixtureStatistics FromEnginePart(CovarianceType type, double[] shift, MixtureStatistics part) =>
        new(type, shift, part, new MixtureStatistics(1, part.D, fullScatter: true));

    private static void ClearWorst(MixtureStatistics s)
    {
        s.WorstRow = -1;
        s.WorstValue = double.PositiveInfinity;
    }

    /// <inheritdoc />
    public GaussianMixtureStatistics Empty() => new(CovarianceType, _reference, new MixtureStatistics(Components, Dimension, _totals.FullScatter), new MixtureStatistics(1, Dimension, true));

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The other statistics have another covariance type, K, d or reference point (they came from another model).</exception>
    public GaussianMixtureStatistics Merge(GaussianMixtureStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckSameShape(other, nameof(other));
        var totals = new MixtureStatistics(Components, Dimension, _totals.FullScatter);
        _totals.CopyTo(totals);
        totals.Merge(other._totals);
        ClearWorst(totals);
        var data = new MixtureStatistics(1, Dimension, true);
        _data.CopyTo(data);
        data.Merge(other._data);
        return new GaussianMixtureStatistics(CovarianceType, _reference, totals, data);
    }

    /// <summary>Merges statistics from first to last (a fixed order, so the same list gives the same bits).</summary>
    /// <param name="parts">At least one set of statistics, all from the same model.</param>
    /// <exception cref="ArgumentException">There are none, one is null or they came from different models.</exception>
    public static GaussianMixtureStatistics Merge(IEnumerable<GaussianMixtureStatistics> parts) => MergeableStatistics.Merge(parts);

    /// <summary>
    /// The M-step from these statistics under the update rule of <paramref name="options"/>: maximum likelihood plus
    /// <see cref="GaussianMixtureOptions.Regularization"/> on the diagonal, or MAP under
    /// <see cref="GaussianMixtureOptions.Prior"/> (whose unset hyper-parameters come from <see cref="DataMoments"/>), exactly
    /// as <see cref="GaussianMixture"/> computes it from the rows. A component without weight cannot be re-seeded from
    /// statistics: the call then throws.
    /// </summary>
    /// <param name="options">The rule: <see cref="GaussianMixtureOptions.Components"/> and
    /// <see cref="GaussianMixtureOptions.Covariance"/> must match the statistics; <see cref="GaussianMixtureOptions.Regularization"/>
    /// and <see cref="GaussianMixtureOptions.Prior"/> are read.</param>
    /// <exception cref="ArgumentException">The options do not match the statistics or are invalid.</exception>
    /// <exception cref="FittingException">A component has no weight (maximum likelihood), or a covariance is not positive definite.</exception>
    public GaussianMixtureModel ToModel(GaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Components != Components || options.Covariance != CovarianceType)
        {
            throw new ArgumentException($"The options ask for {options.Components} {options.Covariance} components; the statistics have {Components} {CovarianceType} components.", nameof(options));
        }

        if (!(options.Regularization >= 0) || double.IsPositiveInfinity(options.Regularization))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Regularization, "The regularisation must be finite and non-negative.");
        }

        options.Prior?.Validate(Dimension);
        if (!(_totals.SampleWeight > 0))
        {
            throw new FittingException("The statistics summarise no weight: there is nothing to estimate from.");
        }

        var p = new GaussianComponents(CovarianceType, Components, Dimension);
        _reference.CopyTo(p.Shift, 0);
        IGaussianUpdateRule rule = GaussianUpdateRules.For(options, DataMoments, _reference, nameof(options));
        double n = rule.Apply(p, _totals);
        for (int c = 0; c < Components; c++)
        {
            if (!(p.Weights[c] > 0) || (options.Prior is null && !(_totals.Weight[c] > 1e-10 * n)))
            {
                throw new FittingException($"Component {c} has no weight in the statistics; it cannot be re-estimated (start from another model, or fit with a prior).", c);
            }
        }

        if (!rule.TryRefresh(p, new double[Math.Max(p.UpdateScratchLength, Dimension * Dimension)], out int failed))
        {
            GaussianMixtureEngine.ThrowSingular(failed);
        }

        return new GaussianMixtureModel(p);
    }

    /// <summary>
    /// The objective batch EM traces for the model these statistics came from (<paramref name="model"/>): the mean
    /// log-likelihood Σᵢ wᵢ log p(xᵢ) / Σᵢ wᵢ, plus, under <see cref="GaussianMixtureOptions.Prior"/>, the log-prior density
    /// of the model over the total weight (the mean log-posterior) — the value <see cref="GaussianMixture"/> compares with
    /// <see cref="GaussianMixtureOptions.Tolerance"/>, so a driver of partitions stops where it stops.
    /// </summary>
    /// <param name="model">The model of the E-step (its parameters are read for the prior term).</param>
    /// <param name="options">The rule (<see cref="GaussianMixtureOptions.Prior"/> is read).</param>
    /// <exception cref="ArgumentException">The model or the options do not match the statistics.</exception>
    public double Objective(GaussianMixtureModel model, GaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (model.Components != Components || model.Dimension != Dimension || model.CovarianceType != CovarianceType)
        {
            throw new ArgumentException($"The model has {model.Components} {model.CovarianceType} components of dimension {model.Dimension}; the statistics have {Components} {CovarianceType} components of dimension {Dimension}.", nameof(model));
        }

        options.Prior?.Validate(Dimension);
        double meanLogLikelihood = _totals.LogLikelihood / _totals.SampleWeight;
        if (options.Prior is null)
        {
            return meanLogLikelihood;
        }

        IGaussianUpdateRule rule = GaussianUpdateRules.For(options, DataMoments, _reference, nameof(options));
        return rule.Objective(meanLogLikelihood, model.Parameters, _totals.SampleWeight);
    }

    /// <summary>
    /// The variational update from these statistics: the statistics of one E-step of <paramref name="model"/> (from
    /// <see cref="VariationalGaussianMixtureModel.ComputeStatistics"/>) turned into the next posterior under the prior of
    /// <paramref name="options"/> (its unset hyper-parameters resolved from <see cref="DataMoments"/>, as
    /// <see cref="VariationalGaussianMixture"/> resolves them from the rows), with the full ELBO of (these
    /// responsibilities, the new posterior) as its <see cref="VariationalGaussianMixtureModel.Elbo"/> — one iteration of
    /// <see cref="VariationalGaussianMixture"/>, whose stopping rule compares successive ELBOs.
    /// </summary>
    /// <param name="model">The posterior of the E-step these statistics came from.</param>
    /// <param name="options">The prior and shape: <see cref="VariationalGaussianMixtureOptions.Components"/>,
    /// <see cref="VariationalGaussianMixtureOptions.Covariance"/> and <see cref="VariationalGaussianMixtureOptions.WeightPrior"/>
    /// must match the model.</param>
    /// <exception cref="ArgumentException">The model or the options do not match the statistics, or the default covariance prior is singular.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite.</exception>
    public VariationalGaussianMixtureModel ToVariationalModel(VariationalGaussianMixtureModel model, VariationalGaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (model.Components != Components || model.Dimension != Dimension || model.CovarianceType != CovarianceType)
        {
            throw new ArgumentException($"The model has {model.Components} {model.CovarianceType} components of dimension {model.Dimension}; the statistics have {Components} {CovarianceType} components of dimension {Dimension}.", nameof(model));
        }

        if (options.Components != Components || options.Covariance != CovarianceType || options.WeightPrior != model.WeightPrior)
        {
            throw new ArgumentException($"The options ask for {options.Components} {options.Covariance} components with a {options.WeightPrior} weight prior; the model has {Components} {CovarianceType} with {model.WeightPrior}.", nameof(options));
        }

        if (!(_totals.SampleWeight > 0))
        {
            throw new FittingException("The statistics summarise no weight: there is nothing to estimate from.");
        }

        VariationalGaussianUpdate rule = VariationalGaussianMixture.CreateRule(options, DataMoments, _reference, Dimension, nameof(options), nameof(options));
        GaussianComponents p = model.ExpectationComponents(_reference);
        double entropy = _totals.LogLikelihood - rule.ExpectedLogJoint(p, _totals);
        rule.Apply(p, _totals);
        if (!rule.TryRefresh(p, new double[Math.Max(p.UpdateScratchLength, Dimension * Dimension)], out int failed))
        {
            GaussianMixtureEngine.ThrowSingular(failed);
        }

        (double elbo, double peerBound) = rule.Bounds(entropy, _totals.SampleWeight);
        return VariationalGaussianMixtureModel.FromPosterior(rule, p, elbo, peerBound);
    }

    private void CheckSameShape(GaussianMixtureStatistics other, string paramName)
    {
        if (other.CovarianceType != CovarianceType || other.Components != Components || other.Dimension != Dimension)
        {
            throw new ArgumentException(
                $"Statistics of {other.Components} {other.CovarianceType} components of dimension {other.Dimension} cannot merge with {Components} {CovarianceType} components of dimension {Dimension}.",
                paramName);
        }

        if (!other._reference.AsSpan().SequenceEqual(_reference))
        {
            throw new ArgumentException("The statistics have different reference points: they were computed from different models.", paramName);
        }
    }
}
