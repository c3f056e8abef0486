using System.Text.Json;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.UpdateRules;
using LatentModels.Persistence;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// One full covariance shared by all components (d·d values, d(d+1)/2 free). Precision factor: one d × d P = L⁻ᵀ;
/// offsets (μₖ − shift)·P; statistics keep full per-component scatters, summed in the update.
/// </summary>
internal sealed class TiedCovariance : CovarianceForm
{
    public static TiedCovariance Instance { get; } = new();

    private TiedCovariance()
    {
    }

    public override CovarianceType Type => CovarianceType.Tied;

    public override bool FullScatter => true;

    public override bool Shared => true;

    public override int ParameterLength(int components, int dimension) => dimension * dimension;

    public override int FactorLength(int components, int dimension) => dimension * dimension;

    public override int FreeParameters(int components, int dimension) => dimension * (dimension + 1) / 2;

    public override bool TryFactor(GaussianComponents p, Span<double> scratch, out int failedComponent)
    {
        int k = p.K, d = p.D;
        if (!TryPrecisionFactor(p.Covariance, d, scratch, out double logDet))
        {
            failedComponent = -1;
            return false;
        }

        ReadOnlySpan<double> factor = scratch.Slice(d * d, d * d);
        factor.CopyTo(p.Factor);
        for (int c = 0; c < k; c++)
        {
            p.LogNorm[c] = -0.5 * d * Log2Pi + logDet;
            WhitenMean(p, c, factor);
        }

        failedComponent = -1;
        return true;
    }

    public override void LogDensity(GaussianComponents p, int component, ReadOnlySpan<double> xt, int stride, int rows, double constant, Span<double> destination)
    {
        int d = p.D;
        TriangularWhitening.LogGaussianUpper(xt, stride, rows, d, p.Factor, d, p.Offsets.AsSpan(component * d, d), constant, destination);
    }

    public override void Expand(ReadOnlySpan<double> covariance, int components, int dimension, int component, Span<double> destination) =>
        covariance[..(dimension * dimension)].CopyTo(destination);

    public override void SetFromData(Span<double> covariance, int dimension, int component, ReadOnlySpan<double> dataScatter, double dataWeight, double jitter) =>
        FullCovariance.SetMatrixFromData(covariance[..(dimension * dimension)], dimension, dataScatter, dataWeight, jitter);

    public override void MaximumLikelihood(GaussianComponents p, MixtureStatistics s, double totalWeight, double regularization)
    {
        int k = p.K, d = p.D;
        Span<double> tied = p.Covariance.AsSpan(0, d * d);
        tied.Clear();
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<double> scatter = s.Scatter.AsSpan(c * d * d, d * d);
            for (int i = 0; i < d * d; i++)
            {
                tied[i] += scatter[i];
            }
        }

        for (int i = 0; i < d * d; i++)
        {
            tied[i] /= totalWeight;
        }

        for (int j = 0; j < d; j++)
        {
            tied[j * d + j] += regularization;
        }
    }

    public override void Map(GaussianComponents p, MixtureStatistics s, double totalWeight, ResolvedPrior prior)
    {
        int k = p.K, d = p.D;
        ReadOnlySpan<double> m0 = prior.CenteredMean;
        Span<double> tied = p.Covariance.AsSpan(0, d * d);
        tied.Clear();
        for (int c = 0; c < k; c++)
        {
            double shrink = prior.Shrink(s.Weight[c]);
            ReadOnlySpan<double> m = s.Mean.AsSpan(c * d, d);
            ReadOnlySpan<double> scatter = s.Scatter.AsSpan(c * d * d, d * d);
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    tied[a * d + b] += scatter[a * d + b] + shrink * (m[a] - m0[a]) * (m[b] - m0[b]);
                }
            }
        }

        double denominator = prior.Nu + d + 1 + totalWeight + k;
        for (int i = 0; i < d * d; i++)
        {
            tied[i] = (prior.Scale[i] + tied[i]) / denominator;
        }
    }

    public override double PriorConstant(ResolvedPrior prior, double logDirichlet, double logNormalMeans) =>
        logDirichlet + prior.K * logNormalMeans + LogInverseWishartNormalizer(prior);

    public override double PriorLogDensity(ResolvedPrior prior, GaussianComponents p, double sum) =>
        NormalInverseWishartLogDensity(prior, p, sum, shared: true, factorStride: p.D);

    public override void WriteCovariances(Utf8JsonWriter writer, ReadOnlySpan<double> covariance, int components, int dimension) =>
        JsonFields.WriteMatrix(writer, "covariances", ToMatrix(covariance, dimension, dimension));

    public override void ReadCovariances(JsonElement root, Span<double> covariance, int components, int dimension)
    {
        double[,] tied = JsonFields.Matrix(root, "covariances", dimension, dimension);
        CheckSymmetric(tied, "covariances");
        tied.AsSpan().CopyTo(covariance);
    }
}
