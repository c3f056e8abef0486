using System.Diagnostics;
using LatentModels.Mixtures;
using LatentModels.Mixtures.Em;
using LatentModels.Mixtures.Gaussian;
using LatentModels.Statistics;

namespace LatentModels.Variational;

/// <summary>
/// Variational Bayesian Gaussian mixture (Bishop §10.2; scikit-learn's <c>BayesianGaussianMixture</c> is the peer):
/// mean-field coordinate ascent on q(Z)q(π)q(μ, Λ) with a Dirichlet (or truncated Dirichlet-process) prior on the weights
/// and Normal–Wishart priors on the components. It runs on the EM spine — the same fused block E-step and mergeable
/// statistics as <see cref="GaussianMixture"/>, driven by the same driver — with the variational update rule in place of
/// maximum likelihood, so the same seed gives the same bits for any <see cref="VariationalGaussianMixtureOptions.MaxDegreeOfParallelism"/>.
/// </summary>
/// <remarks>
/// The report's trace (<c>"elbo"</c>) holds after every iteration the full evidence lower bound of (the responsibilities
/// the iteration's M-step used, the new posterior) — every constant included, so it compares across K; with
/// <see cref="VariationalGaussianMixtureOptions.Regularization"/> = 0 coordinate ascent never decreases it. The model also
/// carries the peer's <c>lower_bound_</c> (<see cref="VariationalGaussianMixtureModel.LowerBound"/>), which differs from it
/// by constants. The regularisation adds Nₖ·reg to the diagonal of each posterior scale (the peer's <c>reg_covar</c>), a
/// perturbation of the exact update. For diagonal and spherical covariances the expectations follow the peer (a Wishart's
/// E[ln|Λ|] over d coordinates), and for tied the bound counts the shared Wishart K times, as the peer does. Unlike the
/// peer, Nₖ carries no extra 10·ε (an effect below 1e-14 on the bound and weights).
/// <para>
/// MAP and maximum likelihood are the delta-function limit of this fit (docs/variational.md). Restricting q(π, μ, Λ) to a
/// point mass turns the ELBO into the log joint ln p(X, θ) + H[q(Z)] (plus the delta's infinite entropy, the same for every
/// θ): MAP EM under the same conjugate prior (<see cref="GaussianMixture"/> with a <see cref="GaussianMixturePrior"/>,
/// Bishop §9.3–9.4), and maximum likelihood under a flat one. The free-form posterior of Bishop eq. 10.58–10.63 (αₖ = α₀ + Nₖ,
/// βₖ = β₀ + Nₖ, mₖ = (β₀m₀ + Nₖx̄ₖ)/βₖ, Wₖ⁻¹ = W₀⁻¹ + NₖSₖ + β₀Nₖ/(β₀ + Nₖ)(x̄ₖ − m₀)(x̄ₖ − m₀)ᵀ, νₖ = ν₀ + Nₖ) narrows as
/// N⁻¹ᐟ², and its means differ from the MAP modes by O(1/Nₖ): E[πₖ] = αₖ/Σα against (αₖ − 1)/(Σα − K), E[Λₖ]⁻¹ = Wₖ⁻¹/νₖ
/// against Wₖ⁻¹/(νₖ + d + 2), and the responsibilities' ψ and d/βₖ terms. So the posterior-mean parameters approach the
/// MAP-EM fit with the prior m₀ = μ₀, β₀ = κ, ν₀ = ν, W₀⁻¹ = Λ, α₀ = α as the data grow (tested: about tenfold closer per
/// tenfold more data), and the MAP fit approaches maximum likelihood at the same rate.
/// </para>
/// </remarks>
public sealed class VariationalGaussianMixture : IWeightedEstimator<VariationalGaussianMixtureModel>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (validated when fitting).</param>
    public VariationalGaussianMixture(VariationalGaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public VariationalGaussianMixtureOptions Options { get; }

    /// <summary>Fits the variational posterior to the rows of <paramref name="data"/> (n × d); the array is never modified.</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="progress">Optional per-iteration progress sink (the objective is the ELBO).</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <returns>The model, the report, and the most probable component and variational responsibilities of every training row.</returns>
    public SoftClusteringFitResult<VariationalGaussianMixtureModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        DataValidation.CheckMatrix(data, nameof(data));
        return FitCore(data, null, progress, cancellationToken);
    }

    /// <summary>Fits to weighted rows; a row of weight w counts as w copies of itself (also in the default priors).</summary>
    /// <param name="data">The data, one observation per row.</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <returns>The model, the report, and the labels and responsibilities of every training row (weight 0 included).</returns>
    public SoftClusteringFitResult<VariationalGaussianMixtureModel> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        DataValidation.CheckMatrix(data, nameof(data));
        DataValidation.CheckWeights(sampleWeights, data.GetLength(0), nameof(sampleWeights));
        return FitCore(data, sampleWeights, progress, cancellationToken);
    }

    /// <summary>
    /// Fits the variational posterior to rows that need not fit in memory: the source is read again, in chunks, for every
    /// pass (memory: one chunk and the posterior).
    /// </summary>
    /// <remarks>
    /// A first pass sums the data moments (the defaults of the prior and the centre of the statistics) in the in-memory
    /// order; every iteration is the in-memory one — the variational M-step, the ELBO, then one pass of the E-step on the
    /// in-memory blocks merged in block order — under the same driver (starts, stopping rule, ELBO trace, progress,
    /// cancellation). From the same start — <see cref="VariationalGaussianMixtureOptions.InitialModel"/>,
    /// <see cref="MixtureInit.First"/>, <see cref="MixtureInit.KMeansPlusPlus"/>, <see cref="MixtureInit.RandomRows"/> or
    /// <see cref="MixtureInit.RandomResponsibilities"/> or <see cref="MixtureInit.KMeans"/> (the same seed draws the same start) — the fit has the in-memory
    /// bits: every iteration, the trace, the iteration count and the posterior, for every covariance type and both weight
    /// priors, whatever the thread count. <see cref="MixtureInit.KMeans"/> starts from the out-of-core K-Means, the in-memory
    /// K-Means bit for bit, so that start is the in-memory one too. Data of extreme range (beyond about 1e±150, or far from the origin) and counts
    /// beyond 2^100 are fitted in the in-memory frame (one more pass finds it), with the same bits. The training labels and
    /// responsibilities are not returned.
    /// </remarks>
    /// <param name="source">The rows (re-read for every pass).</param>
    /// <param name="progress">Optional per-iteration progress sink (the objective is the ELBO).</param>
    /// <param name="cancellationToken">Checked before every chunk and every block.</param>
    /// <returns>The model and the report.</returns>
    /// <exception cref="ArgumentException">Options that do not fit the data, or chunks of another width.</exception>
    /// <exception cref="Data.RowFormatException">The source is empty or malformed.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite.</exception>
    public FitResult<VariationalGaussianMixtureModel> Fit(Data.IRowChunkSource source, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return VariationalGaussianMixtureOutOfCore.Fit(Options, source, null, progress, cancellationToken);
    }

    /// <summary>
    /// <see cref="Fit(Data.IRowChunkSource, IProgress{FitProgress}, CancellationToken)"/> of weighted rows: the weights are a
    /// second source of one column, read in lockstep with the rows (never whole). From the same start it has the bits of
    /// <see cref="Fit(double[,], double[], IProgress{FitProgress}, CancellationToken)"/>.
    /// </summary>
    /// <param name="source">The rows (re-read for every pass).</param>
    /// <param name="sampleWeights">One non-negative finite weight per row (one column), not all zero.</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Checked before every chunk and every block.</param>
    /// <returns>The model and the report.</returns>
    /// <exception cref="ArgumentException">Options that do not fit the data, chunks of another width, bad weights or a count of weights other than the rows'.</exception>
    /// <exception cref="Data.RowFormatException">A source is empty or malformed.</exception>
    /// <exception cref="FittingException">A posterior scale is not positive definite.</exception>
    public FitResult<VariationalGaussianMixtureModel> Fit(Data.IRowChunkSource source, Data.IRowChunkSource sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sampleWeights);
        return VariationalGaussianMixtureOutOfCore.Fit(Options, source, sampleWeights, progress, cancellationToken);
    }

    /// <inheritdoc />
    FitResult<VariationalGaussianMixtureModel> IEstimator<VariationalGaussianMixtureModel>.Fit(double[,] data, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, progress, cancellationToken);

    /// <inheritdoc />
    FitResult<VariationalGaussianMixtureModel> IWeightedEstimator<VariationalGaussianMixtureModel>.Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken) =>
        Fit(data, sampleWeights, progress, cancellationToken);

    private SoftClusteringFitResult<VariationalGaussianMixtureModel> FitCore(double[,] data, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        Options.Validate(data.GetLength(0), data.GetLength(1));
        return VariationalGaussianMixtureFraming.Fit(data, sampleWeights, Options, (x, w, o) => FitFramed(x, w, o, progress, cancellationToken));
    }

    /// <summary>The fit in the units <see cref="VariationalGaussianMixtureFraming"/> chose (the data's own in the ordinary range).</summary>
    private static SoftClusteringFitResult<VariationalGaussianMixtureModel> FitFramed(double[,] data, double[]? sampleWeights, VariationalGaussianMixtureOptions o, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        int d = data.GetLength(1);
        var clock = Stopwatch.StartNew();
        var engine = new GaussianMixtureEngine(data, sampleWeights, o.EngineOptions(), (moments, shift) => CreateRule(o, moments, shift, d));
        (VariationalGaussianMixtureModel model, FitReport report) = EmDriver.Run(new VariationalBatchRun(engine, data, sampleWeights, o, cancellationToken),
            o.Starts, o.Seed, o.MaxIterations, o.Tolerance, engine.Rule.ObjectiveName, progress, cancellationToken, clock, stopAtOnce: true);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = model.PredictBoth(data, labels);
        return new SoftClusteringFitResult<VariationalGaussianMixtureModel>(model, report, labels, responsibilities);
    }

    /// <summary>The variational rule with the options' prior, defaults resolved from the data moments as the peer's, centred on <paramref name="shift"/>.</summary>
    internal static VariationalGaussianUpdate CreateRule(VariationalGaussianMixtureOptions o, WeightedMoments moments, double[] shift, int d,
        string weightsParameter = "sampleWeights", string dataParameter = "data")
    {
        VariationalShape shape = VariationalShape.For(o.Covariance);
        double[] covariancePrior;
        if (o.CovariancePrior is { } given)
        {
            covariancePrior = (double[])given.Clone();
        }
        else
        {
            if (!(moments.Weight > 1))
            {
                throw new ArgumentException("The default covariance prior (the data covariance) needs a total sample weight above 1; give CovariancePrior.", weightsParameter);
            }

            covariancePrior = new double[shape.PriorLength(d)];
            shape.DefaultPrior(moments, d, covariancePrior);
            if (double.IsNaN(shape.LogDetW0(covariancePrior, d)))
            {
                throw new ArgumentException("The data covariance (the default covariance prior) is singular (e.g. a constant column); give CovariancePrior.", dataParameter);
            }
        }

        var centeredMean = new double[d];
        for (int j = 0; j < d; j++)
        {
            centeredMean[j] = (o.MeanPrior is { } m ? m[j] : moments.MeanSpan[j]) - shift[j];
        }

        return new VariationalGaussianUpdate(shape, o.Components, d, o.WeightPrior, o.WeightConcentration ?? 1.0 / o.Components, o.MeanPrecision,
            centeredMean, o.DegreesOfFreedom ?? d, covariancePrior, o.Regularization);
    }
}
