using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.Mixtures;

/// <summary>
/// Small fused loops the mixture E- and M-steps need and the kernel does not offer. Blocks are held component-major
/// (one row of the buffer per component or coordinate, one column per data row), so every loop runs along the data rows
/// and vectorises for any d and K; reductions run in a fixed order, independent of alignment, so results are bitwise
/// reproducible whichever thread computes a block.
/// </summary>
internal static class MixtureKernels
{
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

    /// <summary>Writes the centred, transposed block: destination[j·stride + i] = x[i·d + j] − shift[j].</summary>
    public static void CentreTranspose(ReadOnlySpan<double> x, int rows, int d, ReadOnlySpan<double> shift, Span<double> destination, int stride)
    {
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

    /// <summary>acc[i] ← acc[i] + (scale·(y[i] − offset))² for i &lt; acc.Length.</summary>
    public static void AccumulateScaledSquares(ReadOnlySpan<double> y, double offset, double scale, Span<double> acc)
    {
        int n = acc.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double ry = ref MemoryMarshal.GetReference(y);
            ref double ra = ref MemoryMarshal.GetReference(acc);
            Vector256<double> o = Vector256.Create(offset), sc = Vector256.Create(scale);
            for (; i <= n - 4; i += 4)
            {
                Vector256<double> z = (Vector256.LoadUnsafe(ref ry, (nuint)i) - o) * sc;
                Fma(z, z, Vector256.LoadUnsafe(ref ra, (nuint)i)).StoreUnsafe(ref ra, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            double z = (y[i] - offset) * scale;
            acc[i] += z * z;
        }
    }

    /// <summary>
    /// Column-wise normalisation of a K × rows block of log-weights stored with row stride <paramref name="stride"/>
    /// (component-major): every column becomes exp(v − LSE) and its log-sum-exp goes to <paramref name="logNormalizers"/>.
    /// The column maximum is subtracted first. A column that is entirely −∞ gets LSE −∞ and zero probabilities.
    /// </summary>
    public static void NormalizeColumns(Span<double> values, int k, int rows, int stride, Span<double> logNormalizers, Span<double> scratch)
    {
        Span<double> max = logNormalizers[..rows];
        Span<double> sum = scratch[..rows];
        values[..rows].CopyTo(max);
        for (int c = 1; c < k; c++)
        {
            TensorPrimitives.Max(max, values.Slice(c * stride, rows), max);
        }

        bool anyEmpty = false;
        for (int i = 0; i < rows; i++)
        {
            if (double.IsNegativeInfinity(max[i]))
            {
                max[i] = 0;
                anyEmpty = true;
            }
        }

        sum.Clear();
        for (int c = 0; c < k; c++)
        {
            Span<double> v = values.Slice(c * stride, rows);
            ShiftAndClamp(v, max);
            TensorPrimitives.Exp(v, v);
            FlushAndAccumulate(v, sum);
        }

        for (int c = 0; c < k; c++)
        {
            Span<double> v = values.Slice(c * stride, rows);
            TensorPrimitives.Divide(v, sum, v);
        }

        TensorPrimitives.Log(sum, sum);
        TensorPrimitives.Add(max, sum, max);
        if (anyEmpty)
        {
            for (int i = 0; i < rows; i++)
            {
                if (double.IsNegativeInfinity(logNormalizers[i]))
                {
                    for (int c = 0; c < k; c++)
                    {
                        values[c * stride + i] = 0;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Lower clamp for the shifted log-weights before <c>exp</c>: exp(−700) ≈ 1e-304. Keeping the arguments inside the
    /// range where the vectorised exponential needs no scalar fallback (|x| ≤ 708) matters for speed; the clamped terms
    /// are flushed to zero afterwards (<see cref="FlushThreshold"/>), which changes nothing at double precision since
    /// every column holds a term equal to 1.
    /// </summary>
    private const double ExpClamp = -700;

    /// <summary>Probabilities at or below this (≈ 2·exp(<see cref="ExpClamp"/>)) become exactly zero (no subnormals later).</summary>
    private const double FlushThreshold = 2e-304;

    /// <summary>v[i] ← max(v[i] − shift[i], <see cref="ExpClamp"/>).</summary>
    private static void ShiftAndClamp(Span<double> v, ReadOnlySpan<double> shift)
    {
        int n = v.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double rv = ref MemoryMarshal.GetReference(v);
            ref double rs = ref MemoryMarshal.GetReference(shift);
            Vector256<double> lo = Vector256.Create(ExpClamp);
            for (; i <= n - 4; i += 4)
            {
                Vector256.Max(Vector256.LoadUnsafe(ref rv, (nuint)i) - Vector256.LoadUnsafe(ref rs, (nuint)i), lo).StoreUnsafe(ref rv, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            v[i] = Math.Max(v[i] - shift[i], ExpClamp);
        }
    }

    /// <summary>v[i] ← 0 where v[i] ≤ <see cref="FlushThreshold"/>; then sum[i] += v[i].</summary>
    private static void FlushAndAccumulate(Span<double> v, Span<double> sum)
    {
        int n = v.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double rv = ref MemoryMarshal.GetReference(v);
            ref double rs = ref MemoryMarshal.GetReference(sum);
            Vector256<double> t = Vector256.Create(FlushThreshold);
            for (; i <= n - 4; i += 4)
            {
                Vector256<double> e = Vector256.LoadUnsafe(ref rv, (nuint)i);
                e = Vector256.ConditionalSelect(Vector256.GreaterThan(e, t), e, Vector256<double>.Zero);
                e.StoreUnsafe(ref rv, (nuint)i);
                (Vector256.LoadUnsafe(ref rs, (nuint)i) + e).StoreUnsafe(ref rs, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            double e = v[i] > FlushThreshold ? v[i] : 0;
            v[i] = e;
            sum[i] += e;
        }
    }

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
    private static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>Draws a standard normal variate with the polar Box–Muller method (the second variate is discarded).</summary>
    public static double StandardNormal(Random random)
    {
        while (true)
        {
            double u = 2 * random.NextDouble() - 1;
            double v = 2 * random.NextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1)
            {
                return u * Math.Sqrt(-2 * Math.Log(s) / s);
            }
        }
    }
}
