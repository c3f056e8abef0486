using System.Numerics.Tensors;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// Cholesky factorisation A = L·Lᵀ of symmetric positive-definite matrices, triangular solves with the factor and the
/// log-determinant. Matrices are n × n, row-major, and only the lower triangle of the input is read.
/// </summary>
/// <remarks>
/// Factorisation never throws for a matrix that is not positive definite: it reports the first pivot that failed so
/// that callers can apply their own jitter policy (add ε·I and retry) or raise an error that names the culprit.
/// </remarks>
public static class Cholesky
{
    /// <summary>
    /// Factorises the SPD matrix <paramref name="a"/> in place: on success its lower triangle holds L (A = L·Lᵀ) and its
    /// strict upper triangle is zeroed. On failure the contents are unspecified.
    /// </summary>
    /// <param name="a">n × n, row-major; overwritten with L.</param>
    /// <param name="n">The order of the matrix.</param>
    /// <param name="failedPivot">−1 on success, otherwise the zero-based index of the first pivot that was not positive
    /// (or not finite).</param>
    /// <returns>Whether the matrix was (numerically) positive definite.</returns>
    public static bool TryFactor(Span<double> a, int n, out int failedPivot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (a.Length < n * n)
        {
            throw new ArgumentException($"The matrix needs {n * n} values but has {a.Length}.", nameof(a));
        }

        // Row-oriented (Cholesky–Crout) order: row i of L needs only rows 0..i of L, and each entry is a dot product
        // of two contiguous row prefixes, which TensorPrimitives vectorises.
        for (int i = 0; i < n; i++)
        {
            Span<double> rowI = a.Slice(i * n, n);
            for (int j = 0; j < i; j++)
            {
                ReadOnlySpan<double> rowJ = a.Slice(j * n, j);
                rowI[j] = (rowI[j] - TensorPrimitives.Dot(rowI[..j], rowJ)) / a[j * n + j];
            }

            double diagonal = rowI[i] - TensorPrimitives.Dot(rowI[..i], (ReadOnlySpan<double>)rowI[..i]);
            if (!(diagonal > 0) || !double.IsFinite(diagonal))
            {
                failedPivot = i;
                return false;
            }

            rowI[i] = Math.Sqrt(diagonal);
            rowI[(i + 1)..].Clear();
        }

        failedPivot = -1;
        return true;
    }

    /// <summary>Solves L·x = b in place (forward substitution) for a lower-triangular L with non-zero diagonal.</summary>
    /// <param name="l">n × n lower-triangular factor, row-major (the strict upper triangle is not read).</param>
    /// <param name="n">The order.</param>
    /// <param name="b">n values; overwritten with x.</param>
    public static void SolveLower(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        CheckFactor(l, n);
        if (b.Length < n)
        {
            throw new ArgumentException($"The right-hand side needs {n} values but has {b.Length}.", nameof(b));
        }

        for (int i = 0; i < n; i++)
        {
            b[i] = (b[i] - TensorPrimitives.Dot(l.Slice(i * n, i), (ReadOnlySpan<double>)b[..i])) / l[i * n + i];
        }
    }

    /// <summary>Solves Lᵀ·x = b in place (back substitution with the transpose of the lower factor).</summary>
    /// <param name="l">n × n lower-triangular factor, row-major.</param>
    /// <param name="n">The order.</param>
    /// <param name="b">n values; overwritten with x.</param>
    public static void SolveLowerTranspose(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        CheckFactor(l, n);
        if (b.Length < n)
        {
            throw new ArgumentException($"The right-hand side needs {n} values but has {b.Length}.", nameof(b));
        }

        // Column-oriented: once x[i] is known, remove its contribution from the rows above (row i of L, read forward).
        for (int i = n - 1; i >= 0; i--)
        {
            double xi = b[i] / l[i * n + i];
            b[i] = xi;
            ReadOnlySpan<double> row = l.Slice(i * n, i);
            for (int j = 0; j < i; j++)
            {
                b[j] -= row[j] * xi;
            }
        }
    }

    /// <summary>
    /// Solves L·X = B in place for m right-hand sides stored as the rows of B (B is m × n row-major; row r is one
    /// right-hand side). Equivalent to X = B·L⁻ᵀ, the whitening used by Gaussian log-densities.
    /// </summary>
    /// <param name="l">n × n lower-triangular factor, row-major.</param>
    /// <param name="n">The order.</param>
    /// <param name="b">m × n right-hand sides as rows; overwritten with the solutions.</param>
    /// <param name="m">Number of right-hand sides.</param>
    public static void SolveLowerRows(ReadOnlySpan<double> l, int n, Span<double> b, int m)
    {
        CheckFactor(l, n);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        if (b.Length < m * n)
        {
            throw new ArgumentException($"The right-hand sides need {m * n} values but have {b.Length}.", nameof(b));
        }

        for (int r = 0; r < m; r++)
        {
            SolveLower(l, n, b.Slice(r * n, n));
        }
    }

    /// <summary>
    /// Solves Lᵀ·X = B in place for m right-hand sides stored as the rows of B (m × n row-major).
    /// </summary>
    /// <param name="l">n × n lower-triangular factor, row-major.</param>
    /// <param name="n">The order.</param>
    /// <param name="b">m × n right-hand sides as rows; overwritten with the solutions.</param>
    /// <param name="m">Number of right-hand sides.</param>
    public static void SolveLowerTransposeRows(ReadOnlySpan<double> l, int n, Span<double> b, int m)
    {
        CheckFactor(l, n);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        if (b.Length < m * n)
        {
            throw new ArgumentException($"The right-hand sides need {m * n} values but have {b.Length}.", nameof(b));
        }

        for (int r = 0; r < m; r++)
        {
            SolveLowerTranspose(l, n, b.Slice(r * n, n));
        }
    }

    /// <summary>Solves A·x = b in place given the Cholesky factor L of A (A = L·Lᵀ).</summary>
    /// <param name="l">n × n lower-triangular factor, row-major.</param>
    /// <param name="n">The order.</param>
    /// <param name="b">n values; overwritten with x.</param>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        SolveLower(l, n, b);
        SolveLowerTranspose(l, n, b);
    }

    /// <summary>log det A = 2 Σ log Lᵢᵢ for A = L·Lᵀ.</summary>
    /// <param name="l">n × n lower-triangular factor, row-major.</param>
    /// <param name="n">The order.</param>
    public static double LogDeterminant(ReadOnlySpan<double> l, int n)
    {
        CheckFactor(l, n);
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += Math.Log(l[i * n + i]);
        }

        return 2 * s;
    }

    private static void CheckFactor(ReadOnlySpan<double> l, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (l.Length < n * n)
        {
            throw new ArgumentException($"The factor needs {n * n} values but has {l.Length}.", nameof(l));
        }
    }
}
