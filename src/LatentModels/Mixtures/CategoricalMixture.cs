using LatentModels.Distributions;

namespace LatentModels.Mixtures;

/// <summary>
/// Batch EM for a mixture of independent categorical vectors (each row holds d category codes, column j in [0, Cⱼ)):
/// <see cref="Mixture{TComponent}"/> with the <see cref="IndependentCategoricalFamily"/>.
/// </summary>
public sealed class CategoricalMixture : Mixture<IndependentCategorical>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="categoryCounts">The number of categories Cⱼ ≥ 1 of each column.</param>
    /// <param name="options">The settings (validated when fitting).</param>
    public CategoricalMixture(int[] categoryCounts, MixtureOptions options) : base(new IndependentCategoricalFamily(categoryCounts), options)
    {
    }
}
