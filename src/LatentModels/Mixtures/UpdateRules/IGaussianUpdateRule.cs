using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Mixtures.UpdateRules;

/// <summary>
/// An update rule of the Gaussian mixture: the M-step is "statistics + rule → parameters". The covariance form supplies
/// the shape-specific part of each rule (<see cref="CovarianceForm.MaximumLikelihood"/>, <see cref="CovarianceForm.Map"/>);
/// the rule supplies the weights, the means, the objective and the refresh of what the E-step reads. Every driver (batch,
/// incremental, streaming, and the public <see cref="Statistics.GaussianMixtureStatistics.ToModel"/>) goes through here.
/// </summary>
internal interface IGaussianUpdateRule
{
    /// <summary>The name of the traced objective, e.g. <c>"meanLogLikelihood"</c>.</summary>
    string ObjectiveName { get; }

    /// <summary>
    /// The M-step proper: the weights, means (the statistics' means are relative to <c>p.Shift</c>) and covariances of
    /// <paramref name="p"/> from <paramref name="statistics"/>. Derived quantities are not refreshed (see <see cref="TryRefresh"/>).
    /// Returns Σₖ Nₖ.
    /// </summary>
    double Apply(GaussianComponents p, MixtureStatistics statistics);

    /// <summary>
    /// Recomputes what the E-step reads (log-weights, precision factors, normalisers, whitened means) from the parameters;
    /// false with the failing component (−1 when shared) if a covariance is not positive definite.
    /// </summary>
    bool TryRefresh(GaussianComponents p, Span<double> scratch, out int failedComponent);

    /// <summary>The objective EM maximises, from the mean log-likelihood of the parameters (e.g. plus the log-prior / total weight).</summary>
    double Objective(double meanLogLikelihood, GaussianComponents p, double totalWeight);
}
