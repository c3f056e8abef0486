using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The centers of a K-Means iteration laid out for a fused nearest-center search: transposed (d × K', K' = K rounded
/// up to a multiple of 8, padding columns zero) with their squared norms (padding +∞).
/// </summary>
/// <remarks>
/// The nearest-center kernel of K-Means (Lloyd, the accelerated iteration, online K-Means and prediction). GEMM +
/// arg-min would materialise an n × K distance block; this routine keeps 4 rows × 8 centers of xᵢ·cⱼ in registers and reduces them to the arg-min (and the runner-up, which the
/// accelerated iteration needs for its bounds) straight away. Each value ‖cⱼ‖² − 2xᵢ·cⱼ is computed by the same
/// sequence of fused multiply-adds whichever rows it is grouped with, so Lloyd and the accelerated iteration see
/// identical numbers for every row they both evaluate.
/// </remarks>
internal sealed class CenterTable
{
    private const double Epsilon = 1.1102230246251565e-16;

    public CenterTable(int clusters, int dimension)
    {
        K = clusters;
        D = dimension;
        KPad = (clusters + 7) & ~7;
        Transposed = new double[dimension * KPad];
        Norms = new double[KPad];
        Norms.AsSpan().Fill(double.PositiveInfinity);
    }

    /// <summary>Number of centers.</summary>
    public int K { get; }

    /// <summary>Dimension.</summary>
    public int D { get; }

    /// <summary>K rounded up to a multiple of 8.</summary>
    public int KPad { get; }

    /// <summary>d × K' transposed centers.</summary>
    public double[] Transposed { get; }

    /// <summary>K' squared norms (+∞ for padding).</summary>
    public double[] Norms { get; }

    /// <summary>The largest squared center norm.</summary>
    public double MaxNorm { get; private set; }

    /// <summary>Scratch length a caller of <see cref="Nearest"/> must supply.</summary>
    public int ScratchLength => 4 * KPad;

    /// <summary>Loads K × d row-major centers.</summary>
    public void Load(ReadOnlySpan<double> centers)
    {
        double max = 0;
        for (int j = 0; j < K; j++)
        {
            ReadOnlySpan<double> c = centers.Slice(j * D, D);
            double s = 0;
            for (int p = 0; p < D; p++)
            {
                Transposed[p * KPad + j] = c[p];
                s = Math.FusedMultiplyAdd(c[p], c[p], s);
            }

            Norms[j] = s;
            max = Math.Max(max, s);
        }

        MaxNorm = max;
    }

    /// <summary>Replaces center <paramref name="j"/> (used by the online update, which moves one center at a time).</summary>
    public void SetCenter(int j, ReadOnlySpan<double> center)
    {
        double s = 0;
        for (int p = 0; p < D; p++)
        {
            Transposed[p * KPad + j] = center[p];
            s = Math.FusedMultiplyAdd(center[p], center[p], s);
        }

        Norms[j] = s;
        MaxNorm = Math.Max(MaxNorm, s);
    }

    /// <summary>
    /// An upper bound on |(‖x‖² + ‖c‖² − 2x·c computed) − ‖x − c‖²| for a row of squared norm <paramref name="rowNorm"/>
    /// and any loaded center (Higham's γ bound on dot products, doubled for safety).
    /// </summary>
    public double ErrorBound(double rowNorm) => ErrorScale * (rowNorm + MaxNorm);

    /// <summary>The factor of <see cref="ErrorBound"/>: 4(d + 2)·ε.</summary>
    public double ErrorScale => 4.0 * (D + 2) * Epsilon;

    /// <summary>
    /// For each row listed in <paramref name="rows"/> (indices into the row-major <paramref name="x"/> with <see cref="D"/>
    /// columns), the nearest center (first on ties) and the values ‖c‖² − 2x·c of the nearest and the runner-up.
    /// Results are written at the positions of the rows in the list.
    /// </summary>
    public void Nearest(ReadOnlySpan<double> x, ReadOnlySpan<int> rows, Span<int> labels, Span<double> best, Span<double> second, Span<double> scratch)
    {
        int count = rows.Length;
        int g = 0;
        ref double xr = ref MemoryMarshal.GetReference(x);
        for (; g + 4 <= count; g += 4)
        {
            Group4(
                ref Unsafe.Add(ref xr, (nint)rows[g] * D),
                ref Unsafe.Add(ref xr, (nint)rows[g + 1] * D),
                ref Unsafe.Add(ref xr, (nint)rows[g + 2] * D),
                ref Unsafe.Add(ref xr, (nint)rows[g + 3] * D),
                scratch);
            for (int r = 0; r < 4; r++)
            {
                labels[g + r] = ArgMin(scratch.Slice(r * KPad, KPad), out best[g + r], out second[g + r]);
            }
        }

        for (; g < count; g++)
        {
            Single(ref Unsafe.Add(ref xr, (nint)rows[g] * D), scratch);
            labels[g] = ArgMin(scratch[..KPad], out best[g], out second[g]);
        }
    }

    /// <summary>As <see cref="Nearest"/> for the contiguous rows [start, end).</summary>
    public void NearestRange(ReadOnlySpan<double> x, int start, int end, Span<int> labels, Span<double> best, Span<double> second, Span<double> scratch)
    {
        ref double xr = ref MemoryMarshal.GetReference(x);
        int i = start;
        for (; i + 4 <= end; i += 4)
        {
            ref double x0 = ref Unsafe.Add(ref xr, (nint)i * D);
            Group4(ref x0, ref Unsafe.Add(ref x0, D), ref Unsafe.Add(ref x0, 2 * D), ref Unsafe.Add(ref x0, 3 * D), scratch);
            for (int r = 0; r < 4; r++)
            {
                int o = i - start + r;
                labels[o] = ArgMin(scratch.Slice(r * KPad, KPad), out best[o], out second[o]);
            }
        }

        for (; i < end; i++)
        {
            Single(ref Unsafe.Add(ref xr, (nint)i * D), scratch);
            int o = i - start;
            labels[o] = ArgMin(scratch[..KPad], out best[o], out second[o]);
        }
    }

    /// <summary>‖c_j‖² − 2x·c_j for one row and one center, bit-identical to the value the block search computes.</summary>
    public double Value(ReadOnlySpan<double> row, int j)
    {
        double acc = 0;
        for (int p = 0; p < D; p++)
        {
            acc = Math.FusedMultiplyAdd(row[p], Transposed[p * KPad + j], acc);
        }

        return Norms[j] - (acc + acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Group4(ref double x0, ref double x1, ref double x2, ref double x3, Span<double> scratch) =>
        Group4<Vector256<double>, Simd256<double>>(ref x0, ref x1, ref x2, ref x3, scratch);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Single(ref double x0, Span<double> scratch) => Single<Vector256<double>, Simd256<double>>(ref x0, scratch);

    /// <summary>
    /// ‖cⱼ‖² − 2xᵣ·cⱼ for four rows and every center, 2·Count centers per sweep over d (8 accumulators in registers).
    /// <see cref="IVectorOps{TVec, T}.FusedMultiplyAdd"/> is always fused, so every value is the sequence of fused
    /// multiply-adds of <see cref="Value"/>.
    /// </summary>
    private void Group4<TVec, TOps>(ref double x0, ref double x1, ref double x2, ref double x3, Span<double> scratch)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int d = D, kp = KPad, w = TOps.Count;
        ref double ct = ref MemoryMarshal.GetArrayDataReference(Transposed);
        ref double cn = ref MemoryMarshal.GetArrayDataReference(Norms);
        ref double s = ref MemoryMarshal.GetReference(scratch);
        for (int c0 = 0; c0 < kp; c0 += 2 * w)
        {
            TVec a00 = TOps.Zero, a01 = TOps.Zero, a10 = TOps.Zero, a11 = TOps.Zero;
            TVec a20 = TOps.Zero, a21 = TOps.Zero, a30 = TOps.Zero, a31 = TOps.Zero;
            ref double cp = ref Unsafe.Add(ref ct, c0);
            for (int p = 0; p < d; p++)
            {
                ref double cr = ref Unsafe.Add(ref cp, (nint)p * kp);
                TVec lo = TOps.Load(ref cr, 0);
                TVec hi = TOps.Load(ref cr, (nuint)w);
                TVec b = TOps.Create(Unsafe.Add(ref x0, p));
                a00 = TOps.FusedMultiplyAdd(b, lo, a00);
                a01 = TOps.FusedMultiplyAdd(b, hi, a01);
                b = TOps.Create(Unsafe.Add(ref x1, p));
                a10 = TOps.FusedMultiplyAdd(b, lo, a10);
                a11 = TOps.FusedMultiplyAdd(b, hi, a11);
                b = TOps.Create(Unsafe.Add(ref x2, p));
                a20 = TOps.FusedMultiplyAdd(b, lo, a20);
                a21 = TOps.FusedMultiplyAdd(b, hi, a21);
                b = TOps.Create(Unsafe.Add(ref x3, p));
                a30 = TOps.FusedMultiplyAdd(b, lo, a30);
                a31 = TOps.FusedMultiplyAdd(b, hi, a31);
            }

            TVec n0 = TOps.Load(ref cn, (nuint)c0);
            TVec n1 = TOps.Load(ref cn, (nuint)(c0 + w));
            TOps.Store(TOps.Subtract(n0, TOps.Add(a00, a00)), ref s, (nuint)c0);
            TOps.Store(TOps.Subtract(n1, TOps.Add(a01, a01)), ref s, (nuint)(c0 + w));
            TOps.Store(TOps.Subtract(n0, TOps.Add(a10, a10)), ref s, (nuint)(kp + c0));
            TOps.Store(TOps.Subtract(n1, TOps.Add(a11, a11)), ref s, (nuint)(kp + c0 + w));
            TOps.Store(TOps.Subtract(n0, TOps.Add(a20, a20)), ref s, (nuint)(2 * kp + c0));
            TOps.Store(TOps.Subtract(n1, TOps.Add(a21, a21)), ref s, (nuint)(2 * kp + c0 + w));
            TOps.Store(TOps.Subtract(n0, TOps.Add(a30, a30)), ref s, (nuint)(3 * kp + c0));
            TOps.Store(TOps.Subtract(n1, TOps.Add(a31, a31)), ref s, (nuint)(3 * kp + c0 + w));
        }
    }

    /// <summary>As <see cref="Group4{TVec, TOps}"/> for one row.</summary>
    private void Single<TVec, TOps>(ref double x0, Span<double> scratch)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int d = D, kp = KPad, w = TOps.Count;
        ref double ct = ref MemoryMarshal.GetArrayDataReference(Transposed);
        ref double cn = ref MemoryMarshal.GetArrayDataReference(Norms);
        ref double s = ref MemoryMarshal.GetReference(scratch);
        for (int c0 = 0; c0 < kp; c0 += 2 * w)
        {
            TVec a00 = TOps.Zero, a01 = TOps.Zero;
            ref double cp = ref Unsafe.Add(ref ct, c0);
            for (int p = 0; p < d; p++)
            {
                ref double cr = ref Unsafe.Add(ref cp, (nint)p * kp);
                TVec b = TOps.Create(Unsafe.Add(ref x0, p));
                a00 = TOps.FusedMultiplyAdd(b, TOps.Load(ref cr, 0), a00);
                a01 = TOps.FusedMultiplyAdd(b, TOps.Load(ref cr, (nuint)w), a01);
            }

            TOps.Store(TOps.Subtract(TOps.Load(ref cn, (nuint)c0), TOps.Add(a00, a00)), ref s, (nuint)c0);
            TOps.Store(TOps.Subtract(TOps.Load(ref cn, (nuint)(c0 + w)), TOps.Add(a01, a01)), ref s, (nuint)(c0 + w));
        }
    }

    /// <summary>Arg-min of a row of K' values (first on ties), its value and the runner-up value.</summary>
    /// <remarks>
    /// Four lanes (K' is a multiple of 8); the final lane reduction is a fixed AVX shuffle network (permutes and blends),
    /// tied to the 256-bit width by nature, with a scalar reduction elsewhere.
    /// </remarks>
    private static int ArgMin(ReadOnlySpan<double> values, out double best, out double second)
    {
        ref double v = ref MemoryMarshal.GetReference(values);
        Vector256<double> bv = Vector256.LoadUnsafe(ref v);
        Vector256<double> idx = Vector256.Create(0.0, 1.0, 2.0, 3.0);
        Vector256<double> bi = idx;
        Vector256<double> sv = Vector256.Create(double.PositiveInfinity);
        Vector256<double> four = Vector256.Create(4.0);
        for (int j = 4; j < values.Length; j += 4)
        {
            idx += four;
            Vector256<double> cur = Vector256.LoadUnsafe(ref v, (nuint)j);
            Vector256<double> lt = Vector256.LessThan(cur, bv);
            sv = Vector256.ConditionalSelect(lt, bv, Vector256.ConditionalSelect(Vector256.LessThan(cur, sv), cur, sv));
            bv = Vector256.ConditionalSelect(lt, cur, bv);
            bi = Vector256.ConditionalSelect(lt, idx, bi);
        }

        if (Avx.IsSupported)
        {
            // Lane reductions in registers (no element extraction): the minimum; the lowest index holding it (first
            // on ties, as below); the runner-up over the other lanes and the per-lane runners-up. Values are never NaN.
            Vector256<double> m = Avx.Min(bv, Avx.Permute2x128(bv, bv, 1));
            m = Avx.Min(m, Avx.Permute(m, 0b0101));
            Vector256<double> candidates = Avx.BlendVariable(Vector256.Create(double.MaxValue), bi, Avx.CompareEqual(bv, m));
            candidates = Avx.Min(candidates, Avx.Permute2x128(candidates, candidates, 1));
            candidates = Avx.Min(candidates, Avx.Permute(candidates, 0b0101));
            Vector256<double> others = Avx.BlendVariable(bv, Vector256.Create(double.PositiveInfinity), Avx.CompareEqual(bi, candidates));
            Vector256<double> s = Avx.Min(sv, others);
            s = Avx.Min(s, Avx.Permute2x128(s, s, 1));
            s = Avx.Min(s, Avx.Permute(s, 0b0101));
            best = m.ToScalar();
            second = s.ToScalar();
            return (int)candidates.ToScalar();
        }

        int lane = 0;
        double b = bv[0], bIndex = bi[0];
        for (int l = 1; l < 4; l++)
        {
            double vl = bv[l];
            if (vl < b || (vl == b && bi[l] < bIndex))
            {
                lane = l;
                b = vl;
                bIndex = bi[l];
            }
        }

        double s2 = Math.Min(Math.Min(sv[0], sv[1]), Math.Min(sv[2], sv[3]));
        for (int l = 0; l < 4; l++)
        {
            if (l != lane && bv[l] < s2)
            {
                s2 = bv[l];
            }
        }

        best = b;
        second = s2;
        return (int)bIndex;
    }
}
