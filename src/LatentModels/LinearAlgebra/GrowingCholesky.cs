using System.Runtime.InteropServices;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The Cholesky factor L (G_SS = L·Lᵀ) of the Gram matrix of a growing and shrinking active set, as LARS and OMP keep
/// it: append a row (one forward substitution), remove any row (Givens rotations restore the triangle), and solve
/// G_SS·w = b with the factor. L is n × n lower-triangular, row-major with row stride <c>stride</c> ≥ n, inside a
/// caller's buffer (no allocation).
/// </summary>
internal static class GrowingCholesky
{
    /// <summary>
    /// Appends row n: solves L·l = <paramref name="column"/> (the new variable's Gram entries with the n active ones)
    /// and sets the pivot √(<paramref name="diagonal"/> − ‖l‖²). Fails, leaving the factor of order n unchanged in
    /// meaning, when the pivot is not above <paramref name="minPivotSquared"/> (the new column is, numerically, in the
    /// span of the active ones).
    /// </summary>
    /// <param name="l">The factor's buffer.</param>
    /// <param name="stride">Its row stride.</param>
    /// <param name="n">The current order.</param>
    /// <param name="column">n values: G[S, j].</param>
    /// <param name="diagonal">G[j, j].</param>
    /// <param name="minPivotSquared">The smallest acceptable squared pivot.</param>
    /// <returns>Whether the row was appended (the order is then n + 1).</returns>
    public static bool TryAppend(Span<double> l, int stride, int n, ReadOnlySpan<double> column, double diagonal, double minPivotSquared)
    {
        Span<double> row = l.Slice(n * stride, n + 1);
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> li = l.Slice(i * stride, i);
            row[i] = (column[i] - RowReductions.Dot(li, row[..i])) / l[i * stride + i];
        }

        double pivot = diagonal - RowReductions.Dot(row[..n], row[..n]);
        if (!(pivot > minPivotSquared) || !double.IsFinite(pivot))
        {
            return false;
        }

        row[n] = Math.Sqrt(pivot);
        return true;
    }

    /// <summary>Solves L·Lᵀ·w = b in place (forward then backward substitution).</summary>
    /// <param name="l">The factor's buffer.</param>
    /// <param name="stride">Its row stride.</param>
    /// <param name="n">The order.</param>
    /// <param name="b">n values; overwritten with w.</param>
    public static void Solve(ReadOnlySpan<double> l, int stride, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            b[i] = (b[i] - RowReductions.Dot(l.Slice(i * stride, i), b[..i])) / l[i * stride + i];
        }

        ref double rl = ref MemoryMarshal.GetReference(l);
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int r = i + 1; r < n; r++)
            {
                s -= System.Runtime.CompilerServices.Unsafe.Add(ref rl, r * stride + i) * b[r];
            }

            b[i] = s / l[i * stride + i];
        }
    }

    /// <summary>
    /// Removes row and column <paramref name="index"/> of G_SS from its factor: the rows below move up one, and Givens
    /// rotations of neighbouring columns zero the superdiagonal this leaves, so the result is the factor of order n − 1
    /// (positive pivots).
    /// </summary>
    /// <param name="l">The factor's buffer.</param>
    /// <param name="stride">Its row stride.</param>
    /// <param name="n">The current order.</param>
    /// <param name="index">The row to remove.</param>
    public static void Remove(Span<double> l, int stride, int n, int index)
    {
        for (int r = index; r < n - 1; r++)
        {
            l.Slice((r + 1) * stride, r + 2).CopyTo(l.Slice(r * stride, r + 2));
        }

        for (int j = index; j < n - 1; j++)
        {
            double a = l[j * stride + j], b = l[j * stride + j + 1];
            double h = Math.Sqrt(a * a + b * b);
            double c = a / h, s = b / h;
            for (int r = j; r < n - 1; r++)
            {
                double x = l[r * stride + j], y = l[r * stride + j + 1];
                l[r * stride + j] = c * x + s * y;
                l[r * stride + j + 1] = -s * x + c * y;
            }

            l[j * stride + j] = h;
            l[j * stride + j + 1] = 0;
        }
    }
}
