using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Mixtures.UpdateRules;

/// <summary>
/// Maximum likelihood: πₖ = Nₖ / N, μₖ = x̄ₖ, covariances from the scatters by the form, plus a regularisation on the
/// diagonal (scikit-learn's <c>reg_covar</c>).
/// </summary>
internal sealed class MaximumLikelihoodUpdate : IGaussianUpdateRule
{
    public MaximumLikelihoodUpdate(double regularization) => Regularization = regularization;

    public double Regularization { get; }

    public string ObjectiveName => "meanLogLikelihood";

    public double Apply(GaussianComponents p, MixtureStatistics statistics)
    {
        int k = p.K, d = p.D;
        MixtureStatistics s = statistics;
        double n = 0;
        for (int c = 0; c < k; c++)
        {
            n += s.Weight[c];
        }

        for (int c = 0; c < k; c++)
        {
            // (Nₖ + α − 1) / (N + K(α − 1)) at α = 1, written as the MAP rule writes it so the bits stay those of one formula.
            p.Weights[c] = (s.Weight[c] + 1.0 - 1) / n;
            for (int j = 0; j < d; j++)
            {
                p.Means[c * d + j] = s.Mean[c * d + j] + p.Shift[j];
            }
        }

        p.Form.MaximumLikelihood(p, s, n, Regularization);
        return n;
    }

    public bool TryRefresh(GaussianComponents p, Span<double> scratch, out int failedComponent) => p.TryUpdate(scratch, out failedComponent);

    public double Objective(double meanLogLikelihood, GaussianComponents p, double totalWeight) => meanLogLikelihood;
}
