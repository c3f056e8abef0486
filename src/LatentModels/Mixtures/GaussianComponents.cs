using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Mixtures;

/// <summary>
/// The mutable parameter set of a Gaussian mixture (weights, means, covariances in scikit-learn's layout per type) and
/// everything derived from it for fast log-densities: the Cholesky factors of the precisions (Pₖ = Lₖ⁻ᵀ with
/// Σₖ = LₖLₖᵀ, a triangular inverse of the factor, never an inverse of the covariance), the normalising constants and
/// the whitened means. Rows are centered on a fixed <see cref="Shift"/> before whitening so results do not depend on
/// where the data sit.
/// </summary>
internal sealed class GaussianComponents
{
    public GaussianComponents(CovarianceType type, int components, int dimension)
    {
        Form = CovarianceForm.For(type);
        K = components;
        D = dimension;
        Weights = new double[components];
        Means = new double[components * dimension];
        Covariance = new double[Form.ParameterLength(components, dimension)];
        Shift = new double[dimension];
        LogWeights = new double[components];
        LogNorm = new double[components];
        Factor = new double[Form.FactorLength(components, dimension)];
        Offsets = new double[components * dimension];
    }

    /// <summary>The covariance form: everything that depends on the covariance type.</summary>
    public CovarianceForm Form { get; }

    public CovarianceType Type => Form.Type;

    public int K { get; }

    public int D { get; }

    /// <summary>Mixing weights (K).</summary>
    public double[] Weights { get; }

    /// <summary>Means (K × d, row-major).</summary>
    public double[] Means { get; }

    /// <summary>Covariances: full K × d × d, tied d × d, diagonal K × d, spherical K.</summary>
    public double[] Covariance { get; }

    /// <summary>The point every row is centered on before whitening.</summary>
    public double[] Shift { get; }

    public double[] LogWeights { get; }

    /// <summary>−d/2 log 2π + log det Pₖ per component.</summary>
    public double[] LogNorm { get; }

    /// <summary>Full: d × (K·d) with Pₖ in columns k·d…; tied: d × d; diagonal: K × d of 1/σ; spherical: K of 1/σ.</summary>
    public double[] Factor { get; }

    /// <summary>Full/tied: (μₖ − shift)·Pₖ; diagonal/spherical: μₖ − shift (K × d).</summary>
    public double[] Offsets { get; }

    public static int CovarianceLength(CovarianceType type, int components, int dimension) =>
        CovarianceForm.For(type).ParameterLength(components, dimension);

    /// <summary>
    /// The covariance values (and checks the K·d means) a mixture of this type and size holds, in 64-bit arithmetic: more
    /// than one array can hold is an <see cref="ArgumentException"/> on <paramref name="paramName"/> naming the sizes.
    /// </summary>
    public static int CheckedCovarianceLength(CovarianceType type, int components, int dimension, string paramName)
    {
        string what = $"A {type} mixture of {components} components in dimension {dimension}";
        ArraySizes.Product(components, dimension, paramName, what + " (its means)");
        CovarianceForm form = CovarianceForm.For(type);
        return form.IsMatrix
            ? ArraySizes.Product(form.Shared ? 1 : components, dimension, dimension, paramName, what + " (its covariances)")
            : form.ParameterLength(components, dimension);
    }

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
        for (int c = 0; c < K; c++)
        {
            LogWeights[c] = Math.Log(Weights[c]);
        }

        return Form.TryFactor(this, scratch, out failedComponent);
    }

    /// <summary>Scratch length <see cref="TryUpdate"/> needs: 2d² for the matrix forms (full, tied), none for diagonal and
    /// spherical, so a model with a diagonal covariance never costs d² (e.g. one loaded from a file of K·d values).</summary>
    public int UpdateScratchLength => Form.IsMatrix ? 2 * D * D : 0;

    /// <summary>
    /// Writes log πₖ + log 𝒩(xᵢ | μₖ, Σₖ) for the rows of the row-major block <paramref name="x"/> (rows × d) into
    /// <paramref name="destination"/>, component-major: entry (k, i) at k·<paramref name="stride"/> + i. Leaves the centered,
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
            Form.LogDensity(this, c, xt, stride, rows, constant, q);
        }
    }

    /// <summary>The full d × d covariance of component <paramref name="component"/> (expanded from its type).</summary>
    /// <summary>The variance of coordinate <paramref name="j"/> of component <paramref name="component"/> (diagonal and spherical forms).</summary>
    public double DiagonalVariance(int component, int j) => Form.DiagonalVariance(Covariance, D, component, j);

    public void ExpandCovariance(int component, Span<double> destination)
    {
        int d = D;
        destination[..(d * d)].Clear();
        Form.Expand(Covariance, K, d, component, destination);
    }
}
