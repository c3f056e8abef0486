using LatentModels.LinearAlgebra;

namespace LatentModels.Mixtures;

/// <summary>
/// The mutable parameter set of a Gaussian mixture (weights, means, covariances in scikit-learn's layout per type) and
/// everything derived from it for fast log-densities: the Cholesky factors of the precisions (Pₖ = Lₖ⁻ᵀ with
/// Σₖ = LₖLₖᵀ, a triangular inverse of the factor, never an inverse of the covariance), the normalising constants and
/// the whitened means. Rows are centerd on a fixed <see cref="Shift"/> before whitening so results do not depend on
/// where the data sit.
/// </summary>
internal sealed class GaussianComponents
{
    private const double Log2Pi = 1.8378770664093454835606594728112; // log 2π

    public GaussianComponents(CovarianceType type, int components, int dimension)
    {
        Type = type;
        K = components;
        D = dimension;
        Weights = new double[components];
        Means = new double[components * dimension];
        Covariance = new double[CovarianceLength(type, components, dimension)];
        Shift = new double[dimension];
        LogWeights = new double[components];
        LogNorm = new double[components];
        Factor = new double[type switch
        {
            CovarianceType.Full => dimension * components * dimension,
            CovarianceType.Tied => dimension * dimension,
            CovarianceType.Diagonal => components * dimension,
            _ => components,
        }];
        Offsets = new double[components * dimension];
    }

    public CovarianceType Type { get; }

    public int K { get; }

    public int D { get; }

    /// <summary>Mixing weights (K).</summary>
    public double[] Weights { get; }

    /// <summary>Means (K × d, row-major).</summary>
    public double[] Means { get; }

    /// <summary>Covariances: full K × d × d, tied d × d, diagonal K × d, spherical K.</summary>
    public double[] Covariance { get; }

    /// <summary>The point every row is centerd on before whitening.</summary>
    public double[] Shift { get; }

    public double[] LogWeights { get; }

    /// <summary>−d/2 log 2π + log det Pₖ per component.</summary>
    public double[] LogNorm { get; }

    /// <summary>Full: d × (K·d) with Pₖ in columns k·d…; tied: d × d; diagonal: K × d of 1/σ; spherical: K of 1/σ.</summary>
    public double[] Factor { get; }

    /// <summary>Full/tied: (μₖ − shift)·Pₖ; diagonal/spherical: μₖ − shift (K × d).</summary>
    public double[] Offsets { get; }

    public static int CovarianceLength(CovarianceType type, int components, int dimension) => type switch
    {
        CovarianceType.Full => components * dimension * dimension,
        CovarianceType.Tied => dimension * dimension,
        CovarianceType.Diagonal => components * dimension,
        CovarianceType.Spherical => components,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown covariance type."),
    };

    public GaussianComponents Clone()
    {
        var copy = new GaussianComponents(Type, K, D);
        CopyTo(copy);
        return copy;
    }

    public void CopyTo(GaussianComponents target)
    {
        Weights.CopyTo(target.Weights, 0);
        Means.CopyTo(target.Means, 0);
        Covariance.CopyTo(target.Covariance, 0);
        Shift.CopyTo(target.Shift, 0);
        LogWeights.CopyTo(target.LogWeights, 0);
        LogNorm.CopyTo(target.LogNorm, 0);
        Factor.CopyTo(target.Factor, 0);
        Offsets.CopyTo(target.Offsets, 0);
    }

