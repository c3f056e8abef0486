using System.Diagnostics;
using LatentModels.Mixtures.Em;

namespace LatentModels.Mixtures;

/// <summary>
/// Incremental EM (Neal &amp; Hinton 1998) for a Bernoulli or categorical mixture: the running
/// <see cref="DiscreteMixtureStatistics"/> (component weights and outcome counts) are the sum of the stored statistics of
/// fixed blocks of <see cref="IncrementalDiscreteMixtureOptions.BlockSize"/> consecutive rows. Visiting a block removes
/// its stored contribution from the running counts, recomputes its responsibilities under the current model, adds the
/// new contribution and takes the M-step from the running statistics (one M-step per block). Blocks are visited in row
/// order. Every partial E-step and M-step increases the free energy, so the objective never decreases across passes.
/// </summary>
/// <remarks>
/// <para>The start is batch EM's (<see cref="MixtureOptions.Init"/>, starts and seed), and the stored statistics start as
/// the E-step of the starting model on every block, so one pass with a block of all rows is exactly one batch EM
/// iteration. At the end of every pass the running statistics are re-summed from the stored ones in block order and the
/// M-step taken again, so subtraction rounding does not accumulate. Sample weights: a row of weight w counts as w copies.
/// The report's trace holds, after each pass, the mean log-likelihood (mean log-posterior with a positive
/// <see cref="MixtureOptions.PseudoCount"/>) of all rows, as batch EM traces it. Blocks and their order depend only on the
/// data's shape, so results are bit-identical for every <see cref="MixtureOptions.MaxDegreeOfParallelism"/>.
/// Memory: a copy of the rows cut into blocks and the statistics of every block.</para>
/// <para>Empty components are not re-seeded: with a pseudo-count of 0, a component whose weight vanishes raises
/// <see cref="FittingException"/> (use a positive pseudo-count, the default).</para>
/// </remarks>
/// <typeparam name="TComponent">The component distribution.</typeparam>
public abstract class IncrementalDiscreteMixture<TComponent> : IWeightedEstimator<MixtureModel<TComponent>> where TComponent : class
{
    private protected IncrementalDiscreteMixture(IncrementalDiscreteMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public IncrementalDiscreteMixtureOptions Options { get; }

    /// <inheritdoc />
    FitResult<MixtureModel<TComponent>> IEstimator<MixtureModel<TComponent>>.Fit(double[,] data, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, progress, cancellationToken);

    /// <inheritdoc />
    FitResult<MixtureModel<TComponent>> IWeightedEstimator<MixtureModel<TComponent>>.Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, sampleWeights, progress, cancellationToken);

    /// <summary>Fits the mixture to the rows of <paramref name="data"/> (n × d); the array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-pass progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between passes.</param>
    /// <exception cref="ArgumentException">The data is outside the family's sample space (the message names row and column) or an option is invalid.</exception>
    /// <exception cref="FittingException">A component lost all its weight with a pseudo-count of 0.</exception>
    /// <returns>The model, the report, and the most probable component and the responsibilities of every training row under the returned model.</returns>
    public SoftClusteringFitResult<MixtureModel<TComponent>> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(data, null, progress, cancellationToken);

    /// <summary>Fits the mixture to weighted rows; a row of weight w counts as w copies of itself. The arrays are never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero.</param>
    /// <param name="progress">Optional per-pass progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between passes.</param>
    /// <exception cref="ArgumentException">Bad weights (the message names the row), bad data or invalid options.</exception>
    /// <exception cref="FittingException">A component lost all its weight with a pseudo-count of 0.</exception>
    /// <returns>The model, the report, and the most probable component and the responsibilities of every training row (weight 0 included).</returns>
    public SoftClusteringFitResult<MixtureModel<TComponent>> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        return FitCore(data, sampleWeights, progress, cancellationToken);
    }

    /// <summary>The batch estimator of the same family and options (its checks, start and E-step are reused).</summary>
    private protected abstract Mixture<TComponent> CreateBatch(MixtureOptions options);

    /// <summary>The statistics of one E-step of <paramref name="model"/> on validated rows.</summary>
    internal abstract DiscreteMixtureStatistics Statistics(MixtureModel<TComponent> model, double[,] rows, double[]? sampleWeights, int maxDegreeOfParallelism);

    /// <summary>The M-step from statistics.</summary>
    internal abstract MixtureModel<TComponent> MStep(DiscreteMixtureStatistics statistics, double pseudoCount);

    private SoftClusteringFitResult<MixtureModel<TComponent>> FitCore(double[,] data, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        IncrementalDiscreteMixtureOptions o = Options;
        o.Validate();
        Mixture<TComponent> batch = CreateBatch(o.Mixture);
        batch.CheckInput(data, sampleWeights);
        MixtureOptions m = o.Mixture;
        var clock = Stopwatch.StartNew();
        (MixtureModel<TComponent> best, FitReport report) = EmDriver.Run(new DiscreteIncrementalRun<TComponent>(this, batch, data, sampleWeights, o.BlockSize, cancellationToken),
            m.Starts, m.Seed, o.Passes, o.Tolerance, m.PseudoCount > 0 ? "meanLogPosterior" : "meanLogLikelihood", progress, cancellationToken, clock);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = best.PredictBoth(data, labels);
        return new SoftClusteringFitResult<MixtureModel<TComponent>>(best, report, labels, responsibilities);
    }
}
