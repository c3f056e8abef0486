using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    public static void SolveLowerRows(ReadOnlySpan<double> l, int n, Span<double> b, int m) =>
        SolveLowerRows(l, n, b, m, 0);

    /// <summary>
    /// As <see cref="SolveLowerRows(ReadOnlySpan{double}, int, Span{double}, int)"/>, with a thread cap. Rows are solved
    /// in vector groups (several right-hand sides per SIMD register), each row with the same arithmetic, so a row's
    /// result does not depend on its position or on the number of threads.
    /// </summary>
    /// <param name="l">n × n lower-triangular factor, row-major.</param>
    /// <param name="n">The order.</param>
    /// <param name="b">m × n right-hand sides as rows; overwritten with the solutions.</param>
    /// <param name="m">Number of right-hand sides.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    public static void SolveLowerRows(ReadOnlySpan<double> l, int n, Span<double> b, int m, int maxDegreeOfParallelism) =>
        SolveRows(l, n, b, m, transpose: false, maxDegreeOfParallelism);

    /// <summary>
    /// Solves Lᵀ·X = B in place for m right-hand sides stored as the rows of B (m × n row-major).
    /// </summary>
    /// <param name="l">n × n lower-triangular factor, row-major.</param>
    /// <param name="n">The order.</param>
    /// <param name="b">m × n right-hand sides as rows; overwritten with the solutions.</param>
    /// <param name="m">Number of right-hand sides.</param>
    public static void SolveLowerTransposeRows(ReadOnlySpan<double> l, int n, Span<double> b, int m) =>
        SolveLowerTransposeRows(l, n, b, m, 0);

    /// <summary>
    /// As <see cref="SolveLowerTransposeRows(ReadOnlySpan{double}, int, Span{double}, int)"/>, with a thread cap.
    /// </summary>
    /// <param name="l">n × n lower-triangular factor, row-major.</param>
    /// <param name="n">The order.</param>
    /// <param name="b">m × n right-hand sides as rows; overwritten with the solutions.</param>
    /// <param name="m">Number of right-hand sides.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    public static void SolveLowerTransposeRows(ReadOnlySpan<double> l, int n, Span<double> b, int m, int maxDegreeOfParallelism) =>
        SolveRows(l, n, b, m, transpose: true, maxDegreeOfParallelism);

    /// <summary>Right-hand sides solved together in one register group (four 256-bit registers of 4 rows).</summary>
    private const int Group = 16;

    /// <summary>Rows per parallel block.</summary>
    private const int RowBlock = 512;

    private static unsafe void SolveRows(ReadOnlySpan<double> l, int n, Span<double> b, int m, bool transpose, int maxDegreeOfParallelism)
    {
        CheckFactor(l, n);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        if (b.Length < (long)m * n)
        {
            throw new ArgumentException($"The right-hand sides need {(long)m * n} values but have {b.Length}.", nameof(b));
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        if (!Simd256<double>.IsHardwareAccelerated)
        {
            for (int r = 0; r < m; r++)
            {
                if (transpose)
                {
                    SolveLowerTranspose(l, n, b.Slice(r * n, n));
                }
                else
                {
                    SolveLower(l, n, b.Slice(r * n, n));
                }
            }

            return;
        }

        fixed (double* pl = l)
        fixed (double* pb = b)
        {
            var job = new RowsJob { L = pl, N = n, B = pb, M = m, Transpose = transpose };
            int dop = (long)m * n * n >= (1L << 18) ? maxDegreeOfParallelism : 1;
            ParallelBlocks.For(m, RowBlock, dop, job, static (j, _, r0, r1) => j.Block(r0, r1));
        }
    }

    private unsafe struct RowsJob
    {
        public double* L;
        public int N;
        public double* B;
        public int M;
        public bool Transpose;

        public readonly void Block(int r0, int r1)
        {
            int n = N;
            double[] pool = ArrayPool<double>.Shared.Rent((n * Group) + 8);
            fixed (double* raw = pool)
            {
                double* t = (double*)(((nint)raw + 63) & ~(nint)63);
                for (int g0 = r0; g0 < r1; g0 += Group)
                {
                    int h = Math.Min(Group, r1 - g0);

                    // Gather the group column-major (t[i·Group + r] = B[g0 + r, i]), zero-padding missing rows.
                    for (int r = 0; r < Group; r++)
                    {
                        double* src = B + ((nint)(g0 + r) * n);
                        if (r < h)
                        {
                            for (int i = 0; i < n; i++)
                            {
                                t[(i * Group) + r] = src[i];
                            }
                        }
                        else
                        {
                            for (int i = 0; i < n; i++)
                            {
                                t[(i * Group) + r] = 0;
                            }
                        }
                    }

                    if (Transpose)
                    {
                        BackGroup(L, n, t);
                    }
                    else
                    {
                        ForwardGroup(L, n, t);
                    }

                    for (int r = 0; r < h; r++)
                    {
                        double* dst = B + ((nint)(g0 + r) * n);
                        for (int i = 0; i < n; i++)
                        {
                            dst[i] = t[(i * Group) + r];
                        }
                    }
                }
            }

            ArrayPool<double>.Shared.Return(pool);
        }
    }

    /// <summary>Forward substitution on 16 column-major right-hand sides: xᵢ = (bᵢ − Σⱼ₍ⱼ₍ᵢ₎ Lᵢⱼ xⱼ) / Lᵢᵢ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void ForwardGroup(double* l, int n, double* t) => ForwardGroup<Vector256<double>, Simd256<double>>(l, n, t);

    /// <summary>Back substitution with Lᵀ on 16 column-major right-hand sides: xᵢ = (bᵢ − Σⱼ₍ⱼ₎ᵢ₎ Lⱼᵢ xⱼ) / Lᵢᵢ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void BackGroup(double* l, int n, double* t) => BackGroup<Vector256<double>, Simd256<double>>(l, n, t);

    /// <summary>
    /// Forward substitution on a group of 4·Count column-major right-hand sides (four registers per row of the group);
    /// every right-hand side goes through the same lane arithmetic, so the width only changes how many are solved at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardGroup<TVec, TOps>(double* l, int n, double* t)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int w = TOps.Count, group = 4 * w;
        for (int i = 0; i < n; i++)
        {
            ref double ti = ref *(t + (i * group));
            TVec a0 = TOps.Load(ref ti, 0), a1 = TOps.Load(ref ti, (nuint)w), a2 = TOps.Load(ref ti, (nuint)(2 * w)), a3 = TOps.Load(ref ti, (nuint)(3 * w));
            double* li = l + ((nint)i * n);
            for (int j = 0; j < i; j++)
            {
                TVec c = TOps.Create(li[j]);
                ref double tj = ref *(t + (j * group));
                a0 = TOps.MultiplySubtract(c, TOps.Load(ref tj, 0), a0);
                a1 = TOps.MultiplySubtract(c, TOps.Load(ref tj, (nuint)w), a1);
                a2 = TOps.MultiplySubtract(c, TOps.Load(ref tj, (nuint)(2 * w)), a2);
                a3 = TOps.MultiplySubtract(c, TOps.Load(ref tj, (nuint)(3 * w)), a3);
            }

            TVec d = TOps.Create(li[i]);
            TOps.Store(TOps.Divide(a0, d), ref ti, 0);
            TOps.Store(TOps.Divide(a1, d), ref ti, (nuint)w);
            TOps.Store(TOps.Divide(a2, d), ref ti, (nuint)(2 * w));
            TOps.Store(TOps.Divide(a3, d), ref ti, (nuint)(3 * w));
        }
    }

    /// <summary>Back substitution with Lᵀ on a group of 4·Count column-major right-hand sides.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BackGroup<TVec, TOps>(double* l, int n, double* t)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int w = TOps.Count, group = 4 * w;
        for (int i = n - 1; i >= 0; i--)
        {
            ref double ti = ref *(t + (i * group));
            TVec a0 = TOps.Load(ref ti, 0), a1 = TOps.Load(ref ti, (nuint)w), a2 = TOps.Load(ref ti, (nuint)(2 * w)), a3 = TOps.Load(ref ti, (nuint)(3 * w));
            for (int j = i + 1; j < n; j++)
            {
                TVec c = TOps.Create(l[((nint)j * n) + i]);
                ref double tj = ref *(t + (j * group));
                a0 = TOps.MultiplySubtract(c, TOps.Load(ref tj, 0), a0);
                a1 = TOps.MultiplySubtract(c, TOps.Load(ref tj, (nuint)w), a1);
                a2 = TOps.MultiplySubtract(c, TOps.Load(ref tj, (nuint)(2 * w)), a2);
                a3 = TOps.MultiplySubtract(c, TOps.Load(ref tj, (nuint)(3 * w)), a3);
            }

            TVec d = TOps.Create(l[((nint)i * n) + i]);
            TOps.Store(TOps.Divide(a0, d), ref ti, 0);
            TOps.Store(TOps.Divide(a1, d), ref ti, (nuint)w);
            TOps.Store(TOps.Divide(a2, d), ref ti, (nuint)(2 * w));
            TOps.Store(TOps.Divide(a3, d), ref ti, (nuint)(3 * w));
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