    /// <summary>
    /// Recomputes the derived quantities from the weights, means, covariances and shift. Returns false with the first
    /// component whose covariance is not (numerically) positive definite (−1 for the shared tied covariance).
    /// </summary>
    public bool TryUpdate(Span<double> scratch, out int failedComponent)
    {
        int k = K, d = D;
        for (int c = 0; c < k; c++)
        {
            LogWeights[c] = Math.Log(Weights[c]);
        }

        switch (Type)
        {
            case CovarianceType.Full:
                for (int c = 0; c < k; c++)
                {
                    if (!TryPrecisionFactor(Covariance.AsSpan(c * d * d, d * d), d, scratch, out double logDet))
                    {
                        failedComponent = c;
                        return false;
                    }

                    // scratch[d·d…] holds Pₖ (d × d, upper triangular); pack it into columns c·d… of Factor.
                    ReadOnlySpan<double> p = scratch.Slice(d * d, d * d);
                    for (int a = 0; a < d; a++)
                    {
                        p.Slice(a * d, d).CopyTo(Factor.AsSpan(a * k * d + c * d, d));
                    }

                    LogNorm[c] = -0.5 * d * Log2Pi + logDet;
                    WhitenMean(c, p);
                }

                break;
            case CovarianceType.Tied:
                {
                    if (!TryPrecisionFactor(Covariance, d, scratch, out double logDet))
                    {
                        failedComponent = -1;
                        return false;
                    }

                    ReadOnlySpan<double> p = scratch.Slice(d * d, d * d);
                    p.CopyTo(Factor);
                    for (int c = 0; c < k; c++)
                    {
                        LogNorm[c] = -0.5 * d * Log2Pi + logDet;
                        WhitenMean(c, p);
                    }

                    break;
                }

            case CovarianceType.Diagonal:
                for (int c = 0; c < k; c++)
                {
                    double logDet = 0;
                    for (int j = 0; j < d; j++)
                    {
                        double v = Covariance[c * d + j];
                        if (!(v > 0) || !double.IsFinite(v))
                        {
                            failedComponent = c;
                            return false;
                        }

                        double p = 1 / Math.Sqrt(v);
                        Factor[c * d + j] = p;
                        logDet += Math.Log(p);
                    }

                    LogNorm[c] = -0.5 * d * Log2Pi + logDet;
                    CenterMean(c);
                }

                break;
            default:
                for (int c = 0; c < k; c++)
                {
                    double v = Covariance[c];
                    if (!(v > 0) || !double.IsFinite(v))
                    {
                        failedComponent = c;
                        return false;
                    }

                    double p = 1 / Math.Sqrt(v);
                    Factor[c] = p;
                    LogNorm[c] = -0.5 * d * Log2Pi + d * Math.Log(p);
                    CenterMean(c);
                }

                break;
        }

        failedComponent = -1;
        return true;
    }

