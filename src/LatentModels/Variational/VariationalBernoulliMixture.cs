using LatentModels.Distributions;
using LatentModels.Mixtures;

namespace LatentModels.Variational;

/// <summary>
/// Variational Bayes for a mixture of independent bernoulli components on binary rows (0/1) (Bishop PRML §10.2, its
/// discrete analogue): a symmetric Dirichlet(α₀) prior on the mixing weights, a symmetric Beta(γ₀, γ₀) prior on each component's
/// pixel probabilities, and the mean-field posterior q(Z) q(π) q(θ) found by coordinate ascent.
/// </summary>
/// <remarks>
/// Built on the EM spine: the E-step is <see cref="DiscreteMixtureStatistics.FromBernoulli"/> (without its checks: the data was validated once at the door) of a proxy mixture whose
/// log-parameters are the expected logarithms E[ln π], E[ln θ] up to a per-component constant (so the family's own
/// log-density path gives the variational responsibilities), the variational M-step turns the statistics into the
/// posterior hyper-parameters, and the one EM driver runs the starts, the iterations and keeps the start with the highest
/// full ELBO (traced every iteration as the report's objective "elbo", in nats).
/// </remarks>
public sealed class VariationalBernoulliMixture
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (validated when fitting).</param>
    public VariationalBernoulliMixture(VariationalDiscreteMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public VariationalDiscreteMixtureOptions Options { get; }

    private static IndependentBernoulliFamily Family => IndependentBernoulliFamily.Instance;

    /// <summary>Fits q to the rows.</summary>
    /// <param name="data">n × d binary rows (0/1) (not modified).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <exception cref="ArgumentException">The data is outside the sample space (the message names row and column) or an option is invalid.</exception>
    /// <returns>The model, the report (trace of the full ELBO), and the most probable component and variational responsibilities of every row.</returns>
    public SoftClusteringFitResult<VariationalBernoulliMixtureModel> Fit(double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(data, null, progress, cancellationToken);

    /// <summary>Fits q to weighted rows; a row of weight w counts as w copies of itself.</summary>
    /// <param name="data">n × d binary rows (0/1) (not modified).</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero (not modified).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <exception cref="ArgumentException">A weight is bad (the message names its row), the data is outside the sample space or an option is invalid.</exception>
    /// <returns>The model, the report (trace of the full ELBO), and the most probable component and variational responsibilities of every row.</returns>
    public SoftClusteringFitResult<VariationalBernoulliMixtureModel> Fit(double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
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
    /// <param name="initialModel">The start: <see cref="VariationalDiscreteMixtureOptions.Components"/> components of the data's dimension.</param>
    /// <param name="data">n × d binary rows (0/1) (not modified).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <exception cref="ArgumentException">The initial model does not match (parameter <c>initialModel</c>), the data is outside the sample space or an option is invalid.</exception>
    /// <returns>The model, the report (trace of the full ELBO), and the most probable component and variational responsibilities of every row.</returns>
    public SoftClusteringFitResult<VariationalBernoulliMixtureModel> FitFrom(VariationalBernoulliMixtureModel initialModel, double[,] data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialModel);
        return FitCore(data, null, progress, cancellationToken, initialModel);
    }

    /// <summary>Runs the coordinate ascent on weighted rows from a fitted posterior (see <see cref="FitFrom(VariationalBernoulliMixtureModel, double[,], IProgress{FitProgress}?, CancellationToken)"/>).</summary>
    /// <param name="initialModel">The start: <see cref="VariationalDiscreteMixtureOptions.Components"/> components of the data's dimension.</param>
    /// <param name="data">n × d binary rows (0/1) (not modified).</param>
    /// <param name="sampleWeights">One non-negative finite weight per row, not all zero (not modified).</param>
    /// <param name="progress">Optional per-iteration progress sink.</param>
    /// <param name="cancellationToken">Cancels the fit between iterations.</param>
    /// <exception cref="ArgumentException">The initial model does not match, a weight is bad, the data is outside the sample space or an option is invalid.</exception>
    /// <returns>The model, the report (trace of the full ELBO), and the most probable component and variational responsibilities of every row.</returns>
    public SoftClusteringFitResult<VariationalBernoulliMixtureModel> FitFrom(VariationalBernoulliMixtureModel initialModel, double[,] data, double[] sampleWeights, IProgress<FitProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialModel);
        ArgumentNullException.ThrowIfNull(sampleWeights);
        return FitCore(data, sampleWeights, progress, cancellationToken, initialModel);
    }

    private SoftClusteringFitResult<VariationalBernoulliMixtureModel> FitCore(double[,] data, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken,
        VariationalBernoulliMixtureModel? initialModel = null)
    {
        DiscreteVariationalFitter.CheckInput(Family, Options, data, sampleWeights);
        DiscreteVariationalPosterior? initial = DiscreteVariationalFitter.Initial(initialModel, [], Options, data);
        int threads = Options.MaxDegreeOfParallelism;
        (DiscreteVariationalFit fit, FitReport report) = DiscreteVariationalFitter.Run(Family, Options, p => p.BernoulliProxy(),
            m => DiscreteMixtureStatistics.FromBernoulliUnchecked(m, data, sampleWeights, threads), data, sampleWeights, initial, progress, cancellationToken);
        var model = new VariationalBernoulliMixtureModel(fit.Posterior, fit.Elbo);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = model.PredictBoth(data, labels);
        return new SoftClusteringFitResult<VariationalBernoulliMixtureModel>(model, report, labels, responsibilities);
    }
}
