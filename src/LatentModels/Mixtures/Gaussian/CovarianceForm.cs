using System.Globalization;
using System.Text.Json;
using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.UpdateRules;
using LatentModels.Persistence;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// One way of parameterising the covariances of a Gaussian mixture (full, diagonal, spherical, tied): everything that
/// depends on the covariance type lives in its form — the layout of the parameters and of the precision factors, the
/// factorisation (Cholesky of the precision, never an explicit inverse), the log-density of a block of rows through the
/// kernels, the parameter count, the expansion to a full matrix, the update from statistics under each rule, the
/// conjugate prior's density, and the JSON shape. <see cref="For"/> is the one place that switches on
/// <see cref="CovarianceType"/>. Forms are stateless singletons; the parameters live in <see cref="GaussianComponents"/>.
/// </summary>
internal abstract class CovarianceForm
{
    /// <summary>log 2π.</summary>
    protected const double Log2Pi = 1.8378770664093454835606594728112;

    /// <summary>The form of a covariance type: the only switch on <see cref="CovarianceType"/> in the library (besides the CLI's flag).</summary>
    public static CovarianceForm For(CovarianceType type) => type switch
    {
        CovarianceType.Full => FullCovariance.Instance,
        CovarianceType.Diagonal => DiagonalCovariance.Instance,
        CovarianceType.Spherical => SphericalCovariance.Instance,
        CovarianceType.Tied => TiedCovariance.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown covariance type."),
    };

    /// <summary>The public name of the form.</summary>
    public abstract CovarianceType Type { get; }

    /// <summary>Whether the statistics keep a full d × d scatter per component (else its d diagonal entries).</summary>
    public abstract bool FullScatter { get; }

    /// <summary>Whether the covariance is a full matrix (symmetric, positive definite; inverse-Wishart prior).</summary>
    public bool IsMatrix => FullScatter;

    /// <summary>Whether all components share one covariance (failures then name no component).</summary>
    public virtual bool Shared => false;

    /// <summary>Number of d × d matrices in the parameters (full K, tied 1), 0 for the forms kept as variances.</summary>
    public int MatrixCount(int components) => IsMatrix ? (Shared ? 1 : components) : 0;

    /// <summary>Length of the covariance parameters in scikit-learn's layout.</summary>
    public abstract int ParameterLength(int components, int dimension);

    /// <summary>Length of the precision factors.</summary>
    public abstract int FactorLength(int components, int dimension);

    /// <summary>Number of free covariance parameters (scikit-learn's count).</summary>
    public abstract int FreeParameters(int components, int dimension);

    /// <summary>
    /// Recomputes <c>Factor</c>, <c>LogNorm</c> and <c>Offsets</c> of <paramref name="p"/> from its means, covariances and
    /// shift. Returns false with the first component whose covariance is not positive definite (−1 when shared).
    /// </summary>
    public abstract bool TryFactor(GaussianComponents p, Span<double> scratch, out int failedComponent);

    /// <summary>
    /// Writes <paramref name="constant"/> + log 𝒩(xᵢ | μ_c, Σ_c) without the weight's and normaliser's share already in
    /// the constant, for the centered, transposed rows <paramref name="xt"/> (d × rows, row stride
    /// <paramref name="stride"/>) into <paramref name="destination"/>: one kernel call per component and block.
    /// </summary>
    public abstract void LogDensity(GaussianComponents p, int component, ReadOnlySpan<double> xt, int stride, int rows, double constant, Span<double> destination);

    /// <summary>Writes the full d × d covariance of a component into the cleared <paramref name="destination"/>.</summary>
    public abstract void Expand(ReadOnlySpan<double> covariance, int components, int dimension, int component, Span<double> destination);

    /// <summary>
    /// The variance of coordinate <paramref name="j"/> of component <paramref name="component"/> — for the forms that are not
    /// matrices (diagonal, spherical), read without expanding to d × d.
    /// </summary>
    public virtual double DiagonalVariance(ReadOnlySpan<double> covariance, int dimension, int component, int j) =>
        throw new NotSupportedException($"The {Type} form is a matrix; expand it instead.");