    /// <summary>
    /// The M-step: weights, means (statistics' means are centerd on <see cref="Shift"/>) and covariances from the
    /// statistics — maximum likelihood plus <paramref name="regularization"/> on the diagonal, or the MAP update under
    /// <paramref name="prior"/>. Derived quantities are not updated (call <see cref="TryUpdate"/>). Returns Σₖ Nₖ.
    /// </summary>
    public double SetFromStatistics(MixtureStatistics statistics, double regularization, ResolvedPrior? prior)
    {
        int k = K, d = D;
        MixtureStatistics t = statistics;
        double n = 0;
        for (int c = 0; c < k; c++)
        {
            n += t.Weight[c];
        }

        double alpha = prior?.Alpha ?? 1.0;
        double weightDenominator = n + k * (alpha - 1);
        double reg = prior is null ? regularization : 0.0;
        int size = t.ScatterSize;
        Span<double> tied = Type == CovarianceType.Tied ? Covariance.AsSpan(0, d * d) : default;
        tied.Clear();
        for (int c = 0; c < k; c++)
        {
            double nk = t.Weight[c];
            Weights[c] = (nk + alpha - 1) / weightDenominator;
            ReadOnlySpan<double> m = t.Mean.AsSpan(c * d, d);
            ReadOnlySpan<double> s = t.Scatter.AsSpan(c * size, size);
            Span<double> mean = Means.AsSpan(c * d, d);
            double shrink = 0;
            if (prior is null)
            {
                for (int j = 0; j < d; j++)
                {
                    mean[j] = m[j] + Shift[j];
                }
            }
            else
            {
                double kappa = prior.Kappa;
                shrink = kappa * nk / (kappa + nk);
                for (int j = 0; j < d; j++)
                {
                    mean[j] = (nk * m[j] + kappa * prior.CenterdMean[j]) / (nk + kappa) + Shift[j];
                }
            }

            ReadOnlySpan<double> m0 = prior is null ? default : prior.CenterdMean;
            switch (Type)
            {
                case CovarianceType.Full:
                    {
                        Span<double> cov = Covariance.AsSpan(c * d * d, d * d);
                        if (prior is null)
                        {
                            for (int i = 0; i < d * d; i++)
                            {
                                cov[i] = s[i] / nk;
                            }
                        }
                        else
                        {
                            double denominator = prior.Nu + nk + d + 2;
                            for (int a = 0; a < d; a++)
                            {
                                for (int b = 0; b < d; b++)
                                {
                                    cov[a * d + b] = (prior.Scale[a * d + b] + s[a * d + b] + shrink * (m[a] - m0[a]) * (m[b] - m0[b])) / denominator;
                                }
                            }
                        }

                        for (int j = 0; j < d; j++)
                        {
                            cov[j * d + j] += reg;
                        }

                        break;
                    }

                case CovarianceType.Tied:
                    for (int a = 0; a < d; a++)
                    {
                        for (int b = 0; b < d; b++)
                        {
                            tied[a * d + b] += s[a * d + b] + (prior is null ? 0 : shrink * (m[a] - m0[a]) * (m[b] - m0[b]));
                        }
                    }

                    break;
                case CovarianceType.Diagonal:
                    for (int j = 0; j < d; j++)
                    {
                        Covariance[c * d + j] = prior is null
                            ? s[j] / nk + reg
                            : (prior.ScaleDiagonal[j] + s[j] + shrink * (m[j] - m0[j]) * (m[j] - m0[j])) / (prior.Nu + nk + 3);
                    }

                    break;
                default:
                    {
                        double trace = 0, dist = 0;
                        for (int j = 0; j < d; j++)
                        {
                            trace += s[j];
                            if (prior is not null)
                            {
                                dist += (m[j] - m0[j]) * (m[j] - m0[j]);
                            }
                        }

                        Covariance[c] = prior is null
                            ? trace / (nk * d) + reg
                            : (d * prior.ScaleMeanDiagonal + trace + shrink * dist) / (d * (prior.Nu + nk + 1) + 2);
                        break;
                    }
            }
        }

        if (Type == CovarianceType.Tied)
        {
            double denominator = prior is null ? n : prior.Nu + d + 1 + n + k;
            for (int i = 0; i < d * d; i++)
            {
                tied[i] = ((prior?.Scale[i] ?? 0) + tied[i]) / denominator;
            }

            for (int j = 0; j < d; j++)
            {
                tied[j * d + j] += reg;
            }
        }

        return n;
    }

    /// <summary>Scratch length <see cref="TryUpdate"/> needs.</summary>
    public int UpdateScratchLength => 2 * D * D;

    private static bool TryPrecisionFactor(ReadOnlySpan<double> covariance, int d, Span<double> scratch, out double logDetPrecision)
    {
        Span<double> l = scratch[..(d * d)];
        covariance.CopyTo(l);
        if (!Cholesky.TryFactor(l, d, out _))
        {
            logDetPrecision = 0;
            return false;
        }

        // P = L⁻ᵀ: solving L·x = eᵣ for every unit vector, stored as rows, gives the rows of (L⁻¹)ᵀ.
        Span<double> p = scratch.Slice(d * d, d * d);
        p.Clear();
        for (int r = 0; r < d; r++)
        {
            p[r * d + r] = 1;
        }

        Cholesky.SolveLowerRows(l, d, p, d);
        logDetPrecision = -0.5 * Cholesky.LogDeterminant(l, d);
        return double.IsFinite(logDetPrecision);
    }

    private void WhitenMean(int c, ReadOnlySpan<double> p)
    {
        int d = D;
        Span<double> o = Offsets.AsSpan(c * d, d);
        o.Clear();
        for (int a = 0; a < d; a++)
        {
            double m = Means[c * d + a] - Shift[a];
            ReadOnlySpan<double> row = p.Slice(a * d, d);
            for (int j = 0; j < d; j++)
            {
                o[j] += m * row[j];
            }
        }
    }

