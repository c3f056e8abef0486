using LatentModels.Distributions;

namespace LatentModels.Variational;

/// <summary>
/// A fitted variational Bayesian Bernoulli mixture: q(π) = Dir(α) and q(θₖⱼ) = Beta(aₖⱼ, bₖⱼ) with
/// aₖⱼ = γ₀ + Σᵢ wᵢ rᵢₖ xᵢⱼ and bₖⱼ = γ₀ + Σᵢ wᵢ rᵢₖ (1 − xᵢⱼ).
/// </summary>
public sealed class VariationalBernoulliMixtureModel : VariationalDiscreteMixtureModel<IndependentBernoulli>
{
    internal VariationalBernoulliMixtureModel(DiscreteVariationalPosterior posterior, double elbo)
        : base(posterior, elbo, posterior.BernoulliMean(), posterior.BernoulliProxy())
    {
    }

    /// <summary>aₖⱼ, the Beta parameters of the "one" outcome (K × d, a copy).</summary>
    public double[,] BetaA => Outcome(1);

    /// <summary>bₖⱼ, the Beta parameters of the "zero" outcome (K × d, a copy).</summary>
    public double[,] BetaB => Outcome(0);

    private double[,] Outcome(int outcome)
    {
        int k = Components, d = Dimension;
        var result = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                result[c, j] = Posterior.Gamma[c * 2 * d + 2 * j + outcome];
            }
        }

        return result;
    }
}
