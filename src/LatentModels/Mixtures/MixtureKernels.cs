using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LatentModels.LinearAlgebra;

namespace LatentModels.Mixtures;

/// <summary>
/// Small fused loops the mixture E- and M-steps need and the kernel does not offer. Blocks are held component-major
/// (one row of the buffer per component or coordinate, one column per data row), so every loop runs along the data rows
/// and vectorises for any d and K; reductions run in a fixed order, independent of alignment, so results are bitwise
/// reproducible whichever thread computes a block.
/// </summary>
internal static class MixtureKernels
{
    /// <summary>
    /// <see cref="CenterTranspose"/> for d a multiple of 4: 4 × 4 tiles transposed in registers (unpack and lane
    /// permutes, no arithmetic), then the shift subtracted — the same single rounding per element as the scalar form.
    /// </summary>
    private static void CenterTranspose4x4(ReadOnlySpan<double> x, int rows, int d, ReadOnlySpan<double> shift, Span<double> destination, int stride)
    {
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rd = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        for (; i <= rows - 4; i += 4)
        {
            ref double x0 = ref Unsafe.Add(ref rx, i * d);
            for (int j = 0; j < d; j += 4)
            {
                Vector256<double> r0 = Vector256.LoadUnsafe(ref x0, (nuint)j);
                Vector256<double> r1 = Vector256.LoadUnsafe(ref x0, (nuint)(d + j));
                Vector256<double> r2 = Vector256.LoadUnsafe(ref x0, (nuint)(2 * d + j));
                Vector256<double> r3 = Vector256.LoadUnsafe(ref x0, (nuint)(3 * d + j));
                Vector256<double> t0 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r0, r1);
                Vector256<double> t1 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r0, r1);
                Vector256<double> t2 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r2, r3);
                Vector256<double> t3 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r2, r3);
                (System.Runtime.Intrinsics.X86.Avx.Permute2x128(t0, t2, 0x20) - Vector256.Create(shift[j])).StoreUnsafe(ref rd, (nuint)(j * stride + i));
                (System.Runtime.Intrinsics.X86.Avx.Permute2x128(t1, t3, 0x20) - Vector256.Create(shift[j + 1])).StoreUnsafe(ref rd, (nuint)((j + 1) * stride + i));
                (System.Runtime.Intrinsics.X86.Avx.Permute2x128(t0, t2, 0x31) - Vector256.Create(shift[j + 2])).StoreUnsafe(ref rd, (nuint)((j + 2) * stride + i));
                (System.Runtime.Intrinsics.X86.Avx.Permute2x128(t1, t3, 0x31) - Vector256.Create(shift[j + 3])).StoreUnsafe(ref rd, (nuint)((j + 3) * stride + i));
            }
        }

        for (; i < rows; i++)
        {
            for (int j = 0; j < d; j++)
            {
                destination[j * stride + i] = x[i * d + j] - shift[j];
            }
        }
    }

    /// <summary>Σⱼ (aⱼ − bⱼ)².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int n = a.Length;
        int j = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 4)
        {
            ref double ra = ref MemoryMarshal.GetReference(a);
            ref double rb = ref MemoryMarshal.GetReference(b);
            Vector256<double> acc = Vector256<double>.Zero;
            for (; j <= n - 4; j += 4)
            {
                Vector256<double> diff = Vector256.LoadUnsafe(ref ra, (nuint)j) - Vector256.LoadUnsafe(ref rb, (nuint)j);
                acc += diff * diff;
            }

            s = Vector256.Sum(acc);
        }

        for (; j < n; j++)
        {
            double diff = a[j] - b[j];
            s += diff * diff;
        }

        return s;
    }

    /// <summary>Writes the centerd, transposed block: destination[j·stride + i] = x[i·d + j] − shift[j].</summary>
    public static void CenterTranspose(ReadOnlySpan<double> x, int rows, int d, ReadOnlySpan<double> shift, Span<double> destination, int stride)
    {
        if (System.Runtime.Intrinsics.X86.Avx.IsSupported && d % 4 == 0 && rows >= 4)
        {
            CenterTranspose4x4(x, rows, d, shift, destination, stride);
            return;
        }

        for (int j = 0; j < d; j++)
        {
            double s = shift[j];
            Span<double> dst = destination.Slice(j * stride, rows);
            for (int i = 0; i < rows; i++)
            {
                dst[i] = x[i * d + j] - s;
            }
        }
    }

    /// <summary>
    /// q[i] = constant − ½‖(xᵢ)ᵀP − offset‖² for the rows of a transposed block <paramref name="xt"/> (d × rows, row
    /// stride <paramref name="stride"/>), with P upper triangular (P[a·ps + j], zero below the diagonal): the
    /// log-density of a Gaussian whose precision factor is P, plus a constant.
    /// </summary>
    public static void LogGaussianUpper(ReadOnlySpan<double> xt, int stride, int rows, int d, ReadOnlySpan<double> p, int ps,
        ReadOnlySpan<double> offsets, double constant, Span<double> q) =>
        LogGaussian(QuadraticForm.Upper, xt, stride, rows, d, p, ps, 0, offsets, constant, q);

    /// <summary>q[i] = constant − ½ Σⱼ ((x[j, i] − offset[j])·scale[j])² (diagonal covariance).</summary>
    public static void LogGaussianDiagonal(ReadOnlySpan<double> xt, int stride, int rows, int d, ReadOnlySpan<double> scale,
        ReadOnlySpan<double> offsets, double constant, Span<double> q) =>
        LogGaussian(QuadraticForm.Diagonal, xt, stride, rows, d, scale, 0, 0, offsets, constant, q);

    /// <summary>q[i] = constant − ½ Σⱼ ((x[j, i] − offset[j])·scale)² (spherical covariance).</summary>
    public static void LogGaussianSpherical(ReadOnlySpan<double> xt, int stride, int rows, int d, double scale,
        ReadOnlySpan<double> offsets, double constant, Span<double> q) =>
        LogGaussian(QuadraticForm.Spherical, xt, stride, rows, d, default, 0, scale, offsets, constant, q);

    private enum QuadraticForm
    {
        Upper,
        Diagonal,
        Spherical,
    }

    private static void LogGaussian(QuadraticForm form, ReadOnlySpan<double> xt, int stride, int rows, int d, ReadOnlySpan<double> p, int ps,
        double scale, ReadOnlySpan<double> offsets, double constant, Span<double> q)
    {
        if (rows == 0)
        {
            return;
        }

        if (xt.Length < (d - 1) * stride + rows || q.Length < rows || offsets.Length < d)
        {
            throw new ArgumentException("The block does not hold d × rows values with the given stride.", nameof(xt));
        }

        if (!Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < rows; i++)
            {
                double sum = 0;
                for (int j = 0; j < d; j++)
                {
                    double y;
                    if (form == QuadraticForm.Upper)
                    {
                        y = -offsets[j];
                        for (int a = 0; a <= j; a++)
                        {
                            y += p[a * ps + j] * xt[a * stride + i];
                        }
                    }
                    else
                    {
                        y = (xt[j * stride + i] - offsets[j]) * (form == QuadraticForm.Diagonal ? p[j] : scale);
                    }

                    sum += y * y;
                }

                q[i] = constant - 0.5 * sum;
            }

            return;
        }

        ref double rx = ref MemoryMarshal.GetReference(xt);
        ref double rp = ref MemoryMarshal.GetReference(p);
        ref double ro = ref MemoryMarshal.GetReference(offsets);
        ref double rq = ref MemoryMarshal.GetReference(q);
        Vector256<double> c = Vector256.Create(constant), half = Vector256.Create(0.5);
        int i0 = 0;
        if (form == QuadraticForm.Upper && Vector512.IsHardwareAccelerated)
        {
            Vector512<double> c8 = Vector512.Create(constant), half8 = Vector512.Create(0.5);
            for (; i0 <= rows - 8; i0 += 8)
            {
                Vector512<double> sum = UpperGroup512(ref Unsafe.Add(ref rx, i0), stride, d, ref rp, ps, ref ro);
                (c8 - half8 * sum).StoreUnsafe(ref rq, (nuint)i0);
            }
        }

        for (; i0 <= rows - 4; i0 += 4)
        {
            Vector256<double> sum = QuadraticGroup(form, ref Unsafe.Add(ref rx, i0), stride, d, ref rp, ps, scale, ref ro);
            (c - half * sum).StoreUnsafe(ref rq, (nuint)i0);
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

            Vector256<double> sum = QuadraticGroup(form, ref MemoryMarshal.GetReference(pad), 4, d, ref rp, ps, scale, ref ro);
            Vector256<double> result = c - half * sum;
            for (int t = 0; t < tail; t++)
            {
                q[i0 + t] = result[t];
            }
        }
    }

    /// <summary>The eight-row (Vector512) form of the upper-triangular case of <see cref="QuadraticGroup"/>: same operations per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> UpperGroup512(ref double x, int stride, int d, ref double p, int ps, ref double offsets)
    {
        Vector512<double> sum = Vector512<double>.Zero;
        for (int j = 0; j < d; j++)
        {
            Vector512<double> y = Vector512.Create(-Unsafe.Add(ref offsets, j));
            for (int a = 0; a <= j; a++)
            {
                y = Fma(Vector512.Create(Unsafe.Add(ref p, a * ps + j)), Vector512.LoadUnsafe(ref x, (nuint)(a * stride)), y);
            }

            sum = Fma(y, y, sum);
        }

        return sum;
    }

    /// <summary>The squared norm of the whitened, offset coordinates of four rows (columns of the transposed block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> QuadraticGroup(QuadraticForm form, ref double x, int stride, int d, ref double p, int ps, double scale, ref double offsets)
    {
        Vector256<double> sum = Vector256<double>.Zero;
        switch (form)
        {
            case QuadraticForm.Upper:
                for (int j = 0; j < d; j++)
                {
                    Vector256<double> y = Vector256.Create(-Unsafe.Add(ref offsets, j));
                    for (int a = 0; a <= j; a++)
                    {
                        y = Fma(Vector256.Create(Unsafe.Add(ref p, a * ps + j)), Vector256.LoadUnsafe(ref x, (nuint)(a * stride)), y);
                    }

                    sum = Fma(y, y, sum);
                }

                break;
            case QuadraticForm.Diagonal:
                for (int j = 0; j < d; j++)
                {
                    Vector256<double> y = (Vector256.LoadUnsafe(ref x, (nuint)(j * stride)) - Vector256.Create(Unsafe.Add(ref offsets, j)))
                        * Vector256.Create(Unsafe.Add(ref p, j));
                    sum = Fma(y, y, sum);
                }

                break;
            default:
                {
                    Vector256<double> s = Vector256.Create(scale);
                    for (int j = 0; j < d; j++)
                    {
                        Vector256<double> y = (Vector256.LoadUnsafe(ref x, (nuint)(j * stride)) - Vector256.Create(Unsafe.Add(ref offsets, j))) * s;
                        sum = Fma(y, y, sum);
                    }

                    break;
                }
        }

        return sum;
    }

    /// <summary>
    /// Column-wise normalisation of a K × rows block of log-weights stored with row stride <paramref name="stride"/>
    /// (component-major): every column becomes exp(v − LSE) and its log-sum-exp goes to <paramref name="logNormalizers"/>.
    /// The column maximum is subtracted first. A column that is entirely −∞ gets LSE −∞ and zero probabilities.
    /// </summary>
    /// <remarks>
    /// One fused pass per group of four columns (maximum, exponentials and their sum, reciprocal scaling, logarithm of
    /// the sum) with the kernel's vectorised exp and log, so the block is read and written once. A partial group at the
    /// end goes through the same vector code on a padded copy, so a column's result never depends on where it sits.
    /// </remarks>
    public static void NormalizeColumns(Span<double> values, int k, int rows, int stride, Span<double> logNormalizers, Span<double> scratch)
    {
        if (k < 1 || rows < 0 || stride < rows || values.Length < (k - 1) * stride + rows || logNormalizers.Length < rows)
        {
            throw new ArgumentException("The block does not hold K × rows values with the given stride.", nameof(values));
        }

        if (!Vector256.IsHardwareAccelerated)
        {
            NormalizeColumnsScalar(values, k, rows, stride, logNormalizers);
            return;
        }

        ref double rv = ref MemoryMarshal.GetReference(values);
        ref double rl = ref MemoryMarshal.GetReference(logNormalizers);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= rows - 8; i += 8)
            {
                NormalizeGroup512(ref Unsafe.Add(ref rv, i), k, stride).StoreUnsafe(ref rl, (nuint)i);
            }
        }

        for (; i <= rows - 4; i += 4)
        {
            NormalizeGroup(ref Unsafe.Add(ref rv, i), k, stride).StoreUnsafe(ref rl, (nuint)i);
        }

        if (i < rows)
        {
            // Pad the last columns (copies of the block's values, finite padding) into the scratch, K × 4.
            int tail = rows - i;
            Span<double> pad = scratch.Length >= 4 * k ? scratch[..(4 * k)] : 4 * k <= 512 ? stackalloc double[4 * k] : new double[4 * k];
            pad.Clear();
            for (int c = 0; c < k; c++)
            {
                values.Slice(c * stride + i, tail).CopyTo(pad.Slice(c * 4, 4));
            }

            Vector256<double> lse = NormalizeGroup(ref MemoryMarshal.GetReference(pad), k, 4);
            for (int c = 0; c < k; c++)
            {
                pad.Slice(c * 4, tail).CopyTo(values.Slice(c * stride + i, tail));
            }

            for (int t = 0; t < tail; t++)
            {
                logNormalizers[i + t] = lse[t];
            }
        }
    }

    /// <summary>Normalises four columns in place (entries at c·stride + 0…3) and returns their log-sum-exp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> NormalizeGroup(ref double v, int k, int stride)
    {
        Vector256<double> max = Vector256.LoadUnsafe(ref v);
        for (int c = 1; c < k; c++)
        {
            max = Vector256.Max(max, Vector256.LoadUnsafe(ref v, (nuint)(c * stride)));
        }

        // Columns that are entirely −∞ are shifted by 0: every term clamps, flushes to 0, and the sum is 0.
        max = Vector256.ConditionalSelect(Vector256.Equals(max, Vector256.Create(double.NegativeInfinity)), Vector256<double>.Zero, max);
        Vector256<double> lo = Vector256.Create(ExpClamp), flush = Vector256.Create(FlushThreshold);
        Vector256<double> sum = Vector256<double>.Zero;
        for (int c = 0; c < k; c++)
        {
            Vector256<double> e = ElementwiseMath.ExpCore(Vector256.Max(Vector256.LoadUnsafe(ref v, (nuint)(c * stride)) - max, lo));
            e = Vector256.ConditionalSelect(Vector256.GreaterThan(e, flush), e, Vector256<double>.Zero);
            e.StoreUnsafe(ref v, (nuint)(c * stride));
            sum += e;
        }

        Vector256<double> positive = Vector256.GreaterThan(sum, Vector256<double>.Zero);
        Vector256<double> inverse = Vector256.ConditionalSelect(positive, Vector256<double>.One / sum, Vector256<double>.Zero);
        for (int c = 0; c < k; c++)
        {
            (Vector256.LoadUnsafe(ref v, (nuint)(c * stride)) * inverse).StoreUnsafe(ref v, (nuint)(c * stride));
        }

        return max + ElementwiseMath.Log(sum);
    }

    /// <summary>Normalises eight columns (same operations per column as the four-column form) in place (entries at c·stride + 0…7) and returns their log-sum-exp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> NormalizeGroup512(ref double v, int k, int stride)
    {
        Vector512<double> max = Vector512.LoadUnsafe(ref v);
        for (int c = 1; c < k; c++)
        {
            max = Vector512.Max(max, Vector512.LoadUnsafe(ref v, (nuint)(c * stride)));
        }

        // Columns that are entirely −∞ are shifted by 0: every term clamps, flushes to 0, and the sum is 0.
        max = Vector512.ConditionalSelect(Vector512.Equals(max, Vector512.Create(double.NegativeInfinity)), Vector512<double>.Zero, max);
        Vector512<double> lo = Vector512.Create(ExpClamp), flush = Vector512.Create(FlushThreshold);
        Vector512<double> sum = Vector512<double>.Zero;
        for (int c = 0; c < k; c++)
        {
            Vector512<double> e = ElementwiseMath.ExpCore(Vector512.Max(Vector512.LoadUnsafe(ref v, (nuint)(c * stride)) - max, lo));
            e = Vector512.ConditionalSelect(Vector512.GreaterThan(e, flush), e, Vector512<double>.Zero);
            e.StoreUnsafe(ref v, (nuint)(c * stride));
            sum += e;
        }

        Vector512<double> positive = Vector512.GreaterThan(sum, Vector512<double>.Zero);
        Vector512<double> inverse = Vector512.ConditionalSelect(positive, Vector512<double>.One / sum, Vector512<double>.Zero);
        for (int c = 0; c < k; c++)
        {
            (Vector512.LoadUnsafe(ref v, (nuint)(c * stride)) * inverse).StoreUnsafe(ref v, (nuint)(c * stride));
        }

        return max + ElementwiseMath.Log(sum);
    }

    private static void NormalizeColumnsScalar(Span<double> values, int k, int rows, int stride, Span<double> logNormalizers)
    {
        for (int i = 0; i < rows; i++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                max = Math.Max(max, values[c * stride + i]);
            }

            if (double.IsNegativeInfinity(max))
            {
                max = 0;
            }

            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                double e = Math.Exp(Math.Max(values[c * stride + i] - max, ExpClamp));
                e = e > FlushThreshold ? e : 0;
                values[c * stride + i] = e;
                sum += e;
            }

            double inverse = sum > 0 ? 1 / sum : 0;
            for (int c = 0; c < k; c++)
            {
                values[c * stride + i] *= inverse;
            }

            logNormalizers[i] = max + Math.Log(sum);
        }
    }

    /// <summary>
    /// Lower clamp for the shifted log-weights before <c>exp</c>: exp(−700) ≈ 1e-304, inside the range where the
    /// vectorised exponential needs no checks; the clamped terms are flushed to zero afterwards
    /// (<see cref="FlushThreshold"/>), which changes nothing at double precision since every column holds a term equal to 1.
    /// </summary>
    private const double ExpClamp = -700;

    /// <summary>Probabilities at or below this (≈ 2·exp(<see cref="ExpClamp"/>)) become exactly zero (no subnormals later).</summary>
    private const double FlushThreshold = 2e-304;

    /// <summary>Σᵢ xᵢ in a fixed order (independent of alignment).</summary>
    public static double Sum(ReadOnlySpan<double> x)
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref double rx = ref MemoryMarshal.GetReference(x);
            Vector256<double> a0 = default, a1 = default;
            for (; i <= n - 8; i += 8)
            {
                a0 += Vector256.LoadUnsafe(ref rx, (nuint)i);
                a1 += Vector256.LoadUnsafe(ref rx, (nuint)(i + 4));
            }

            s = Vector256.Sum(a0 + a1);
        }

        for (; i < n; i++)
        {
            s += x[i];
        }

        return s;
    }

    /// <summary>Σᵢ xᵢyᵢ in a fixed order (independent of alignment).</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref double rx = ref MemoryMarshal.GetReference(x);
            ref double ry = ref MemoryMarshal.GetReference(y);
            Vector256<double> a0 = default, a1 = default;
            for (; i <= n - 8; i += 8)
            {
                a0 = Fma(Vector256.LoadUnsafe(ref rx, (nuint)i), Vector256.LoadUnsafe(ref ry, (nuint)i), a0);
                a1 = Fma(Vector256.LoadUnsafe(ref rx, (nuint)(i + 4)), Vector256.LoadUnsafe(ref ry, (nuint)(i + 4)), a1);
            }

            s = Vector256.Sum(a0 + a1);
        }

        for (; i < n; i++)
        {
            s += x[i] * y[i];
        }

        return s;
    }

    /// <summary>
    /// Returns Σᵢ rᵢ and writes sums[a] = Σᵢ rᵢ·x[a, i] for the d rows of the transposed block <paramref name="xt"/>
    /// (row stride <paramref name="stride"/>); four coordinates per sweep over the rows, fixed summation order.
    /// </summary>
    public static double WeightedSums(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, int d, Span<double> sums)
    {
        int n = r.Length, a = 0;
        double w = Sum(r);
        if (Vector256.IsHardwareAccelerated && n >= 4)
        {
            int nv = n & ~3;
            ref double rr = ref MemoryMarshal.GetReference(r);
            ref double rx = ref MemoryMarshal.GetReference(xt);
            for (; a + 4 <= d; a += 4)
            {
                ref double x0 = ref Unsafe.Add(ref rx, a * stride);
                ref double x1 = ref Unsafe.Add(ref x0, stride);
                ref double x2 = ref Unsafe.Add(ref x1, stride);
                ref double x3 = ref Unsafe.Add(ref x2, stride);
                Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int i = 0; i < nv; i += 4)
                {
                    Vector256<double> rv = Vector256.LoadUnsafe(ref rr, (nuint)i);
                    s0 = Fma(rv, Vector256.LoadUnsafe(ref x0, (nuint)i), s0);
                    s1 = Fma(rv, Vector256.LoadUnsafe(ref x1, (nuint)i), s1);
                    s2 = Fma(rv, Vector256.LoadUnsafe(ref x2, (nuint)i), s2);
                    s3 = Fma(rv, Vector256.LoadUnsafe(ref x3, (nuint)i), s3);
                }

                double t0 = Vector256.Sum(s0), t1 = Vector256.Sum(s1), t2 = Vector256.Sum(s2), t3 = Vector256.Sum(s3);
                for (int i = nv; i < n; i++)
                {
                    t0 += r[i] * xt[a * stride + i];
                    t1 += r[i] * xt[(a + 1) * stride + i];
                    t2 += r[i] * xt[(a + 2) * stride + i];
                    t3 += r[i] * xt[(a + 3) * stride + i];
                }

                sums[a] = t0;
                sums[a + 1] = t1;
                sums[a + 2] = t2;
                sums[a + 3] = t3;
            }
        }

        for (; a < d; a++)
        {
            sums[a] = Dot(r, xt.Slice(a * stride, n));
        }

        return w;
    }

    /// <summary>
    /// Full scatter about <paramref name="mean"/>: s[a·d + b] = Σᵢ rᵢ (x[a, i] − mₐ)(x[b, i] − m_b), symmetric. Every
    /// 4 × 4 tile of coordinate pairs on or below the diagonal accumulates its 16 sums in registers in one sweep over
    /// the rows, forming the deviations on the fly (nothing is written back but the sums); fixed summation order.
    /// </summary>
    public static void Scatter(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, int d, ReadOnlySpan<double> mean, Span<double> s)
    {
        int n = r.Length;
        if (xt.Length < (d - 1) * stride + n || mean.Length < d || s.Length < d * d)
        {
            throw new ArgumentException("The block does not hold d × rows values with the given stride.", nameof(xt));
        }

        Span<double> tile = stackalloc double[16];
        Span<int> ca = stackalloc int[4];
        Span<int> cb = stackalloc int[4];
        for (int ta = 0; ta < d; ta += 4)
        {
            for (int tb = 0; tb <= ta; tb += 4)
            {
                // Coordinates past d repeat the last one; their sums are computed and dropped.
                for (int p = 0; p < 4; p++)
                {
                    ca[p] = Math.Min(ta + p, d - 1);
                    cb[p] = Math.Min(tb + p, d - 1);
                }

                ScatterTile(r, xt, stride, ca, cb, mean, tile);
                for (int p = 0; p < 4 && ta + p < d; p++)
                {
                    for (int q = 0; q < 4 && tb + q <= ta + p; q++)
                    {
                        int a = ta + p, b = tb + q;
                        s[a * d + b] = tile[p * 4 + q];
                        s[b * d + a] = tile[p * 4 + q];
                    }
                }
            }
        }
    }

    /// <summary>tile[p·4 + q] = Σᵢ rᵢ (x[ca[p], i] − m[ca[p]]) (x[cb[q], i] − m[cb[q]]): vector part, then the remaining rows.</summary>
    private static void ScatterTile(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, ReadOnlySpan<int> ca, ReadOnlySpan<int> cb,
        ReadOnlySpan<double> mean, Span<double> tile)
    {
        int n = r.Length, i = 0;
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double a0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(xt), ca[0] * stride);
        ref double a1 = ref Unsafe.Add(ref MemoryMarshal.GetReference(xt), ca[1] * stride);
        ref double a2 = ref Unsafe.Add(ref MemoryMarshal.GetReference(xt), ca[2] * stride);
        ref double a3 = ref Unsafe.Add(ref MemoryMarshal.GetReference(xt), ca[3] * stride);
        ref double b0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(xt), cb[0] * stride);
        ref double b1 = ref Unsafe.Add(ref MemoryMarshal.GetReference(xt), cb[1] * stride);
        ref double b2 = ref Unsafe.Add(ref MemoryMarshal.GetReference(xt), cb[2] * stride);
        ref double b3 = ref Unsafe.Add(ref MemoryMarshal.GetReference(xt), cb[3] * stride);
        double ma0 = mean[ca[0]], ma1 = mean[ca[1]], ma2 = mean[ca[2]], ma3 = mean[ca[3]];
        double mb0 = mean[cb[0]], mb1 = mean[cb[1]], mb2 = mean[cb[2]], mb3 = mean[cb[3]];
        tile.Clear();
        if (Vector512.IsHardwareAccelerated && n >= 8)
        {
            Vector512<double> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
            Vector512<double> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
            Vector512<double> vma0 = Vector512.Create(ma0), vma1 = Vector512.Create(ma1), vma2 = Vector512.Create(ma2), vma3 = Vector512.Create(ma3);
            Vector512<double> vmb0 = Vector512.Create(mb0), vmb1 = Vector512.Create(mb1), vmb2 = Vector512.Create(mb2), vmb3 = Vector512.Create(mb3);
            for (; i <= n - 8; i += 8)
            {
                Vector512<double> w = Vector512.LoadUnsafe(ref rr, (nuint)i);
                Vector512<double> v0 = Vector512.LoadUnsafe(ref b0, (nuint)i) - vmb0;
                Vector512<double> v1 = Vector512.LoadUnsafe(ref b1, (nuint)i) - vmb1;
                Vector512<double> v2 = Vector512.LoadUnsafe(ref b2, (nuint)i) - vmb2;
                Vector512<double> v3 = Vector512.LoadUnsafe(ref b3, (nuint)i) - vmb3;
                Vector512<double> u = w * (Vector512.LoadUnsafe(ref a0, (nuint)i) - vma0);
                c00 = Fma(u, v0, c00);
                c01 = Fma(u, v1, c01);
                c02 = Fma(u, v2, c02);
                c03 = Fma(u, v3, c03);
                u = w * (Vector512.LoadUnsafe(ref a1, (nuint)i) - vma1);
                c10 = Fma(u, v0, c10);
                c11 = Fma(u, v1, c11);
                c12 = Fma(u, v2, c12);
                c13 = Fma(u, v3, c13);
                u = w * (Vector512.LoadUnsafe(ref a2, (nuint)i) - vma2);
                c20 = Fma(u, v0, c20);
                c21 = Fma(u, v1, c21);
                c22 = Fma(u, v2, c22);
                c23 = Fma(u, v3, c23);
                u = w * (Vector512.LoadUnsafe(ref a3, (nuint)i) - vma3);
                c30 = Fma(u, v0, c30);
                c31 = Fma(u, v1, c31);
                c32 = Fma(u, v2, c32);
                c33 = Fma(u, v3, c33);
            }

            tile[0] = Vector512.Sum(c00);
            tile[1] = Vector512.Sum(c01);
            tile[2] = Vector512.Sum(c02);
            tile[3] = Vector512.Sum(c03);
            tile[4] = Vector512.Sum(c10);
            tile[5] = Vector512.Sum(c11);
            tile[6] = Vector512.Sum(c12);
            tile[7] = Vector512.Sum(c13);
            tile[8] = Vector512.Sum(c20);
            tile[9] = Vector512.Sum(c21);
            tile[10] = Vector512.Sum(c22);
            tile[11] = Vector512.Sum(c23);
            tile[12] = Vector512.Sum(c30);
            tile[13] = Vector512.Sum(c31);
            tile[14] = Vector512.Sum(c32);
            tile[15] = Vector512.Sum(c33);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 4)
        {
            Vector256<double> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
            Vector256<double> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
            for (; i <= n - 4; i += 4)
            {
                Vector256<double> w = Vector256.LoadUnsafe(ref rr, (nuint)i);
                Vector256<double> v0 = Vector256.LoadUnsafe(ref b0, (nuint)i) - Vector256.Create(mb0);
                Vector256<double> v1 = Vector256.LoadUnsafe(ref b1, (nuint)i) - Vector256.Create(mb1);
                Vector256<double> v2 = Vector256.LoadUnsafe(ref b2, (nuint)i) - Vector256.Create(mb2);
                Vector256<double> v3 = Vector256.LoadUnsafe(ref b3, (nuint)i) - Vector256.Create(mb3);
                Vector256<double> u = w * (Vector256.LoadUnsafe(ref a0, (nuint)i) - Vector256.Create(ma0));
                c00 = Fma(u, v0, c00);
                c01 = Fma(u, v1, c01);
                c02 = Fma(u, v2, c02);
                c03 = Fma(u, v3, c03);
                u = w * (Vector256.LoadUnsafe(ref a1, (nuint)i) - Vector256.Create(ma1));
                c10 = Fma(u, v0, c10);
                c11 = Fma(u, v1, c11);
                c12 = Fma(u, v2, c12);
                c13 = Fma(u, v3, c13);
                u = w * (Vector256.LoadUnsafe(ref a2, (nuint)i) - Vector256.Create(ma2));
                c20 = Fma(u, v0, c20);
                c21 = Fma(u, v1, c21);
                c22 = Fma(u, v2, c22);
                c23 = Fma(u, v3, c23);
                u = w * (Vector256.LoadUnsafe(ref a3, (nuint)i) - Vector256.Create(ma3));
                c30 = Fma(u, v0, c30);
                c31 = Fma(u, v1, c31);
                c32 = Fma(u, v2, c32);
                c33 = Fma(u, v3, c33);
            }

            tile[0] = Vector256.Sum(c00);
            tile[1] = Vector256.Sum(c01);
            tile[2] = Vector256.Sum(c02);
            tile[3] = Vector256.Sum(c03);
            tile[4] = Vector256.Sum(c10);
            tile[5] = Vector256.Sum(c11);
            tile[6] = Vector256.Sum(c12);
            tile[7] = Vector256.Sum(c13);
            tile[8] = Vector256.Sum(c20);
            tile[9] = Vector256.Sum(c21);
            tile[10] = Vector256.Sum(c22);
            tile[11] = Vector256.Sum(c23);
            tile[12] = Vector256.Sum(c30);
            tile[13] = Vector256.Sum(c31);
            tile[14] = Vector256.Sum(c32);
            tile[15] = Vector256.Sum(c33);
        }

        for (; i < n; i++)
        {
            double w = r[i];
            for (int p = 0; p < 4; p++)
            {
                double u = w * (Unsafe.Add(ref MemoryMarshal.GetReference(xt), ca[p] * stride + i) - mean[ca[p]]);
                for (int q = 0; q < 4; q++)
                {
                    tile[p * 4 + q] += u * (Unsafe.Add(ref MemoryMarshal.GetReference(xt), cb[q] * stride + i) - mean[cb[q]]);
                }
            }
        }
    }

    /// <summary>Diagonal scatter about <paramref name="mean"/>: s[j] = Σᵢ rᵢ (x[j, i] − mⱼ)².</summary>
    public static void DiagonalScatter(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, int d, ReadOnlySpan<double> mean, Span<double> s)
    {
        int n = r.Length;
        for (int j = 0; j < d; j++)
        {
            s[j] = WeightedSquaredDeviation(r, xt.Slice(j * stride, n), mean[j]);
        }
    }

    /// <summary>Σᵢ rᵢ (xᵢ − m)² in a fixed order.</summary>
    public static double WeightedSquaredDeviation(ReadOnlySpan<double> r, ReadOnlySpan<double> x, double m)
    {
        int n = r.Length, i = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref double rr = ref MemoryMarshal.GetReference(r);
            ref double rx = ref MemoryMarshal.GetReference(x);
            Vector256<double> vm = Vector256.Create(m), a0 = default, a1 = default;
            for (; i <= n - 8; i += 8)
            {
                Vector256<double> z0 = Vector256.LoadUnsafe(ref rx, (nuint)i) - vm;
                Vector256<double> z1 = Vector256.LoadUnsafe(ref rx, (nuint)(i + 4)) - vm;
                a0 = Fma(Vector256.LoadUnsafe(ref rr, (nuint)i) * z0, z0, a0);
                a1 = Fma(Vector256.LoadUnsafe(ref rr, (nuint)(i + 4)) * z1, z1, a1);
            }

            s = Vector256.Sum(a0 + a1);
        }

        for (; i < n; i++)
        {
            double z = x[i] - m;
            s += r[i] * z * z;
        }

        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Fma(Vector512<double> a, Vector512<double> b, Vector512<double> c) =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : a * b + c;
}
