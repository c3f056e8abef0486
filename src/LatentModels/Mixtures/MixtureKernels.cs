using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.Mixtures;

/// <summary>
/// Small fused loops the mixture E- and M-steps need and the kernel does not offer: squared distances of short
/// vectors without a call per element, and a register-blocked weighted scatter Σ wᵢ cᵢcᵢᵀ (a SYRK with a weight).
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

    /// <summary>Σⱼ ((aⱼ − bⱼ)·pⱼ)².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ScaledSquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> p)
    {
        int n = a.Length;
        int j = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 4)
        {
            ref double ra = ref MemoryMarshal.GetReference(a);
            ref double rb = ref MemoryMarshal.GetReference(b);
            ref double rp = ref MemoryMarshal.GetReference(p);
            Vector256<double> acc = Vector256<double>.Zero;
            for (; j <= n - 4; j += 4)
            {
                Vector256<double> z = (Vector256.LoadUnsafe(ref ra, (nuint)j) - Vector256.LoadUnsafe(ref rb, (nuint)j)) * Vector256.LoadUnsafe(ref rp, (nuint)j);
                acc += z * z;
            }

            s = Vector256.Sum(acc);
        }

        for (; j < n; j++)
        {
            double z = (a[j] - b[j]) * p[j];
            s += z * z;
        }

        return s;
    }

    /// <summary>
    /// Overwrites the d × d matrix <paramref name="scatter"/> with Σᵢ wᵢ cᵢcᵢᵀ for the rows cᵢ of the row-major
    /// rows × d matrix <paramref name="c"/> and the weights wᵢ = <paramref name="weights"/>[i·stride]. Only the lower
    /// triangle is computed (in register tiles of 4 rows × 8 columns); it is then mirrored, so the result is exactly
    /// symmetric.
    /// </summary>
    public static void WeightedScatter(ReadOnlySpan<double> c, int rows, int d, ReadOnlySpan<double> weights, int stride, Span<double> scatter)
    {
        scatter[..(d * d)].Clear();
        int a0 = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double rc = ref MemoryMarshal.GetReference(c);
            for (; a0 + 4 <= d; a0 += 4)
            {
                // Column tiles of 8 that touch the lower triangle of rows a0..a0+3 (columns ≤ a0 + 3).
                int b0 = 0;
                for (; b0 + 8 <= d && b0 <= a0 + 3; b0 += 8)
                {
                    Vector256<double> s00 = default, s01 = default, s10 = default, s11 = default;
                    Vector256<double> s20 = default, s21 = default, s30 = default, s31 = default;
                    for (int i = 0; i < rows; i++)
                    {
                        double w = weights[i * stride];
                        if (w == 0)
                        {
                            continue;
                        }

                        nuint o = (nuint)(i * d);
                        Vector256<double> c0 = Vector256.LoadUnsafe(ref rc, o + (nuint)b0);
                        Vector256<double> c1 = Vector256.LoadUnsafe(ref rc, o + (nuint)(b0 + 4));
                        Vector256<double> v0 = Vector256.Create(w * Unsafe.Add(ref rc, o + (nuint)a0));
                        Vector256<double> v1 = Vector256.Create(w * Unsafe.Add(ref rc, o + (nuint)(a0 + 1)));
                        Vector256<double> v2 = Vector256.Create(w * Unsafe.Add(ref rc, o + (nuint)(a0 + 2)));
                        Vector256<double> v3 = Vector256.Create(w * Unsafe.Add(ref rc, o + (nuint)(a0 + 3)));
                        s00 = Fma(v0, c0, s00);
                        s01 = Fma(v0, c1, s01);
                        s10 = Fma(v1, c0, s10);
                        s11 = Fma(v1, c1, s11);
                        s20 = Fma(v2, c0, s20);
                        s21 = Fma(v2, c1, s21);
                        s30 = Fma(v3, c0, s30);
                        s31 = Fma(v3, c1, s31);
                    }

                    Span<double> s = scatter;
                    s00.CopyTo(s.Slice(a0 * d + b0, 4));
                    s01.CopyTo(s.Slice(a0 * d + b0 + 4, 4));
                    s10.CopyTo(s.Slice((a0 + 1) * d + b0, 4));
                    s11.CopyTo(s.Slice((a0 + 1) * d + b0 + 4, 4));
                    s20.CopyTo(s.Slice((a0 + 2) * d + b0, 4));
                    s21.CopyTo(s.Slice((a0 + 2) * d + b0 + 4, 4));
                    s30.CopyTo(s.Slice((a0 + 3) * d + b0, 4));
                    s31.CopyTo(s.Slice((a0 + 3) * d + b0 + 4, 4));
                }

                // Remaining columns (fewer than 8, or the rest of the triangle) for these four rows.
                int bEnd = Math.Min(d, a0 + 4);
                if (b0 < bEnd)
                {
                    ScalarTile(c, rows, d, weights, stride, scatter, a0, a0 + 4, b0, bEnd);
                }
            }
        }

        if (a0 < d)
        {
            ScalarTile(c, rows, d, weights, stride, scatter, a0, d, 0, d);
        }

        for (int a = 0; a < d; a++)
        {
            for (int b = a + 1; b < d; b++)
            {
                scatter[a * d + b] = scatter[b * d + a];
            }
        }
    }

    private static void ScalarTile(ReadOnlySpan<double> c, int rows, int d, ReadOnlySpan<double> weights, int stride, Span<double> scatter,
        int aStart, int aEnd, int bStart, int bEnd)
    {
        for (int i = 0; i < rows; i++)
        {
            double w = weights[i * stride];
            if (w == 0)
            {
                continue;
            }

            ReadOnlySpan<double> row = c.Slice(i * d, d);
            for (int a = aStart; a < aEnd; a++)
            {
                double v = w * row[a];
                int end = Math.Min(bEnd, a + 1);
                Span<double> s = scatter.Slice(a * d, d);
                for (int b = bStart; b < end; b++)
                {
                    s[b] += v * row[b];
                }
            }
        }
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
