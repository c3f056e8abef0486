using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// Weighted first and second moments of a transposed block (d × rows, one row of the buffer per coordinate, one column
/// per data row) for the mixture M-step: weighted sums, the full scatter in 4 × 4 register tiles, and the diagonal
/// scatter. Every reduction runs in a fixed order independent of alignment, so a block's statistics are bitwise the same
/// whichever thread computes them.
/// </summary>
internal static class ScatterTiles
{
    /// <summary>
    /// Returns Σᵢ rᵢ and writes sums[a] = Σᵢ rᵢ·x[a, i] for the d rows of the transposed block <paramref name="xt"/>
    /// (row stride <paramref name="stride"/>); four coordinates per sweep over the rows, fixed summation order.
    /// </summary>
    /// <param name="r">rows weights.</param>
    /// <param name="xt">d × rows transposed block.</param>
    /// <param name="stride">Row stride of <paramref name="xt"/>.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="sums">d weighted sums.</param>
    public static double WeightedSums(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, int d, Span<double> sums) =>
        WeightedSums<Vector256<double>, Simd256<double>>(r, xt, stride, d, sums);

    /// <summary><see cref="WeightedSums(ReadOnlySpan{double}, ReadOnlySpan{double}, int, int, Span{double})"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    internal static double WeightedSums<TVec, TOps>(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, int d, Span<double> sums)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int n = r.Length, a = 0;
        double w = RowReductions.Sum<TVec, TOps>(r);
        if (TOps.IsHardwareAccelerated && n >= TOps.Count)
        {
            int nv = n - (n % TOps.Count);
            ref double rr = ref MemoryMarshal.GetReference(r);
            ref double rx = ref MemoryMarshal.GetReference(xt);
            for (; a + 4 <= d; a += 4)
            {
                ref double x0 = ref Unsafe.Add(ref rx, a * stride);
                ref double x1 = ref Unsafe.Add(ref x0, stride);
                ref double x2 = ref Unsafe.Add(ref x1, stride);
                ref double x3 = ref Unsafe.Add(ref x2, stride);
                TVec s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
                for (int i = 0; i < nv; i += TOps.Count)
                {
                    TVec rv = TOps.Load(ref rr, (nuint)i);
                    s0 = TOps.MultiplyAdd(rv, TOps.Load(ref x0, (nuint)i), s0);
                    s1 = TOps.MultiplyAdd(rv, TOps.Load(ref x1, (nuint)i), s1);
                    s2 = TOps.MultiplyAdd(rv, TOps.Load(ref x2, (nuint)i), s2);
                    s3 = TOps.MultiplyAdd(rv, TOps.Load(ref x3, (nuint)i), s3);
                }

                double t0 = TOps.Sum(s0), t1 = TOps.Sum(s1), t2 = TOps.Sum(s2), t3 = TOps.Sum(s3);
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
            sums[a] = RowReductions.Dot<TVec, TOps>(r, xt.Slice(a * stride, n));
        }

        return w;
    }

    /// <summary>
    /// Full scatter about <paramref name="mean"/>: s[a·d + b] = Σᵢ rᵢ (x[a, i] − mₐ)(x[b, i] − m_b), symmetric. Every
    /// 4 × 4 tile of coordinate pairs on or below the diagonal accumulates its 16 sums in registers in one sweep over
    /// the rows, forming the deviations on the fly (nothing is written back but the sums); fixed summation order.
    /// </summary>
    /// <param name="r">rows weights.</param>
    /// <param name="xt">d × rows transposed block.</param>
    /// <param name="stride">Row stride of <paramref name="xt"/>.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="mean">d center coordinates.</param>
    /// <param name="s">d × d scatter.</param>
    public static void Full(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, int d, ReadOnlySpan<double> mean, Span<double> s)
    {
        if (Simd512<double>.IsHardwareAccelerated)
        {
            Full<Vector512<double>, Simd512<double>>(r, xt, stride, d, mean, s);
        }
        else
        {
            Full<Vector256<double>, Simd256<double>>(r, xt, stride, d, mean, s);
        }
    }

    /// <summary><see cref="Full(ReadOnlySpan{double}, ReadOnlySpan{double}, int, int, ReadOnlySpan{double}, Span{double})"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    internal static void Full<TVec, TOps>(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, int d, ReadOnlySpan<double> mean, Span<double> s)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
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

                Tile<TVec, TOps>(r, xt, stride, ca, cb, mean, tile);
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

    /// <summary>Diagonal scatter about <paramref name="mean"/>: s[j] = Σᵢ rᵢ (x[j, i] − mⱼ)².</summary>
    /// <param name="r">rows weights.</param>
    /// <param name="xt">d × rows transposed block.</param>
    /// <param name="stride">Row stride of <paramref name="xt"/>.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="mean">d center coordinates.</param>
    /// <param name="s">d results.</param>
    public static void Diagonal(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, int d, ReadOnlySpan<double> mean, Span<double> s)
    {
        int n = r.Length;
        for (int j = 0; j < d; j++)
        {
            s[j] = RowReductions.WeightedSquaredDeviation(r, xt.Slice(j * stride, n), mean[j]);
        }
    }

