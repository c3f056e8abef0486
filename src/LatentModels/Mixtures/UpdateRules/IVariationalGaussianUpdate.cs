namespace LatentModels.Mixtures.UpdateRules;

/// <summary>
/// The slot for the variational (VB) update of the Gaussian mixture (issue 11). VB needs no E-step and no driver of its
/// own: it reads the same <see cref="MixtureStatistics"/> (Nₖ, x̄ₖ relative to the shift, centred scatter Sₖ in the
/// covariance form's shape) and turns them into posterior hyper-parameters (Bishop §10.2): the Dirichlet αₖ = α₀ + Nₖ,
/// and the Normal–Wishart βₖ = β₀ + Nₖ, mₖ = (β₀m₀ + Nₖx̄ₖ)/βₖ, Wₖ⁻¹ = W₀⁻¹ + Sₖ + (β₀Nₖ/βₖ)(x̄ₖ − m₀)(x̄ₖ − m₀)ᵀ,
/// νₖ = ν₀ + Nₖ (for diagonal and spherical forms the per-coordinate / pooled analogues; for tied one shared W).
/// <see cref="IGaussianUpdateRule.Apply"/> stores them (posterior-mean weights, means and covariances go into the
/// parameters for snapshots), and <see cref="IGaussianUpdateRule.TryRefresh"/> writes into the E-step's fields the
/// expectations the same fused log-joint kernel reads: <c>LogWeights</c> = E[ln πₖ] = ψ(αₖ) − ψ(Σα),
/// <c>Factor</c> = the Cholesky factor of the precision νₖWₖ (through the form), <c>LogNorm</c> =
/// −(d/2) ln 2π + ½E[ln|Λₖ|] − d/(2βₖ), <c>Offsets</c> = whitened mₖ. The driver's objective is then
/// <see cref="Elbo"/> instead of the mean log-likelihood.
/// </summary>
internal interface IVariationalGaussianUpdate : IGaussianUpdateRule
{
    /// <summary>
    /// The full evidence lower bound of the current posterior, from the statistics' weighted sum of log-normalisers
    /// (Σᵢ wᵢ log Σₖ exp(E-step log-joint), which the E-step already computes) and the total weight.
    /// </summary>
    double Elbo(double sumLogNormalizers, double totalWeight);
}
