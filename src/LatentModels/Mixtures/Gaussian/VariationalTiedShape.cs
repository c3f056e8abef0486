using LatentModels.Mixtures;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// Tied covariances: one Wishart shared by every component with ν = ν₀ + N/K and
/// W⁻¹ = W₀⁻¹ + (ΣₖSₖ)/K + (N/K)·reg·I + (β₀/K)Σₖ(Nₖ/βₖ)(x̄ₖ − m₀)(x̄ₖ − m₀)ᵀ (the peer's <c>_estimate_wishart_tied</c>).
/// </summary>
internal sealed class VariationalTiedShape : VariationalShape
{
    public static VariationalTiedShape Instance { get; } = new();

    private VariationalTiedShape()
    {
    }

    public override bool Shared => true;

    public override int PriorLength(int dimension) => dimension * dimension;

    public override bool NeedsFullScatter => true;

    protected override void Shape(WeightedMoments moments, int d, double denominator, Span<double> prior) =>
        VariationalFullShape.Instance.DefaultShape(moments.ScatterSpan, d, denominator, prior);

    public override double LogDetW0(ReadOnlySpan<double> prior, int d) => -LogDeterminant(prior, d);

    public override void Scale(VariationalGaussianUpdate rule, GaussianComponents p, MixtureStatistics s)
    {
        int k = p.K, d = p.D;
        double n = 0;
        for (int c = 0; c < k; c++)
        {
            n += s.Weight[c];
        }

        Span<double> cov = p.Covariance.AsSpan(0, d * d);
        for (int i = 0; i < d * d; i++)
        {
            cov[i] = rule.CovariancePrior[i];
        }

        Span<double> diff = stackalloc double[d];
        for (int c = 0; c < k; c++)
        {
            double nk = s.Weight[c];
            if (!(nk > 0))
            {
                continue;
            }

            Difference(rule, s, c, diff);
            double shrink = rule.MeanPrecisionPrior / k * nk / rule.MeanPrecision[c];
            ReadOnlySpan<double> scatter = s.Scatter.AsSpan(c * d * d, d * d);
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    cov[a * d + b] += scatter[a * d + b] / k + shrink * diff[a] * diff[b];
                }
            }
        }

        double nu = rule.DegreesOfFreedom[0];
        for (int a = 0; a < d; a++)
        {
            cov[a * d + a] += n / k * rule.Regularization;
        }

        for (int i = 0; i < d * d; i++)
        {
            cov[i] /= nu;
        }
    }

    public override double Quadratic(GaussianComponents p, MixtureStatistics s, int c) =>
        VariationalFullShape.MatrixQuadratic(p.Factor, p.D, p, s, c);
}
