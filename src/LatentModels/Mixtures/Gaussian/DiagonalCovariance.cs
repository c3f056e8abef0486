using System.Text.Json;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.UpdateRules;
using LatentModels.Persistence;
using MathNet.Numerics;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// Diagonal covariances, d variances per component (K·d values and free parameters). Precision factors: K × d of 1/σ;
/// offsets μₖ − shift; statistics keep the diagonal of the scatters.
/// </summary>
internal sealed class DiagonalCovariance : CovarianceForm
{
    public static DiagonalCovariance Instance { get; } = new();

    private DiagonalCovariance()
    {
    }

    public override CovarianceType Type => CovarianceType.Diagonal;

    public override bool FullScatter => false;

    public override int ParameterLength(int components, int dimension) => components * dimension;

    public override int FactorLength(int components, int dimension) => components * dimension;

    public override int FreeParameters(int components, int dimension) => components * dimension;

    public override bool TryFactor(GaussianComponents p, Span<double> scratch, out int failedComponent)
    {
        int k = p.K, d = p.D;
        for (int c = 0; c < k; c++)
        {
            double logDet = 0;
            for (int j = 0; j < d; j++)
            {
                double v = p.Covariance[c * d + j];
                if (!(v > 0) || !double.IsFinite(v))
                {
                    failedComponent = c;
                    return false;
                }

                double precision = 1 / Math.Sqrt(v);
                p.Factor[c * d + j] = precision;
                logDet += Math.Log(precision);
            }

            p.LogNorm[c] = -0.5 * d * Log2Pi + logDet;
            CenterMean(p, c);
        }

        failedComponent = -1;
        return true;
    }

    public override void LogDensity(GaussianComponents p, int component, ReadOnlySpan<double> xt, int stride, int rows, double constant, Span<double> destination)
    {
        int d = p.D;
        TriangularWhitening.LogGaussianDiagonal(xt, stride, rows, d, p.Factor.AsSpan(component * d, d), p.Offsets.AsSpan(component * d, d), constant, destination);
    }

    public override void Expand(ReadOnlySpan<double> covariance, int components, int dimension, int component, Span<double> destination)
    {
        for (int j = 0; j < dimension; j++)
        {
            destination[j * dimension + j] = covariance[component * dimension + j];
        }
    }

    public override double DiagonalVariance(ReadOnlySpan<double> covariance, int dimension, int component, int j) => covariance[component * dimension + j];

    public override void SetFromData(Span<double> covariance, int dimension, int component, ReadOnlySpan<double> dataScatter, double dataWeight, double jitter)
    {
        int d = dimension;
        for (int j = 0; j < d; j++)
        {
            covariance[component * d + j] = dataScatter[j] / dataWeight + jitter;
        }
    }

    public override void MaximumLikelihood(GaussianComponents p, MixtureStatistics s, double totalWeight, double regularization)
    {
        int k = p.K, d = p.D;
        for (int c = 0; c < k; c++)
        {
            double nk = s.Weight[c];
            for (int j = 0; j < d; j++)
            {
                p.Covariance[c * d + j] = s.Scatter[c * d + j] / nk + regularization;
            }
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
            for (int j = 0; j < d; j++)
            {
                double delta = s.Mean[c * d + j] - m0[j];
                p.Covariance[c * d + j] = (prior.ScaleDiagonal[j] + s.Scatter[c * d + j] + shrink * delta * delta) / (prior.Nu + nk + 3);
            }
        }
    }

    public override double PriorConstant(ResolvedPrior prior, double logDirichlet, double logNormalMeans)
    {
        double a = 0.5 * prior.Nu, logInverseGamma = 0;
        for (int j = 0; j < prior.D; j++)
        {
            logInverseGamma += a * Math.Log(0.5 * prior.ScaleDiagonal[j]) - SpecialFunctions.GammaLn(a);
        }

        return logDirichlet + prior.K * (logNormalMeans + logInverseGamma);
    }

    public override double PriorLogDensity(ResolvedPrior prior, GaussianComponents p, double sum)
    {
        int k = p.K, d = p.D;
        double s = sum;
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                double v = p.Covariance[c * d + j];
                double z = p.Means[c * d + j] - p.Shift[j] - prior.CenteredMean[j];
                s += -0.5 * Math.Log(v) - 0.5 * prior.Kappa * z * z / v;
                s += -(0.5 * prior.Nu + 1) * Math.Log(v) - 0.5 * prior.ScaleDiagonal[j] / v;
            }
        }

        return s;
    }

    public override void WriteCovariances(Utf8JsonWriter writer, ReadOnlySpan<double> covariance, int components, int dimension) =>
        JsonFields.WriteMatrix(writer, "covariances", ToMatrix(covariance, components, dimension));

    public override void ReadCovariances(JsonElement root, Span<double> covariance, int components, int dimension) =>
        JsonFields.Matrix(root, "covariances", components, dimension).AsSpan().CopyTo(covariance);
}
