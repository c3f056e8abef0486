using LatentModels.Mixtures;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// Diagonal covariances: per coordinate Wₖⱼ⁻¹ = W₀ⱼ⁻¹ + Sₖⱼ + Nₖ·reg + (β₀Nₖ/βₖ)(x̄ₖⱼ − m₀ⱼ)², one νₖ per component, and —
/// as the peer — E[ln|Λₖ|] of a d-dimensional Wishart (the peer's <c>_estimate_wishart_diag</c>).
/// </summary>
internal sealed class VariationalDiagonalShape : VariationalShape
{
    public static VariationalDiagonalShape Instance { get; } = new();

    private VariationalDiagonalShape()
    {
    }

    public override int PriorLength(int dimension) => dimension;

    protected override void Shape(WeightedMoments moments, int d, double denominator, Span<double> prior)
    {
        for (int j = 0; j < d; j++)
        {
            prior[j] = moments.DiagonalScatter(j) / denominator;
        }
    }

    public override double LogDetW0(ReadOnlySpan<double> prior, int d)
    {
        double s = 0;
        for (int j = 0; j < d; j++)
        {
            s -= Math.Log(prior[j]);
        }

        return prior[..d].ToArray().All(v => v > 0 && double.IsFinite(v)) ? s : double.NaN;
    }

    public override void Scale(VariationalGaussianUpdate rule, GaussianComponents p, MixtureStatistics s)
    {
        int k = p.K, d = p.D;
        Span<double> diff = stackalloc double[d];
        for (int c = 0; c < k; c++)
        {
            double nk = s.Weight[c];
            Difference(rule, s, c, diff);
            double shrink = nk * rule.MeanPrecisionPrior / rule.MeanPrecision[c];
            double nu = rule.DegreesOfFreedom[c];
            for (int j = 0; j < d; j++)
            {
                double sj = nk > 0 ? s.Scatter[c * d + j] : 0;
                p.Covariance[c * d + j] = (rule.CovariancePrior[j] + sj + nk * rule.Regularization + shrink * diff[j] * diff[j]) / nu;
            }
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

        double q = 0;
        for (int j = 0; j < d; j++)
        {
            double f = p.Factor[c * d + j], r = s.Mean[c * d + j] - p.Offsets[c * d + j];
            q += f * f * (s.Scatter[c * d + j] + nk * r * r);
        }

        return q;
    }
}
