using LatentModels.Mixtures;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// Spherical covariances: Wₖ⁻¹ = W₀⁻¹ + mean over coordinates of (Sₖⱼ + Nₖ·reg + (β₀Nₖ/βₖ)(x̄ₖⱼ − m₀ⱼ)²), one νₖ per
/// component, and — as the peer — E[ln|Λₖ|] of a d-dimensional Wishart (the peer's <c>_estimate_wishart_spherical</c>).
/// </summary>
internal sealed class VariationalSphericalShape : VariationalShape
{
    public static VariationalSphericalShape Instance { get; } = new();

    private VariationalSphericalShape()
    {
    }

    public override int PriorLength(int dimension) => 1;

    protected override void Shape(WeightedMoments moments, int d, double denominator, Span<double> prior)
    {
        double s = 0;
        for (int j = 0; j < d; j++)
        {
            s += moments.DiagonalScatter(j) / denominator;
        }

        prior[0] = s / d;
    }

    public override double LogDetW0(ReadOnlySpan<double> prior, int d) =>
        prior[0] > 0 && double.IsFinite(prior[0]) ? -d * Math.Log(prior[0]) : double.NaN;

    public override void Scale(VariationalGaussianUpdate rule, GaussianComponents p, MixtureStatistics s)
    {
        int k = p.K, d = p.D;
        Span<double> diff = stackalloc double[d];
        for (int c = 0; c < k; c++)
        {
            double nk = s.Weight[c];
            Difference(rule, s, c, diff);
            double shrink = nk * rule.MeanPrecisionPrior / rule.MeanPrecision[c];
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                double sj = nk > 0 ? s.Scatter[c * d + j] : 0;
                sum += sj + nk * rule.Regularization + shrink * diff[j] * diff[j];
            }

            p.Covariance[c] = (rule.CovariancePrior[0] + sum / d) / rule.DegreesOfFreedom[c];
        }
    }

    public override double Quadratic(GaussianComponents p, MixtureStatistics s, int c)
    {
        int d = p.D;
        double nk = s.Weight[c];
        if (!(nk > 0))
        {
            return 0;
        }

        double q = 0, f = p.Factor[c];
        for (int j = 0; j < d; j++)
        {
            double r = s.Mean[c * d + j] - p.Offsets[c * d + j];
            q += s.Scatter[c * d + j] + nk * r * r;
        }

        return f * f * q;
    }
}
