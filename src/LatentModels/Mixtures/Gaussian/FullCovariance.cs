using System.Text.Json;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.UpdateRules;
using LatentModels.Persistence;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// Full covariances, one d × d matrix per component (K·d·d values, K·d(d+1)/2 free). Precision factors: d × (K·d) with
/// Pₖ = Lₖ⁻ᵀ (upper triangular) in columns k·d…; offsets (μₖ − shift)·Pₖ; statistics keep full scatters.
/// </summary>
internal sealed class FullCovariance : CovarianceForm
{
    public static FullCovariance Instance { get; } = new();

    private FullCovariance()
    {
    }

    public override CovarianceType Type => CovarianceType.Full;

    public override bool FullScatter => true;

    public override int ParameterLength(int components, int dimension) => components * dimension * dimension;

    public override int FactorLength(int components, int dimension) => dimension * components * dimension;

    public override int FreeParameters(int components, int dimension) => components * dimension * (dimension + 1) / 2;

    public override bool TryFactor(GaussianComponents p, Span<double> scratch, out int failedComponent)
    {
        int k = p.K, d = p.D;
        for (int c = 0; c < k; c++)
        {
            if (!TryPrecisionFactor(p.Covariance.AsSpan(c * d * d, d * d), d, scratch, out double logDet))
            {
                failedComponent = c;
                return false;
            }

            // scratch[d·d…] holds Pₖ (d × d, upper triangular); pack it into columns c·d… of Factor.
            ReadOnlySpan<double> factor = scratch.Slice(d * d, d * d);
            for (int a = 0; a < d; a++)
            {
                factor.Slice(a * d, d).CopyTo(p.Factor.AsSpan(a * k * d + c * d, d));
            }

            p.LogNorm[c] = -0.5 * d * Log2Pi + logDet;
            WhitenMean(p, c, factor);
        }

        failedComponent = -1;
        return true;
    }

    public override void LogDensity(GaussianComponents p, int component, ReadOnlySpan<double> xt, int stride, int rows, double constant, Span<double> destination)
    {
        int d = p.D;
        TriangularWhitening.LogGaussianUpper(xt, stride, rows, d, p.Factor.AsSpan(component * d), p.K * d, p.Offsets.AsSpan(component * d, d), constant, destination);
    }

    public override void Expand(ReadOnlySpan<double> covariance, int components, int dimension, int component, Span<double> destination) =>
        covariance.Slice(component * dimension * dimension, dimension * dimension).CopyTo(destination);

    public override void SetFromData(Span<double> covariance, int dimension, int component, ReadOnlySpan<double> dataScatter, double dataWeight, double jitter) =>
        SetMatrixFromData(covariance.Slice(component * dimension * dimension, dimension * dimension), dimension, dataScatter, dataWeight, jitter);

    /// <summary>cov = scatter / W plus the jitter on the diagonal.</summary>
    internal static void SetMatrixFromData(Span<double> cov, int d, ReadOnlySpan<double> scatter, double w, double jitter)
    {
        for (int i = 0; i < d * d; i++)
        {
            cov[i] = scatter[i] / w;
        }

        for (int j = 0; j < d; j++)
        {
            cov[j * d + j] += jitter;
        }
    }

    public override void MaximumLikelihood(GaussianComponents p, MixtureStatistics s, double totalWeight, double regularization)
    {
        int k = p.K, d = p.D;
        for (int c = 0; c < k; c++)
        {
            double nk = s.Weight[c];
            ReadOnlySpan<double> scatter = s.Scatter.AsSpan(c * d * d, d * d);
            Span<double> cov = p.Covariance.AsSpan(c * d * d, d * d);
            for (int i = 0; i < d * d; i++)
            {
                cov[i] = scatter[i] / nk;
            }

            for (int j = 0; j < d; j++)
            {
                cov[j * d + j] += regularization;
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
            ReadOnlySpan<double> m = s.Mean.AsSpan(c * d, d);
            ReadOnlySpan<double> scatter = s.Scatter.AsSpan(c * d * d, d * d);
            Span<double> cov = p.Covariance.AsSpan(c * d * d, d * d);
            double denominator = prior.Nu + nk + d + 2;
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    cov[a * d + b] = (prior.Scale[a * d + b] + scatter[a * d + b] + shrink * (m[a] - m0[a]) * (m[b] - m0[b])) / denominator;
                }
            }
        }
    }

    public override double PriorConstant(ResolvedPrior prior, double logDirichlet, double logNormalMeans) =>
        logDirichlet + prior.K * logNormalMeans + prior.K * LogInverseWishartNormalizer(prior);

    public override double PriorLogDensity(ResolvedPrior prior, GaussianComponents p, double sum) =>
        NormalInverseWishartLogDensity(prior, p, sum, shared: false, factorStride: p.K * p.D);

    public override void WriteCovariances(Utf8JsonWriter writer, ReadOnlySpan<double> covariance, int components, int dimension)
    {
        int d = dimension;
        var matrices = new double[components][,];
        for (int c = 0; c < components; c++)
        {
            matrices[c] = ToMatrix(covariance.Slice(c * d * d, d * d), d, d);
        }

        JsonFields.WriteMatrices(writer, "covariances", matrices);
    }

    public override void ReadCovariances(JsonElement root, Span<double> covariance, int components, int dimension)
    {
        int d = dimension;
        double[][,] matrices = JsonFields.Matrices(root, "covariances", components, d);
        for (int c = 0; c < components; c++)
        {
            CheckSymmetric(matrices[c], $"covariances[{c}]");
            matrices[c].AsSpan().CopyTo(covariance.Slice(c * d * d, d * d));
        }
    }
}
