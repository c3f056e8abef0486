using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Variational;

/// <summary>
/// Variational Bayes for a mixture of independent categorical components on rows of category codes (column j in [0, Cⱼ)) (Bishop PRML §10.2, its
/// discrete analogue): a symmetric Dirichlet(α₀) prior on the mixing weights, a symmetric Dirichlet(γ₀) prior on each component's
/// outcome probabilities of each variable, and the mean-field posterior q(Z) q(π) q(θ) found by coordinate ascent.
/// </summary>
/// <remarks>
/// Built on the EM spine: the E-step is <see cref="DiscreteMixtureStatistics.FromCategorical"/> (without its checks: the data was validated once at the door) of a proxy mixture whose
/// log-parameters are the expected logarithms E[ln π], E[ln θ] up to a per-component constant (so the family's own
/// log-density path gives the variational responsibilities), the variational M-step turns the statistics into the
/// posterior hyper-parameters, and the one EM driver runs the starts, the iterations and keeps the start with the highest
/// full ELBO (traced every iteration as the report's objective "elbo", in nats).
/// </remarks>
public sealed class VariationalCategoricalMixture
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="categoryCounts">The number of outcomes Cⱼ ≥ 1 of each variable (copied).</param>
    /// <param name="options">The settings (validated when fitting).</param>
    public VariationalCategoricalMixture(int[] categoryCounts, VariationalDiscreteMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Family = new IndependentCategoricalFamily(categoryCounts);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public VariationalDiscreteMixtureOptions Options { get; }

    private IndependentCategoricalFamily Family { get; }

    /// <summary>Fits q to the rows.</summary>
    /// <param name="data">n × d rows of category codes (column j in [0, Cⱼ)) (not modified).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <exception cref="ArgumentException">The data is outside the sample space (the message names row and column) or an option is invalid.</exception>
    /// <returns>The model, the report (trace of the full ELBO), and the most probable component and variational responsibilities of every row.</returns>
    public SoftClusteringFitResult<VariationalCategoricalMixtureModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(data, null, progress, cancellationToken);

    /// <summary>Fits q to weighted rows; a row of weight w counts as w copies of itself.</summary>
    /// <param name="data">n × d rows of category codes (column j in [0, Cⱼ)) (not modified).</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero (not modified).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <exception cref="ArgumentException">A weight is bad (the message names its row), the data is outside the sample space or an option is invalid.</exception>
    /// <returns>The model, the report (trace of the full ELBO), and the most probable component and variational responsibilities of every row.</returns>
    public SoftClusteringFitResult<VariationalCategoricalMixtureModel> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampleWeights);
        return FitCore(data, sampleWeights, progress, cancellationToken);
    }

    /// <summary>
    /// Runs the coordinate ascent from a fitted posterior (a warm start, as <see cref="Mixture{TComponent}.FitFrom(MixtureModel{TComponent}, double[,], IProgress{FitProgress}?, CancellationToken)"/>):
    /// every start begins with the E-step of <paramref name="initialModel"/>'s q(π) q(θ) (the start's objective is its ELBO),
    /// then the iterations; <see cref="VariationalDiscreteMixtureOptions.Init"/> is not used. The prior is the options'
    /// (α₀, γ₀), not the model's. From a converged fit on the same data and prior the run converges again at once with the
    /// same ELBO; with <see cref="VariationalDiscreteMixtureOptions.MaxIterations"/> = 0 it returns the start.
    /// </summary>
    /// <param name="initialModel">The start: <see cref="VariationalDiscreteMixtureOptions.Components"/> components of the data's dimension and the same category counts.</param>
    /// <param name="data">n × d rows of category codes (column j in [0, Cⱼ)) (not modified).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <exception cref="ArgumentException">The initial model does not match (parameter <c>initialModel</c>), the data is outside the sample space or an option is invalid.</exception>
    /// <returns>The model, the report (trace of the full ELBO), and the most probable component and variational responsibilities of every row.</returns>
    public SoftClusteringFitResult<VariationalCategoricalMixtureModel> FitFrom(VariationalCategoricalMixtureModel initialModel, double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialModel);
        return FitCore(data, null, progress, cancellationToken, initialModel);
    }

    /// <summary>Runs the coordinate ascent on weighted rows from a fitted posterior (see <see cref="FitFrom(VariationalCategoricalMixtureModel, double[,], IProgress{FitProgress}?, CancellationToken)"/>).</summary>
    /// <param name="initialModel">The start: <see cref="VariationalDiscreteMixtureOptions.Components"/> components of the data's dimension and the same category counts.</param>
    /// <param name="data">n × d rows of category codes (column j in [0, Cⱼ)) (not modified).</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero (not modified).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <exception cref="ArgumentException">The initial model does not match, a weight is bad, the data is outside the sample space or an option is invalid.</exception>
    /// <returns>The model, the report (trace of the full ELBO), and the most probable component and variational responsibilities of every row.</returns>
    public SoftClusteringFitResult<VariationalCategoricalMixtureModel> FitFrom(VariationalCategoricalMixtureModel initialModel, double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialModel);
        ArgumentNullException.ThrowIfNull(sampleWeights);
        return FitCore(data, sampleWeights, progress, cancellationToken, initialModel);
    }

    private SoftClusteringFitResult<VariationalCategoricalMixtureModel> FitCore(double[,] data, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken,
        VariationalCategoricalMixtureModel? initialModel = null)
    {
        DiscreteVariationalFitter.CheckInput(Family, Options, data, sampleWeights);
        DiscreteVariationalPosterior? initial = DiscreteVariationalFitter.Initial(initialModel, Family.CategoryCounts, Options, data);
        int threads = Options.MaxDegreeOfParallelism;
        (DiscreteVariationalFit fit, FitReport report) = DiscreteVariationalFitter.Run(Family, Options, p => p.CategoricalProxy(),
            m => DiscreteMixtureStatistics.FromCategoricalUnchecked(m, data, sampleWeights, threads), data, sampleWeights, initial, progress, cancellationToken);
        var model = new VariationalCategoricalMixtureModel(fit.Posterior, fit.Elbo);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = model.PredictBoth(data, labels);
        return new SoftClusteringFitResult<VariationalCategoricalMixtureModel>(model, report, labels, responsibilities);
    }
}