    /// <summary>
    /// tile[p·4 + q] = Σᵢ rᵢ (x[ca[p], i] − m[ca[p]]) (x[cb[q], i] − m[cb[q]]): whole vectors of <typeparamref name="TVec"/>
    /// (or of four where that width is not accelerated or the block is shorter), then the remaining rows.
    /// </summary>
    private static void Tile<TVec, TOps>(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, ReadOnlySpan<int> ca, ReadOnlySpan<int> cb,
        ReadOnlySpan<double> mean, Span<double> tile)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int n = r.Length, i = 0;
        tile.Clear();
        if (TOps.IsHardwareAccelerated && n >= TOps.Count)
        {
            i = TileSweep<TVec, TOps>(r, xt, stride, ca, cb, mean, tile);
        }
        else if (Simd256<double>.IsHardwareAccelerated && n >= 4)
        {
            i = TileSweep<Vector256<double>, Simd256<double>>(r, xt, stride, ca, cb, mean, tile);
        }

        ref double rx = ref MemoryMarshal.GetReference(xt);
        for (; i < n; i++)
        {
            double w = r[i];
            for (int p = 0; p < 4; p++)
            {
                double u = w * (Unsafe.Add(ref rx, ca[p] * stride + i) - mean[ca[p]]);
                for (int q = 0; q < 4; q++)
                {
                    tile[p * 4 + q] += u * (Unsafe.Add(ref rx, cb[q] * stride + i) - mean[cb[q]]);
                }
            }
        }
    }

    /// <summary>The register-tiled sweep: 16 vector accumulators over whole vectors; returns the first row not done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TileSweep<TVec, TOps>(ReadOnlySpan<double> r, ReadOnlySpan<double> xt, int stride, ReadOnlySpan<int> ca, ReadOnlySpan<int> cb,
        ReadOnlySpan<double> mean, Span<double> tile)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
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
        TVec c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero, c03 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero, c13 = TOps.Zero;
        TVec c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero, c23 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero, c33 = TOps.Zero;
        TVec vma0 = TOps.Create(mean[ca[0]]), vma1 = TOps.Create(mean[ca[1]]), vma2 = TOps.Create(mean[ca[2]]), vma3 = TOps.Create(mean[ca[3]]);
        TVec vmb0 = TOps.Create(mean[cb[0]]), vmb1 = TOps.Create(mean[cb[1]]), vmb2 = TOps.Create(mean[cb[2]]), vmb3 = TOps.Create(mean[cb[3]]);
        for (; i <= n - TOps.Count; i += TOps.Count)
        {
            TVec w = TOps.Load(ref rr, (nuint)i);
            TVec v0 = TOps.Subtract(TOps.Load(ref b0, (nuint)i), vmb0);
            TVec v1 = TOps.Subtract(TOps.Load(ref b1, (nuint)i), vmb1);
            TVec v2 = TOps.Subtract(TOps.Load(ref b2, (nuint)i), vmb2);
            TVec v3 = TOps.Subtract(TOps.Load(ref b3, (nuint)i), vmb3);
            TVec u = TOps.Multiply(w, TOps.Subtract(TOps.Load(ref a0, (nuint)i), vma0));
            c00 = TOps.MultiplyAdd(u, v0, c00);
            c01 = TOps.MultiplyAdd(u, v1, c01);
            c02 = TOps.MultiplyAdd(u, v2, c02);
            c03 = TOps.MultiplyAdd(u, v3, c03);
            u = TOps.Multiply(w, TOps.Subtract(TOps.Load(ref a1, (nuint)i), vma1));
            c10 = TOps.MultiplyAdd(u, v0, c10);
            c11 = TOps.MultiplyAdd(u, v1, c11);
            c12 = TOps.MultiplyAdd(u, v2, c12);
            c13 = TOps.MultiplyAdd(u, v3, c13);
            u = TOps.Multiply(w, TOps.Subtract(TOps.Load(ref a2, (nuint)i), vma2));
            c20 = TOps.MultiplyAdd(u, v0, c20);
            c21 = TOps.MultiplyAdd(u, v1, c21);
            c22 = TOps.MultiplyAdd(u, v2, c22);
            c23 = TOps.MultiplyAdd(u, v3, c23);
            u = TOps.Multiply(w, TOps.Subtract(TOps.Load(ref a3, (nuint)i), vma3));
            c30 = TOps.MultiplyAdd(u, v0, c30);
            c31 = TOps.MultiplyAdd(u, v1, c31);
            c32 = TOps.MultiplyAdd(u, v2, c32);
            c33 = TOps.MultiplyAdd(u, v3, c33);
        }

        tile[0] = TOps.Sum(c00);
        tile[1] = TOps.Sum(c01);
        tile[2] = TOps.Sum(c02);
        tile[3] = TOps.Sum(c03);
        tile[4] = TOps.Sum(c10);
        tile[5] = TOps.Sum(c11);
        tile[6] = TOps.Sum(c12);
        tile[7] = TOps.Sum(c13);
        tile[8] = TOps.Sum(c20);
        tile[9] = TOps.Sum(c21);
        tile[10] = TOps.Sum(c22);
        tile[11] = TOps.Sum(c23);
        tile[12] = TOps.Sum(c30);
        tile[13] = TOps.Sum(c31);
        tile[14] = TOps.Sum(c32);
        tile[15] = TOps.Sum(c33);
        return i;
    }
}