    /// <summary>
    /// Sets component <paramref name="component"/>'s covariance (all of it when shared) to the data's 1/W covariance,
    /// shaped for the form, plus <paramref name="jitter"/> on the diagonal ("first" start and re-seeding). The scatter is
    /// the d × d matrix for the matrix forms (<see cref="IsMatrix"/>) and its d diagonal entries for the others.
    /// </summary>
    public abstract void SetFromData(Span<double> covariance, int dimension, int component, ReadOnlySpan<double> dataScatter, double dataWeight, double jitter);

    /// <summary>Maximum-likelihood covariances from the statistics plus <paramref name="regularization"/> on the diagonal.</summary>
    public abstract void MaximumLikelihood(GaussianComponents p, MixtureStatistics s, double totalWeight, double regularization);

    /// <summary>The MAP covariances (posterior mode) from the statistics under the conjugate prior.</summary>
    public abstract void Map(GaussianComponents p, MixtureStatistics s, double totalWeight, ResolvedPrior prior);

    /// <summary>
    /// The normalising constant of the whole log-prior: <paramref name="logDirichlet"/> (the weights') plus those of the
    /// mean priors (<paramref name="logNormalMeans"/> each) and of the covariance priors.
    /// </summary>
    public abstract double PriorConstant(ResolvedPrior prior, double logDirichlet, double logNormalMeans);

    /// <summary>
    /// <paramref name="sum"/> plus log p(μ, Σ) of every component without its constants, added term by term (the prior's
    /// shift must equal the parameters').
    /// </summary>
    public abstract double PriorLogDensity(ResolvedPrior prior, GaussianComponents p, double sum);

    /// <summary>Writes the <c>"covariances"</c> field in scikit-learn's shape.</summary>
    public abstract void WriteCovariances(Utf8JsonWriter writer, ReadOnlySpan<double> covariance, int components, int dimension);

    /// <summary>Reads and checks (shape, symmetry) the <c>"covariances"</c> field into <paramref name="covariance"/>.</summary>
    public abstract void ReadCovariances(JsonElement root, Span<double> covariance, int components, int dimension);

    /// <summary>Factor P = L⁻ᵀ of Σ = LLᵀ into scratch[d²…2d²]; the log-determinant of P.</summary>
    protected static bool TryPrecisionFactor(ReadOnlySpan<double> covariance, int d, Span<double> scratch, out double logDetPrecision)
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

    /// <summary>Offsets of component c: (μ_c − shift)·P.</summary>
    protected static void WhitenMean(GaussianComponents g, int c, ReadOnlySpan<double> p)
    {
        int d = g.D;
        Span<double> o = g.Offsets.AsSpan(c * d, d);
        o.Clear();
        for (int a = 0; a < d; a++)
        {
            double m = g.Means[c * d + a] - g.Shift[a];
            ReadOnlySpan<double> row = p.Slice(a * d, d);
            for (int j = 0; j < d; j++)
            {
                o[j] += m * row[j];
            }
        }
    }

    /// <summary>Offsets of component c: μ_c − shift.</summary>
    protected static void CenterMean(GaussianComponents g, int c)
    {
        int d = g.D;
        for (int j = 0; j < d; j++)
        {
            g.Offsets[c * d + j] = g.Means[c * d + j] - g.Shift[j];
        }
    }

    /// <summary>log of the inverse-Wishart normaliser |Λ|^(ν/2) / (2^(νd/2) Γ_d(ν/2)).</summary>
    protected static double LogInverseWishartNormalizer(ResolvedPrior prior)
    {
        int d = prior.D;
        double nu = prior.Nu;
        var l = (double[])prior.Scale.Clone();
        Cholesky.TryFactor(l, d, out _);
        double logDetScale = Cholesky.LogDeterminant(l, d);
        return 0.5 * nu * logDetScale - 0.5 * nu * d * Math.Log(2) - LogMultivariateGamma(d, 0.5 * nu);
    }

