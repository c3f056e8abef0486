namespace LatentModels.Mixtures.UpdateRules;

/// <summary>
/// The slot for the variational (VB) update of the Gaussian mixture (issue 11). VB needs no E-step and no driver of its
/// own: the batch run, the engine's fused block E-step and the <see cref="Em.EmDriver"/> stay as they are, and only the
/// rule changes.
/// <list type="bullet">
/// <item><see cref="IGaussianUpdateRule.Apply"/> reads the same <see cref="MixtureStatistics"/> (Nₖ, x̄ₖ relative to the
/// shift, centered scatter Sₖ in the covariance form's shape) and turns them into posterior hyper-parameters (Bishop
/// §10.2): the Dirichlet αₖ = α₀ + Nₖ (or the stick-breaking Beta pairs), and the Normal–Wishart βₖ = β₀ + Nₖ,
/// mₖ = (β₀m₀ + Nₖx̄ₖ)/βₖ, Wₖ⁻¹ = W₀⁻¹ + Sₖ + (β₀Nₖ/βₖ)(x̄ₖ − m₀)(x̄ₖ − m₀)ᵀ, νₖ = ν₀ + Nₖ (per coordinate / pooled for
/// the diagonal and spherical forms, one shared W for tied — a <c>Variational</c> method on each covariance form, next to
/// <see cref="Gaussian.CovarianceForm.MaximumLikelihood"/> and <see cref="Gaussian.CovarianceForm.Map"/>). It writes the
/// posterior means into the parameters' weights, means and covariances, so snapshots and the saved model are the
/// posterior-mean mixture.</item>
/// <item><see cref="IGaussianUpdateRule.TryRefresh"/> writes into the E-step's fields the expectations the same log-joint
/// kernel reads: <c>LogWeights</c> = E[ln πₖ] = ψ(αₖ) − ψ(Σα), <c>Factor</c> = the precision Cholesky factor of νₖWₖ (the
/// form's factorisation), <c>LogNorm</c> = −(d/2) ln 2π + ½E[ln|Λₖ|] − d/(2βₖ), <c>Offsets</c> = the whitened mₖ. The
/// E-step then yields the variational responsibilities and Σᵢ wᵢ ln Σₖ exp(…) as its "log-likelihood".</item>
/// <item><see cref="IGaussianUpdateRule.Objective"/> returns the full evidence lower bound per unit weight from that sum
/// (meanLogLikelihood · W) minus the KL terms of q(π) and q(μ, Λ) — every constant kept, so it compares across K; the
/// driver traces it and keeps the start with the best bound. <see cref="PeerLowerBound"/> gives the peer's convention.</item>
/// </list>
/// </summary>
internal interface IVariationalGaussianUpdate : IGaussianUpdateRule
{
    /// <summary>
    /// scikit-learn's <c>lower_bound_</c> (its convention, which drops constants) for the current posterior, from the
    /// E-step's mean "log-likelihood" (the mean log-normaliser) and the total weight.
    /// </summary>
    double PeerLowerBound(double meanLogLikelihood, double totalWeight);
}
