using LatentModels.Distributions;

namespace LatentModels.Mixtures;

/// <summary>
/// Batch EM for a mixture of independent-Bernoulli vectors over binary data (0/1 values), e.g. binarised images:
/// <see cref="Mixture{TComponent}"/> with the <see cref="IndependentBernoulliFamily"/>.
/// </summary>
public sealed class BernoulliMixture : Mixture<IndependentBernoulli>
{
    /// <summary>Creates the estimator.</summary>
    /// <param name="options">The settings (validated when fitting).</param>
    public BernoulliMixture(MixtureOptions options) : base(IndependentBernoulliFamily.Instance, options)
    {
    }

    /// <summary>A Bernoulli mixture from explicit parameters.</summary>
    /// <param name="weights">K mixing weights summing to 1.</param>
    /// <param name="probabilities">K × d success probabilities in [0, 1].</param>
    public static MixtureModel<IndependentBernoulli> CreateModel(double[] weights, double[,] probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        int k = probabilities.GetLength(0), d = probabilities.GetLength(1);
        var components = new IndependentBernoulli[k];
        for (int c = 0; c < k; c++)
        {
            components[c] = new IndependentBernoulli(probabilities.AsSpan().Slice(c * d, d).ToArray());
        }

        return new MixtureModel<IndependentBernoulli>(IndependentBernoulliFamily.Instance, weights, components);
    }
}
