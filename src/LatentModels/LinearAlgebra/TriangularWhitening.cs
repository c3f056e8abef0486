using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// Gaussian log-densities of a transposed block (d × rows, one row of the buffer per coordinate, one column per data
/// row) through a whitening factor: q[i] = constant − ½‖(xᵢ)ᵀP − offset‖² with P upper triangular (full and tied
/// covariances), diagonal, or a multiple of the identity. Runs along the data rows, so it vectorises for any d.
/// </summary>
/// <remarks>
/// The group body is written once for every vector width; a row's value is the same sequence of lane operations
/// whichever width or position it is computed at (the last partial group goes through the four-wide code on a padded
/// copy), so results are bitwise independent of alignment and of the thread that computes a block.
/// </remarks>
internal static class TriangularWhitening
{
    /// <summary>The shape of the whitening factor.</summary>
    internal enum Form
    {
        /// <summary>Upper triangular P[a·ps + j] (zero below the diagonal).</summary>
        Upper,

        /// <summary>Diagonal scales p[j].</summary>
        Diagonal,

        /// <summary>One scale for every coordinate.</summary>
        Spherical,
    }

    /// <summary>
    /// q[i] = constant − ½‖(xᵢ)ᵀP − offset‖² for the rows of a transposed block <paramref name="xt"/> (d × rows, row
    /// stride <paramref name="stride"/>), with P upper triangular (P[a·ps + j], zero below the diagonal): the
    /// log-density of a Gaussian whose precision factor is P, plus a constant.
    /// </summary>
    /// <param name="xt">d × rows transposed block.</param>
    /// <param name="stride">Row stride of <paramref name="xt"/>.</param>
    /// <param name="rows">Number of data rows.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="p">Upper-triangular factor.</param>
    /// <param name="ps">Row stride of <paramref name="p"/>.</param>
    /// <param name="offsets">d offsets (the mean whitened by P).</param>
    /// <param name="constant">Added constant.</param>
    /// <param name="q">rows results.</param>
    public static void LogGaussianUpper(ReadOnlySpan<double> xt, int stride, int rows, int d, ReadOnlySpan<double> p, int ps,
        ReadOnlySpan<double> offsets, double constant, Span<double> q) =>
        LogGaussian(Form.Upper, xt, stride, rows, d, p, ps, 0, offsets, constant, q);

    /// <summary>q[i] = constant − ½ Σⱼ ((x[j, i] − offset[j])·scale[j])² (diagonal covariance).</summary>
    /// <param name="xt">d × rows transposed block.</param>
    /// <param name="stride">Row stride of <paramref name="xt"/>.</param>
    /// <param name="rows">Number of data rows.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="scale">d scales.</param>
    /// <param name="offsets">d offsets.</param>
    /// <param name="constant">Added constant.</param>
    /// <param name="q">rows results.</param>
    public static void LogGaussianDiagonal(ReadOnlySpan<double> xt, int stride, int rows, int d, ReadOnlySpan<double> scale,
        ReadOnlySpan<double> offsets, double constant, Span<double> q) =>
        LogGaussian(Form.Diagonal, xt, stride, rows, d, scale, 0, 0, offsets, constant, q);

    /// <summary>q[i] = constant − ½ Σⱼ ((x[j, i] − offset[j])·scale)² (spherical covariance).</summary>
    /// <param name="xt">d × rows transposed block.</param>
    /// <param name="stride">Row stride of <paramref name="xt"/>.</param>
    /// <param name="rows">Number of data rows.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="scale">The scale.</param>
    /// <param name="offsets">d offsets.</param>
    /// <param name="constant">Added constant.</param>
    /// <param name="q">rows results.</param>
    public static void LogGaussianSpherical(ReadOnlySpan<double> xt, int stride, int rows, int d, double scale,
        ReadOnlySpan<double> offsets, double constant, Span<double> q) =>
        LogGaussian(Form.Spherical, xt, stride, rows, d, default, 0, scale, offsets, constant, q);

    private static void LogGaussian(Form form, ReadOnlySpan<double> xt, int stride, int rows, int d, ReadOnlySpan<double> p, int ps,
        double scale, ReadOnlySpan<double> offsets, double constant, Span<double> q)
    {
        if (!Simd256<double>.IsHardwareAccelerated)
        {
            Check(xt, stride, rows, d, offsets, q);
            LogGaussianScalar(form, xt, stride, rows, d, p, ps, scale, offsets, constant, q);
        }
        else if (form == Form.Upper && Simd512<double>.IsHardwareAccelerated)
        {
            LogGaussian<Vector512<double>, Simd512<double>>(form, xt, stride, rows, d, p, ps, scale, offsets, constant, q);
        }
        else
        {
            LogGaussian<Vector256<double>, Simd256<double>>(form, xt, stride, rows, d, p, ps, scale, offsets, constant, q);
        }
    }

