using System.Text.Json;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.UpdateRules;
using LatentModels.Persistence;
using MathNet.Numerics;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// Spherical covariances σₖ²·I, one variance per component (K values and free parameters). Precision factors: K of 1/σ;
/// offsets μₖ − shift; statistics keep the diagonal of the scatters (the update reads their trace).
/// </summary>
internal sealed class SphericalCovariance : CovarianceForm
{
    public static SphericalCovariance Instance { get; } = new();

    private SphericalCovariance()
    {
    }

    public override CovarianceType Type => CovarianceType.Spherical;

    public override bool FullScatter => false;

    public override int ParameterLength(int components, int dimension) => components;

    public override int FactorLength(int components, int dimension) => components;

    public override int FreeParameters(int components, int dimension) => components;

    public override bool TryFactor(GaussianComponents p, Span<double> scratch, out int failedComponent)
    {
        int k = p.K, d = p.D;
        for (int c = 0; c < k; c++)
        {
            double v = p.Covariance[c];
            if (!(v > 0) || !double.IsFinite(v))
            {
                failedComponent = c;
                return false;
            }

            double precision = 1 / Math.Sqrt(v);
            p.Factor[c] = precision;
            p.LogNorm[c] = -0.5 * d * Log2Pi + d * Math.Log(precision);
            CenterMean(p, c);
        }

        failedComponent = -1;
        return true;
    }

    public override void LogDensity(GaussianComponents p, int component, ReadOnlySpan<double> xt, int stride, int rows, double constant, Span<double> destination)
    {
        int d = p.D;
        TriangularWhitening.LogGaussianSpherical(xt, stride, rows, d, p.Factor[component], p.Offsets.AsSpan(component * d, d), constant, destination);
    }

    public override void Expand(ReadOnlySpan<double> covariance, int components, int dimension, int component, Span<double> destination)
    {
        for (int j = 0; j < dimension; j++)
        {
            destination[j * dimension + j] = covariance[component];
        }
    }

    public override double DiagonalVariance(ReadOnlySpan<double> covariance, int dimension, int component, int j) => covariance[component];

    public override void SetFromData(Span<double> covariance, int dimension, int component, ReadOnlySpan<double> dataScatter, double dataWeight, double jitter) =>
        covariance[component] = MeanVariance(dataScatter, dimension, dataWeight) + jitter;

    /// <summary>The mean of the diagonal scatter (d values) / W.</summary>
    internal static double MeanVariance(ReadOnlySpan<double> scatter, int d, double weight)
    {
        double s = 0;
        for (int j = 0; j < d; j++)
        {
            s += scatter[j];
        }

        return s / (d * weight);
    }

    public override void MaximumLikelihood(GaussianComponents p, MixtureStatistics s, double totalWeight, double regularization)
    {
        int k = p.K, d = p.D;
        for (int c = 0; c < k; c++)
        {
            double trace = 0;
            for (int j = 0; j < d; j++)
            {
                trace += s.Scatter[c * d + j];
            }

            p.Covariance[c] = trace / (s.Weight[c] * d) + regularization;
        }
    }

    public override void Map(GaussianComponents p, MixtureStatistics s, double totalWeight, ResolvedPrior prior)
    {
        int k = p.K, d = p.D;
        ReadOnlySpan<double> m0 = prior.CenteredMean;
        for (int c = 0; c < k; c++)
        {
            double nk = s.Weight[c];
            double shrink = prior.Shrink(nk);
            double trace = 0, dist = 0;
            for (int j = 0; j < d; j++)
            {
                trace += s.Scatter[c * d + j];
                dist += (s.Mean[c * d + j] - m0[j]) * (s.Mean[c * d + j] - m0[j]);
            }

            p.Covariance[c] = (d * prior.ScaleMeanDiagonal + trace + shrink * dist) / (d * (prior.Nu + nk + 1) + 2);
        }
    }

    public override double PriorConstant(ResolvedPrior prior, double logDirichlet, double logNormalMeans)
    {
        int d = prior.D;
        double a = 0.5 * prior.Nu * d, b = 0.5 * d * prior.ScaleMeanDiagonal;
        return logDirichlet + prior.K * (logNormalMeans + a * Math.Log(b) - SpecialFunctions.GammaLn(a));
    }

    public override double PriorLogDensity(ResolvedPrior prior, GaussianComponents p, double sum)
    {
        int k = p.K, d = p.D;
        double s = sum;
        for (int c = 0; c < k; c++)
        {
            double v = p.Covariance[c];
            double quad = 0;
            for (int j = 0; j < d; j++)
            {
                double z = p.Means[c * d + j] - p.Shift[j] - prior.CenteredMean[j];
                quad += z * z;
            }

            s += -0.5 * d * Math.Log(v) - 0.5 * prior.Kappa * quad / v;
            s += -(0.5 * prior.Nu * d + 1) * Math.Log(v) - 0.5 * d * prior.ScaleMeanDiagonal / v;
        }

        return s;
    }

    public override void WriteCovariances(Utf8JsonWriter writer, ReadOnlySpan<double> covariance, int components, int dimension) =>
        JsonFields.WriteVector(writer, "covariances", covariance[..components]);

    public override void ReadCovariances(JsonElement root, Span<double> covariance, int components, int dimension) =>
        JsonFields.Vector(root, "covariances", components).CopyTo(covariance);
}
