using LatentModels.LinearAlgebra;
using LatentModels.Statistics;

namespace LatentModels.Mixtures;

/// <summary>
/// Responsibility-weighted sufficient statistics of every component (Nₖ, mean, scatter about the mean — full or
/// diagonal), plus the weighted log-likelihood sum and the worst-explained row of the rows they came from. Computed per
/// row block with two passes (means, then centered scatter) and merged across blocks with Chan's formula.
/// </summary>
internal sealed class MixtureStatistics
{
    public MixtureStatistics(int components, int dimension, bool fullScatter)
    {
        K = components;
        D = dimension;
        FullScatter = fullScatter;
        Weight = new double[components];
        Mean = new double[components * dimension];
        Scatter = new double[components * (fullScatter ? dimension * dimension : dimension)];
        Reset();
    }

    public int K { get; }

    public int D { get; }

    public bool FullScatter { get; }

    /// <summary>Nₖ = Σᵢ wᵢ γᵢₖ.</summary>
    public double[] Weight { get; }

    /// <summary>Responsibility-weighted means (K × d), in the coordinates the rows were given in.</summary>
    public double[] Mean { get; }

    /// <summary>Scatter about the mean: K × d × d (full) or K × d (diagonal).</summary>
    public double[] Scatter { get; }

    /// <summary>Σᵢ wᵢ log p(xᵢ).</summary>
    public double LogLikelihood { get; set; }

    /// <summary>Σᵢ wᵢ (sample weights).</summary>
    public double SampleWeight { get; set; }

    /// <summary>Index of the row with the smallest log-density (first on ties), −1 if none.</summary>
    public int WorstRow { get; set; }

    /// <summary>The smallest log-density seen.</summary>
    public double WorstValue { get; set; }

    public int ScatterSize => FullScatter ? D * D : D;

    public void Reset()
    {
        Array.Clear(Weight);
        Array.Clear(Mean);
        Array.Clear(Scatter);
        LogLikelihood = 0;
        SampleWeight = 0;
        WorstRow = -1;
        WorstValue = double.PositiveInfinity;
    }

    /// <summary>
    /// Overwrites these statistics with those of one block: centered rows transposed, <paramref name="xt"/> (d × rows),
    /// and weighted responsibilities <paramref name="resp"/> (K × rows, each already multiplied by its row's sample
    /// weight), both with row stride <paramref name="stride"/>. Two passes per component: the weight and the weighted
    /// sums of the coordinates (fused), then the scatter about the resulting mean — register-tiled 4 × 4 over the
    /// coordinate pairs for full scatter (<see cref="ScatterTiles.Full"/>).
    /// </summary>
    public void SetFromBlock(ReadOnlySpan<double> xt, ReadOnlySpan<double> resp, int rows, int stride, MixtureWorkspace workspace)
    {
        int k = K, d = D;
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<double> r = resp.Slice(c * stride, rows);
            Span<double> m = Mean.AsSpan(c * d, d);
            Span<double> s = Scatter.AsSpan(c * ScatterSize, ScatterSize);
            double w = ScatterTiles.WeightedSums(r, xt, stride, d, m);
            Weight[c] = w;
            if (!(w > 0))
            {
                m.Clear();
                s.Clear();
                continue;
            }

            for (int j = 0; j < d; j++)
            {
                m[j] /= w;
            }

            if (FullScatter)
            {
                ScatterTiles.Full(r, xt, stride, d, m, s);
            }
            else
            {
                ScatterTiles.Diagonal(r, xt, stride, d, m, s);
            }
        }
    }

    /// <summary>Merges <paramref name="other"/> into these statistics (Chan per component; sums; first worst row).</summary>
    public void Merge(MixtureStatistics other)
    {
        int d = D, size = ScatterSize;
        for (int c = 0; c < K; c++)
        {
            double w = Weight[c];
            MomentMath.Merge(ref w, Mean.AsSpan(c * d, d), Scatter.AsSpan(c * size, size),
                other.Weight[c], other.Mean.AsSpan(c * d, d), other.Scatter.AsSpan(c * size, size), FullScatter);
            Weight[c] = w;
        }

        LogLikelihood += other.LogLikelihood;
        SampleWeight += other.SampleWeight;
        if (other.WorstValue < WorstValue)
        {
            WorstValue = other.WorstValue;
            WorstRow = other.WorstRow;
        }
    }

    /// <summary>A deep copy (e.g. to restore a streaming estimator whose update was cancelled).</summary>
    public MixtureStatistics Clone()
    {
        var copy = new MixtureStatistics(K, D, FullScatter);
        CopyTo(copy);
        return copy;
    }

    public void CopyTo(MixtureStatistics target)
    {
        Weight.CopyTo(target.Weight, 0);
        Mean.CopyTo(target.Mean, 0);
        Scatter.CopyTo(target.Scatter, 0);
        target.LogLikelihood = LogLikelihood;
        target.SampleWeight = SampleWeight;
        target.WorstRow = WorstRow;
        target.WorstValue = WorstValue;
    }

    /// <summary>The statistics a total weight <paramref name="n"/> of points drawn from the mixture <paramref name="p"/> would have in expectation (means centered on its shift).</summary>
    public static MixtureStatistics Expected(GaussianComponents p, double n)
    {
        int k = p.K, d = p.D;
        bool full = p.Form.FullScatter;
        var s = new MixtureStatistics(k, d, full);
        // Only the matrix forms expand to d × d; diagonal and spherical read their variances (never d²).
        double[] cov = full ? new double[d * d] : [];
        for (int c = 0; c < k; c++)
        {
            double w = p.Weights[c] * n;
            s.Weight[c] = w;
            for (int j = 0; j < d; j++)
            {
                s.Mean[c * d + j] = p.Means[c * d + j] - p.Shift[j];
            }

            if (full)
            {
                p.ExpandCovariance(c, cov);
                for (int i = 0; i < d * d; i++)
                {
                    s.Scatter[c * d * d + i] = w * cov[i];
                }
            }
            else
            {
                for (int j = 0; j < d; j++)
                {
                    s.Scatter[c * d + j] = w * p.DiagonalVariance(c, j);
                }
            }
        }

        return s;
    }
}
