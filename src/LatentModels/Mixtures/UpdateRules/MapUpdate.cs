using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Mixtures.UpdateRules;

/// <summary>
/// MAP under the conjugate prior (<see cref="GaussianMixturePrior"/>): πₖ = (Nₖ + α − 1) / (N + K(α − 1)),
/// μₖ = (Nₖx̄ₖ + κμ₀) / (Nₖ + κ), covariances the posterior mode by the form; the objective adds log p(θ) / W.
/// </summary>
internal sealed class MapUpdate : IGaussianUpdateRule
{
    public MapUpdate(ResolvedPrior prior) => Prior = prior;

    public ResolvedPrior Prior { get; }

    public string ObjectiveName => "meanLogPosterior";

    public double Apply(GaussianComponents p, MixtureStatistics statistics)
    {
        int k = p.K, d = p.D;
        MixtureStatistics s = statistics;
        ResolvedPrior prior = Prior;
        double n = 0;
        for (int c = 0; c < k; c++)
        {
            n += s.Weight[c];
        }

        double alpha = prior.Alpha;
        double weightDenominator = n + k * (alpha - 1);
        double kappa = prior.Kappa;
        for (int c = 0; c < k; c++)
        {
            double nk = s.Weight[c];
            p.Weights[c] = (nk + alpha - 1) / weightDenominator;
            for (int j = 0; j < d; j++)
            {
                p.Means[c * d + j] = (nk * s.Mean[c * d + j] + kappa * prior.CenteredMean[j]) / (nk + kappa) + p.Shift[j];
            }
        }

        p.Form.Map(p, s, n, prior);
        return n;
    }

    public bool TryRefresh(GaussianComponents p, Span<double> scratch, out int failedComponent) => p.TryUpdate(scratch, out failedComponent);

    public double Objective(double meanLogLikelihood, GaussianComponents p, double totalWeight) =>
        meanLogLikelihood + Prior.LogDensity(p) / totalWeight;
}
