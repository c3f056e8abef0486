using LatentModels.LinearAlgebra;
using LatentModels.Mixtures.Gaussian;

namespace LatentModels.Mixtures;

/// <summary>
/// Conversions between covariances and precisions in scikit-learn's flattened layouts (full K·d·d, tied d·d, diagonal
/// K·d, spherical K), all through Cholesky factors: Σ = L·Lᵀ gives the precision factor U = L⁻ᵀ (upper triangular,
/// Σ⁻¹ = U·Uᵀ, scikit-learn's <c>precisions_cholesky_</c>), and an SPD matrix is inverted by Cholesky solves.
/// </summary>
internal static class GaussianPrecisions
{
    /// <summary>Number of d × d matrices of a covariance type (full K, tied 1), or 0 for the diagonal forms.</summary>
    private static int Matrices(CovarianceType type, int k) => CovarianceForm.For(type).MatrixCount(k);

    /// <summary>The precision Cholesky factors U (Σ⁻¹ = U·Uᵀ; 1/σ for the diagonal forms) of covariances in the same layout.</summary>
    /// <returns>False, with the offending matrix index (−1 for tied) or value index, when a covariance is not positive definite.</returns>
    public static bool TryCholeskyOfInverse(CovarianceType type, int k, int d, ReadOnlySpan<double> covariances, Span<double> destination, out int failed)
    {
        failed = -1;
        int matrices = Matrices(type, k);
        if (matrices == 0)
        {
            for (int i = 0; i < covariances.Length; i++)
            {
                if (!(covariances[i] > 0))
                {
                    failed = i;
                    return false;
                }

                destination[i] = 1 / Math.Sqrt(covariances[i]);
            }

            return true;
        }

        var l = new double[d * d];
        var column = new double[d];
        for (int m = 0; m < matrices; m++)
        {
            covariances.Slice(m * d * d, d * d).CopyTo(l);
            if (!Cholesky.TryFactor(l, d, out _))
            {
                failed = CovarianceForm.For(type).Shared ? -1 : m;
                return false;
            }

            // Column j of L⁻¹ solves L·x = eⱼ; U = (L⁻¹)ᵀ, so row j of U is that column.
            Span<double> u = destination.Slice(m * d * d, d * d);
            for (int j = 0; j < d; j++)
            {
                Array.Clear(column);
                column[j] = 1;
                Cholesky.SolveLower(l, d, column);
                column.CopyTo(u.Slice(j * d, d));
            }
        }

        return true;
    }

    /// <summary>The inverses of SPD matrices (or the reciprocals of positive values) in the same layout; symmetric to the last bit.</summary>
    /// <returns>False, with the offending matrix index (−1 for tied) or value index, when one is not positive definite.</returns>
    public static bool TryInvert(CovarianceType type, int k, int d, ReadOnlySpan<double> values, Span<double> destination, out int failed)
    {
        failed = -1;
        int matrices = Matrices(type, k);
        if (matrices == 0)
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (!(values[i] > 0) || !double.IsFinite(values[i]))
                {
                    failed = i;
                    return false;
                }

                destination[i] = 1 / values[i];
            }

            return true;
        }

        var l = new double[d * d];
        var column = new double[d];
        for (int m = 0; m < matrices; m++)
        {
            values.Slice(m * d * d, d * d).CopyTo(l);
            if (!Cholesky.TryFactor(l, d, out _))
            {
                failed = CovarianceForm.For(type).Shared ? -1 : m;
                return false;
            }

            Span<double> inverse = destination.Slice(m * d * d, d * d);
            for (int j = 0; j < d; j++)
            {
                Array.Clear(column);
                column[j] = 1;
                Cholesky.Solve(l, d, column);
                column.CopyTo(inverse.Slice(j * d, d));
            }

            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < a; b++)
                {
                    double mean = 0.5 * (inverse[a * d + b] + inverse[b * d + a]);
                    inverse[a * d + b] = mean;
                    inverse[b * d + a] = mean;
                }
            }
        }

        return true;
    }

    /// <summary>U·Uᵀ of upper-triangular factors (the precisions of their Cholesky factors); squares for the diagonal forms.</summary>
    public static void ProductOfFactors(CovarianceType type, int k, int d, ReadOnlySpan<double> factors, Span<double> destination)
    {
        int matrices = Matrices(type, k);
        if (matrices == 0)
        {
            for (int i = 0; i < factors.Length; i++)
            {
                destination[i] = factors[i] * factors[i];
            }

            return;
        }

        for (int m = 0; m < matrices; m++)
        {
            ReadOnlySpan<double> u = factors.Slice(m * d * d, d * d);
            Span<double> p = destination.Slice(m * d * d, d * d);
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    // (U·Uᵀ)[a, b] = Σ_c U[a, c]·U[b, c]; U is upper triangular, so c runs from max(a, b) = a.
                    double s = 0;
                    for (int c = a; c < d; c++)
                    {
                        s += u[a * d + c] * u[b * d + c];
                    }

                    p[a * d + b] = s;
                    p[b * d + a] = s;
                }
            }
        }
    }
}
