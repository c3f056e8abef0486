namespace LatentModels.Mixtures.UpdateRules;

/// <summary>
/// The slot for the variational (VB) update of the Gaussian mixture (issue 11; implemented by
/// <c>LatentModels.Variational.VariationalGaussianUpdate</c>). VB needs no E-step and no driver of its own: it reads the
/// same <see cref="MixtureStatistics"/> (Nₖ, x̄ₖ relative to the shift, centered scatter Sₖ in the covariance form's shape)
/// and turns them into posterior hyper-parameters (Bishop §10.2): the Dirichlet αₖ = α₀ + Nₖ (or the stick-breaking
/// Beta pairs), and the Normal–Wishart βₖ = β₀ + Nₖ, mₖ = (β₀m₀ + Nₖx̄ₖ)/βₖ,
/// Wₖ⁻¹ = W₀⁻¹ + Sₖ + (β₀Nₖ/βₖ)(x̄ₖ − m₀)(x̄ₖ − m₀)ᵀ, νₖ = ν₀ + Nₖ (for diagonal and spherical forms the per-coordinate /
/// pooled analogues; for tied one shared W). <see cref="IGaussianUpdateRule.Apply"/> stores them (posterior-mean weights,
/// means and (νW)⁻¹ go into the parameters), and <see cref="IGaussianUpdateRule.TryRefresh"/> writes into the E-step's
/// fields the expectations the same fused log-joint kernel reads: <c>LogWeights</c> = E[ln πₖ],
/// <c>Factor</c> = the Cholesky factor of the precision νₖWₖ (through the form), <c>LogNorm</c> =
/// −(d/2) ln 2π + ½E[ln|Λₖ|] − d/(2βₖ), <c>Offsets</c> = whitened mₖ. The bound is computed after the M-step, from the
/// entropy of the responsibilities the M-step used, as the peer's loop does (its <c>lower_bound_</c> and its stopping test
/// are of that point, which the post-E-step objective cannot give); so the variational fit has its own small
/// <see cref="Em.IEmRun{TModel}"/> adapter (<c>VariationalBatchRun</c>, the counterpart of <c>GaussianBatchRun</c>) over
/// the same engine, E-step and driver, and <see cref="IGaussianUpdateRule.Objective"/> is not used.
/// </summary>
internal interface IVariationalGaussianUpdate : IGaussianUpdateRule
{
    /// <summary>
    /// Σᵢₖ wᵢ rᵢₖ ℓᵢₖ, where ℓ is the E-step's log-joint under the current (not yet updated) posterior <paramref name="p"/>
    /// and r the responsibilities that E-step gave, in closed form from <paramref name="statistics"/>. With the E-step's
    /// Σᵢ wᵢ log Σₖ exp ℓᵢₖ it gives the entropy of the responsibilities: −Σ r ln r = Σ lse − this.
    /// </summary>
    double ExpectedLogJoint(GaussianComponents p, MixtureStatistics statistics);

    /// <summary>
    /// The full evidence lower bound (every constant) and the peer's lower bound (scikit-learn's convention) of the
    /// posterior set by the last <see cref="IGaussianUpdateRule.Apply"/>/<see cref="IGaussianUpdateRule.TryRefresh"/>,
    /// with the responsibilities of entropy <paramref name="entropy"/> and total sample weight <paramref name="totalWeight"/>.
    /// </summary>
    (double Elbo, double PeerBound) Bounds(double entropy, double totalWeight);
}