    private void CenterMean(int c)
    {
        for (int j = 0; j < D; j++)
        {
            Offsets[c * D + j] = Means[c * D + j] - Shift[j];
        }
    }

    /// <summary>
    /// Writes log πₖ + log 𝒩(xᵢ | μₖ, Σₖ) for the rows of the row-major block <paramref name="x"/> (rows × d) into
    /// <paramref name="destination"/>, component-major: entry (k, i) at k·<paramref name="stride"/> + i. Leaves the centerd,
    /// transposed rows (d × rows, row stride <paramref name="stride"/>) in <c>workspace.Centered</c>. The whitening
    /// (xᵢ − shift)·Pₖ − offsetₖ and its squared norm are fused per group of rows in registers (no d × K·d product is
    /// materialised); every loop runs along the rows, so it vectorises for any d and K.
    /// </summary>
    public void LogJoint(ReadOnlySpan<double> x, int rows, Span<double> destination, int stride, MixtureWorkspace workspace)
    {
        int k = K, d = D;
        Span<double> xt = workspace.Centered;
        CenterTranspose.Run(x, rows, d, Shift, xt, stride);
        for (int c = 0; c < k; c++)
        {
            Span<double> q = destination.Slice(c * stride, rows);
            double constant = LogWeights[c] + LogNorm[c];
            ReadOnlySpan<double> offsets = Offsets.AsSpan(c * d, d);
            switch (Type)
            {
                case CovarianceType.Full:
                    TriangularWhitening.LogGaussianUpper(xt, stride, rows, d, Factor.AsSpan(c * d), k * d, offsets, constant, q);
                    break;
                case CovarianceType.Tied:
                    TriangularWhitening.LogGaussianUpper(xt, stride, rows, d, Factor, d, offsets, constant, q);
                    break;
                case CovarianceType.Diagonal:
                    TriangularWhitening.LogGaussianDiagonal(xt, stride, rows, d, Factor.AsSpan(c * d, d), offsets, constant, q);
                    break;
                default:
                    TriangularWhitening.LogGaussianSpherical(xt, stride, rows, d, Factor[c], offsets, constant, q);
                    break;
            }
        }
    }

    /// <summary>The full d × d covariance of component <paramref name="component"/> (expanded from its type).</summary>
    public void ExpandCovariance(int component, Span<double> destination)
    {
        int d = D;
        destination[..(d * d)].Clear();
        switch (Type)
        {
            case CovarianceType.Full:
                Covariance.AsSpan(component * d * d, d * d).CopyTo(destination);
                break;
            case CovarianceType.Tied:
                Covariance.AsSpan(0, d * d).CopyTo(destination);
                break;
            case CovarianceType.Diagonal:
                for (int j = 0; j < d; j++)
                {
                    destination[j * d + j] = Covariance[component * d + j];
                }

                break;
            default:
                for (int j = 0; j < d; j++)
                {
                    destination[j * d + j] = Covariance[component];
                }

                break;
        }
    }
}

/// <summary>Per-thread scratch for one row block (component-major layouts): no allocation once a fit is running.</summary>
internal sealed class MixtureWorkspace
{
    public MixtureWorkspace(int blockSize, int components, int dimension)
    {
        BlockSize = blockSize;
        Centered = new double[blockSize * dimension];
        LogProb = new double[blockSize * components];
        LogNormalizer = new double[blockSize];
        Temp = new double[blockSize];
    }

    /// <summary>Rows per block; the row stride of every component-major buffer.</summary>
    public int BlockSize { get; }

    /// <summary>Centerd rows, transposed: d × BlockSize.</summary>
    public double[] Centered { get; }

    /// <summary>Log-joints, then responsibilities: K × BlockSize.</summary>
    public double[] LogProb { get; }

    public double[] LogNormalizer { get; }

    public double[] Temp { get; }
}
