using LatentModels.LinearAlgebra;
using LatentModels.Mixtures;
using LatentModels.Statistics;
using LatentModels.Variational;

namespace LatentModels.Mixtures.Gaussian;

/// <summary>
/// The covariance-form-specific part of the variational update (the peer's <c>_estimate_wishart_*</c>): the shape of the
/// Wishart scale prior, the posterior scale from the statistics, the expected quadratic form of the E-step and
/// ln|W₀|. Everything else of the variational rule is the same for every form.
/// </summary>
internal abstract class VariationalShape
{
    /// <summary>The shape of a covariance type.</summary>
    public static VariationalShape For(CovarianceType type) => type switch
    {
        CovarianceType.Full => VariationalFullShape.Instance,
        CovarianceType.Tied => VariationalTiedShape.Instance,
        CovarianceType.Diagonal => VariationalDiagonalShape.Instance,
        _ => VariationalSphericalShape.Instance,
    };

    /// <summary>Whether one Wishart is shared by every component (tied).</summary>
    public virtual bool Shared => false;

    /// <summary>Length of the scale prior W₀⁻¹: d × d (full, tied), d (diagonal) or 1 (spherical).</summary>
    public abstract int PriorLength(int dimension);

    /// <summary>The peer's default W₀⁻¹: the data covariance (ddof 1), its diagonal, or the mean of its diagonal.</summary>
    public void DefaultPrior(WeightedMoments moments, int d, Span<double> prior)
    {
        double denominator = moments.Weight - 1;
        Shape(moments, d, denominator, prior);
    }

    /// <summary>
    /// Writes the data scatter / <paramref name="denominator"/> in this shape (the matrix shapes read the d × d scatter, the
    /// others only its diagonal, so <paramref name="moments"/> may keep only the diagonal for them).
    /// </summary>
    protected abstract void Shape(WeightedMoments moments, int d, double denominator, Span<double> prior);

    /// <summary>Whether the shape's default prior needs the data's d × d scatter (the matrix shapes) or only its diagonal.</summary>
    public virtual bool NeedsFullScatter => false;

    /// <summary>ln|W₀| of the scale prior W₀⁻¹ = <paramref name="prior"/> (as the d × d matrix it stands for); NaN if not positive definite.</summary>
    public abstract double LogDetW0(ReadOnlySpan<double> prior, int d);

    /// <summary>
    /// Writes (νₖWₖ)⁻¹ — the peer's <c>covariances_</c> — into <c>p.Covariance</c>, with Wₖ⁻¹ = W₀⁻¹ + Nₖ(Sₖ/Nₖ + reg·I) +
    /// (β₀Nₖ/βₖ)(x̄ₖ − m₀)(x̄ₖ − m₀)ᵀ in this shape.
    /// </summary>
    public abstract void Scale(VariationalGaussianUpdate rule, GaussianComponents p, MixtureStatistics s);

    /// <summary>Σᵢ wᵢ rᵢₖ ‖(xᵢ − μₖ) whitened by the current precision factor‖² of component <paramref name="c"/>, from the statistics.</summary>
    public abstract double Quadratic(GaussianComponents p, MixtureStatistics s, int c);

    /// <summary>x̄ₖ − m₀ (centred coordinates), or zeros for a component without weight.</summary>
    protected static void Difference(VariationalGaussianUpdate rule, MixtureStatistics s, int c, Span<double> diff)
    {
        int d = diff.Length;
        double nk = s.Weight[c];
        for (int j = 0; j < d; j++)
        {
            diff[j] = nk > 0 ? s.Mean[c * d + j] - rule.CenteredMeanPrior[j] : 0;
        }
    }

    /// <summary>ln|A| of a symmetric positive definite d × d matrix by Cholesky (NaN if not positive definite).</summary>
    protected static double LogDeterminant(ReadOnlySpan<double> a, int d)
    {
        var copy = a[..(d * d)].ToArray();
        return Cholesky.TryFactor(copy, d, out _) ? Cholesky.LogDeterminant(copy, d) : double.NaN;
    }
}