    /// <summary>
    /// The vector path with the widest vector forced (tests run every width): groups of <typeparamref name="TVec"/>, then
    /// groups of four, then the last rows through the four-wide code on a padded copy.
    /// </summary>
    /// <typeparam name="TVec">The widest register type to use.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    internal static void LogGaussian<TVec, TOps>(Form form, ReadOnlySpan<double> xt, int stride, int rows, int d, ReadOnlySpan<double> p, int ps,
        double scale, ReadOnlySpan<double> offsets, double constant, Span<double> q)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        Check(xt, stride, rows, d, offsets, q);
        if (rows == 0)
        {
            return;
        }

        ref double rx = ref MemoryMarshal.GetReference(xt);
        ref double rp = ref MemoryMarshal.GetReference(p);
        ref double ro = ref MemoryMarshal.GetReference(offsets);
        ref double rq = ref MemoryMarshal.GetReference(q);
        int i0 = 0;
        TVec cw = TOps.Create(constant), halfw = TOps.Create(0.5);
        for (; i0 <= rows - TOps.Count; i0 += TOps.Count)
        {
            TVec sum = QuadraticGroup<TVec, TOps>(form, ref Unsafe.Add(ref rx, i0), stride, d, ref rp, ps, scale, ref ro);
            TOps.Store(TOps.Subtract(cw, TOps.Multiply(halfw, sum)), ref rq, (nuint)i0);
        }

        Vector256<double> c = Simd256<double>.Create(constant), half = Simd256<double>.Create(0.5);
        for (; i0 <= rows - 4; i0 += 4)
        {
            Vector256<double> sum = QuadraticGroup<Vector256<double>, Simd256<double>>(form, ref Unsafe.Add(ref rx, i0), stride, d, ref rp, ps, scale, ref ro);
            Simd256<double>.Store(c - half * sum, ref rq, (nuint)i0);
        }

        if (i0 < rows)
        {
            // The last rows go through the same vector code on a padded copy: a row's bits never depend on its position.
            int tail = rows - i0;
            Span<double> pad = d <= 256 ? stackalloc double[4 * d] : new double[4 * d];
            pad.Clear();
            for (int a = 0; a < d; a++)
            {
                xt.Slice(a * stride + i0, tail).CopyTo(pad.Slice(a * 4, 4));
            }

            Vector256<double> sum = QuadraticGroup<Vector256<double>, Simd256<double>>(form, ref MemoryMarshal.GetReference(pad), 4, d, ref rp, ps, scale, ref ro);
            Vector256<double> result = c - half * sum;
            for (int t = 0; t < tail; t++)
            {
                q[i0 + t] = Simd256<double>.GetElement(result, t);
            }
        }
    }

    private static void Check(ReadOnlySpan<double> xt, int stride, int rows, int d, ReadOnlySpan<double> offsets, Span<double> q)
    {
        if (rows > 0 && (xt.Length < (d - 1) * stride + rows || q.Length < rows || offsets.Length < d))
        {
            throw new ArgumentException("The block does not hold d × rows values with the given stride.", nameof(xt));
        }
    }

    /// <summary>The squared norm of the whitened, offset coordinates of <c>TOps.Count</c> rows (columns of the transposed block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec QuadraticGroup<TVec, TOps>(Form form, ref double x, int stride, int d, ref double p, int ps, double scale, ref double offsets)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        TVec sum = TOps.Zero;
        switch (form)
        {
            case Form.Upper:
                for (int j = 0; j < d; j++)
                {
                    TVec y = TOps.Create(-Unsafe.Add(ref offsets, j));
                    for (int a = 0; a <= j; a++)
                    {
                        y = TOps.MultiplyAdd(TOps.Create(Unsafe.Add(ref p, a * ps + j)), TOps.Load(ref x, (nuint)(a * stride)), y);
                    }

                    sum = TOps.MultiplyAdd(y, y, sum);
                }

                break;
            case Form.Diagonal:
                for (int j = 0; j < d; j++)
                {
                    TVec y = TOps.Multiply(TOps.Subtract(TOps.Load(ref x, (nuint)(j * stride)), TOps.Create(Unsafe.Add(ref offsets, j))), TOps.Create(Unsafe.Add(ref p, j)));
                    sum = TOps.MultiplyAdd(y, y, sum);
                }

                break;
            default:
                {
                    TVec s = TOps.Create(scale);
                    for (int j = 0; j < d; j++)
                    {
                        TVec y = TOps.Multiply(TOps.Subtract(TOps.Load(ref x, (nuint)(j * stride)), TOps.Create(Unsafe.Add(ref offsets, j))), s);
                        sum = TOps.MultiplyAdd(y, y, sum);
                    }

                    break;
                }
        }

        return sum;
    }

    private static void LogGaussianScalar(Form form, ReadOnlySpan<double> xt, int stride, int rows, int d, ReadOnlySpan<double> p, int ps,
        double scale, ReadOnlySpan<double> offsets, double constant, Span<double> q)
    {
        for (int i = 0; i < rows; i++)
        {
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                double y;
                if (form == Form.Upper)
                {
                    y = -offsets[j];
                    for (int a = 0; a <= j; a++)
                    {
                        y += p[a * ps + j] * xt[a * stride + i];
                    }
                }
                else
                {
                    y = (xt[j * stride + i] - offsets[j]) * (form == Form.Diagonal ? p[j] : scale);
                }

                sum += y * y;
            }

            q[i] = constant - 0.5 * sum;
        }
    }
}
