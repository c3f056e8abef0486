using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Mixtures.UpdateRules;

/// <summary>
/// Maximum likelihood: πₖ = Nₖ / N, μₖ = x̄ₖ, covariances from the scatters by the form, plus a regularisation on the
/// diagonal (scikit-learn's <c>reg_covar</c>). Without a regularisation a fit over a data set passes the data's per-column
/// collapse floors (<see cref="CollapseCheck"/>), so a component collapsed onto duplicated points is reported the same way
/// for every covariance type; with one, the regularisation is the repair and bounds every variance below.
/// </summary>
internal sealed class MaximumLikelihoodUpdate : IGaussianUpdateRule
{
    private readonly double[]? _collapseFloor;

    /// <param name="regularization">Added to the covariances' diagonals.</param>
    /// <param name="collapseFloor">Per-column floors of the conditional variances (<see cref="CollapseCheck.Floors"/>), or null for none (a stream).</param>
    public MaximumLikelihoodUpdate(double regularization, double[]? collapseFloor = null)
    {
        Regularization = regularization;
        _collapseFloor = collapseFloor;
    }

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

    public bool TryRefresh(GaussianComponents p, Span<double> scratch, out int failedComponent) =>
        p.TryUpdate(scratch, out failedComponent) && !(_collapseFloor is not null && CollapseCheck.Collapsed(p, _collapseFloor, out failedComponent));

    public double Objective(double meanLogLikelihood, GaussianComponents p, double totalWeight) => meanLogLikelihood;
}
