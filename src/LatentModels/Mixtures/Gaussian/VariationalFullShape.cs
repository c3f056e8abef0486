using LatentModels.Mixtures;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>Full covariances: one Wishart per component, scale prior d × d (the peer's <c>_estimate_wishart_full</c>).</summary>
internal sealed class VariationalFullShape : VariationalShape
{
    public static VariationalFullShape Instance { get; } = new();

    private VariationalFullShape()
    {
    }

    public override int PriorLength(int dimension) => dimension * dimension;

    public override bool NeedsFullScatter => true;

    protected override void Shape(WeightedMoments moments, int d, double denominator, Span<double> prior) =>
        DefaultShape(moments.ScatterSpan, d, denominator, prior);

    /// <summary>The d × d data covariance.</summary>
    internal void DefaultShape(ReadOnlySpan<double> scatter, int d, double denominator, Span<double> prior)
    {
        for (int i = 0; i < d * d; i++)
        {
            prior[i] = scatter[i] / denominator;
        }
    }

    public override double LogDetW0(ReadOnlySpan<double> prior, int d) => -LogDeterminant(prior, d);

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
            ReadOnlySpan<double> scatter = s.Scatter.AsSpan(c * d * d, d * d);
            Span<double> cov = p.Covariance.AsSpan(c * d * d, d * d);
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    double sab = nk > 0 ? scatter[a * d + b] : 0;
                    double v = rule.CovariancePrior[a * d + b] + sab + (a == b ? nk * rule.Regularization : 0) + shrink * diff[a] * diff[b];
                    cov[a * d + b] = v / nu;
                }
            }
        }
    }

    public override double Quadratic(GaussianComponents p, MixtureStatistics s, int c) =>
        MatrixQuadratic(p.Factor.AsSpan(c * p.D), p.K * p.D, p, s, c);

    /// <summary>tr(PᵀSP) + Nₖ‖x̄P − o‖² for the upper-triangular factor P (row a at <paramref name="factor"/>[a·stride…]).</summary>
    internal static double MatrixQuadratic(ReadOnlySpan<double> factor, int stride, GaussianComponents p, MixtureStatistics s, int c)
    {
        int d = p.D;
        double nk = s.Weight[c];
        if (!(nk > 0))
        {
            return 0;
        }

        ReadOnlySpan<double> scatter = s.Scatter.AsSpan(c * d * d, d * d);
        ReadOnlySpan<double> mean = s.Mean.AsSpan(c * d, d);
        ReadOnlySpan<double> offset = p.Offsets.AsSpan(c * d, d);
        double trace = 0, centre = 0;
        Span<double> column = stackalloc double[d];
        for (int b = 0; b < d; b++)
        {
            double whitenedMean = 0;
            for (int a = 0; a < d; a++)
            {
                column[a] = factor[a * stride + b];
                whitenedMean += mean[a] * column[a];
            }

            for (int a = 0; a < d; a++)
            {
                double row = 0;
                for (int e = 0; e < d; e++)
                {
                    row += scatter[a * d + e] * column[e];
                }

                trace += column[a] * row;
            }

            double r = whitenedMean - offset[b];
            centre += r * r;
        }

        return trace + nk * centre;
    }
}
