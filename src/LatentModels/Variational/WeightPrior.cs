namespace LatentModels.Variational;

/// <summary>The prior of the mixing weights of a <see cref="VariationalGaussianMixture"/> (scikit-learn's <c>weight_concentration_prior_type</c>).</summary>
public enum WeightPrior
{
    /// <summary>A symmetric Dirichlet distribution Dir(α₀, …, α₀) (<c>dirichlet_distribution</c>).</summary>
    DirichletDistribution,

    /// <summary>
    /// A Dirichlet process truncated at K components by stick-breaking: vₖ ~ Beta(1, γ), πₖ = vₖ Πⱼ₍ⱼ₍ₖ₎ (1 − vⱼ)
    /// (<c>dirichlet_process</c>; as the peer, every one of the K sticks is a Beta variable).
    /// </summary>
    DirichletProcess,
}
