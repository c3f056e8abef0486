using LatentModels.Distributions;

namespace LatentModels.Variational;

/// <summary>
/// A fitted variational Bayesian categorical mixture: q(π) = Dir(α) and q(θₖⱼ) = Dir(γₖⱼ) with
/// γₖⱼq = γ₀ + Σᵢ wᵢ rᵢₖ [xᵢⱼ = q].
/// </summary>
public sealed class VariationalCategoricalMixtureModel : VariationalDiscreteMixtureModel<IndependentCategorical>
{
    internal VariationalCategoricalMixtureModel(DiscreteVariationalPosterior posterior, double elbo)
        : base(posterior, elbo, posterior.CategoricalMean(), posterior.CategoricalProxy())
    {
    }

    /// <summary>The number of outcomes Cⱼ of each variable.</summary>
    public IReadOnlyList<int> CategoryCounts => Posterior.CategoryCounts;

    /// <summary>γₖⱼq, the Dirichlet concentration of outcome <paramref name="outcome"/> of variable <paramref name="variable"/> in component <paramref name="component"/>.</summary>
    /// <param name="component">k in [0, K).</param>
    /// <param name="variable">j in [0, d).</param>
    /// <param name="outcome">q in [0, Cⱼ).</param>
    public double GetConcentration(int component, int variable, int outcome)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(component);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(component, Components);
        ArgumentOutOfRangeException.ThrowIfNegative(variable);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(variable, Dimension);
        ArgumentOutOfRangeException.ThrowIfNegative(outcome);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(outcome, Posterior.CategoryCounts[variable]);
        return Posterior.Gamma[component * Posterior.Offsets[^1] + Posterior.Offsets[variable] + outcome];
    }
}