    private static double LogMultivariateGamma(int d, double a)
    {
        double s = 0.25 * d * (d - 1) * Math.Log(Math.PI);
        for (int j = 0; j < d; j++)
        {
            s += MathNet.Numerics.SpecialFunctions.GammaLn(a - 0.5 * j);
        }

        return s;
    }

    /// <summary>
    /// The Normal–inverse-Wishart log-density of the components (full: one Σ per component; shared: one Σ for all, its
    /// inverse-Wishart term counted once) through the precision factors: log|Σ| = −2 log det P,
    /// (μ − μ₀)ᵀΣ⁻¹(μ − μ₀) = ‖(μ − μ₀)ᵀP‖², tr(ΛΣ⁻¹) = Σⱼ pⱼᵀΛpⱼ over the columns pⱼ of P.
    /// </summary>
    protected static double NormalInverseWishartLogDensity(ResolvedPrior prior, GaussianComponents p, double sum, bool shared, int factorStride)
    {
        int k = p.K, d = p.D;
        double s = sum;
        for (int c = 0; c < k; c++)
        {
            int col = shared ? 0 : c * d;
            double logDetSigma = -2 * (p.LogNorm[c] + 0.5 * d * Log2Pi);
            double quad = 0;
            for (int j = 0; j < d; j++)
            {
                double z = 0;
                for (int a = 0; a < d; a++)
                {
                    z += (p.Means[c * d + a] - p.Shift[a] - prior.CenteredMean[a]) * p.Factor[a * factorStride + col + j];
                }

                quad += z * z;
            }

            s += -0.5 * logDetSigma - 0.5 * prior.Kappa * quad;
            if (!shared || c == 0)
            {
                double trace = 0;
                for (int j = 0; j < d; j++)
                {
                    for (int a = 0; a < d; a++)
                    {
                        double pa = p.Factor[a * factorStride + col + j];
                        if (pa == 0)
                        {
                            continue;
                        }

                        for (int b = 0; b < d; b++)
                        {
                            trace += pa * prior.Scale[a * d + b] * p.Factor[b * factorStride + col + j];
                        }
                    }
                }

                s += -0.5 * (prior.Nu + d + 1) * logDetSigma - 0.5 * trace;
            }
        }

        return s;
    }

    /// <summary>
    /// The check every covariance parameter set of this form passes wherever it comes from (<c>GaussianMixtureModel.Create</c>
    /// or a model file), so a file never loads into a model <c>Create</c> refuses and vice versa: no positive variance
    /// whose reciprocal overflows (a subnormal variance). Returns the index of the first such value in
    /// <paramref name="covariance"/>, or −1.
    /// </summary>
    internal int FirstTinyVariance(ReadOnlySpan<double> covariance, int components, int dimension)
    {
        int d = dimension, count = IsMatrix ? MatrixCount(components) * d : covariance.Length;
        for (int i = 0; i < count; i++)
        {
            int at = IsMatrix ? ((i / d) * d * d) + ((i % d) * (d + 1)) : i;
            double v = covariance[at];
            if (v > 0 && !double.IsFinite(1 / v))
            {
                return at;
            }
        }

        return -1;
    }

    /// <summary>A d × d matrix from a row-major span.</summary>
    protected static double[,] ToMatrix(ReadOnlySpan<double> values, int rows, int columns)
    {
        var m = new double[rows, columns];
        values[..(rows * columns)].CopyTo(m.AsWritableSpan());
        return m;
    }

    /// <summary>Throws a <see cref="ModelFormatException"/> naming <paramref name="name"/> unless the matrix is symmetric (1e-10 relative).</summary>
    protected static void CheckSymmetric(double[,] m, string name)
    {
        int d = m.GetLength(0);
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b < a; b++)
            {
                double x = m[a, b], y = m[b, a];
                if (Math.Abs(x - y) > 1e-10 * (Math.Abs(x) + Math.Abs(y)) + double.Epsilon)
                {
                    throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture, $"The field '{name}' is not symmetric: [{a}][{b}] is {x:R} but [{b}][{a}] is {y:R}."));
                }
            }
        }
    }
}
