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

    private SoftClusteringFitResult<VariationalBernoulliMixtureModel> FitCore(double[,] data, double[]? sampleWeights, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        DiscreteVariationalFitter.CheckInput(Family, Options, data, sampleWeights);
        int threads = Options.MaxDegreeOfParallelism;
        (DiscreteVariationalFit fit, FitReport report) = DiscreteVariationalFitter.Run(Family, Options, p => p.BernoulliProxy(),
            m => DiscreteMixtureStatistics.FromBernoulliUnchecked(m, data, sampleWeights, threads), data, sampleWeights, progress, cancellationToken);
        var model = new VariationalBernoulliMixtureModel(fit.Posterior, fit.Elbo);
        var labels = new int[data.GetLength(0)];
        double[,] responsibilities = model.PredictBoth(data, labels);
        return new SoftClusteringFitResult<VariationalBernoulliMixtureModel>(model, report, labels, responsibilities);
    }
}
