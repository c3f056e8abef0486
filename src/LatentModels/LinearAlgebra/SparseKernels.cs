using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The element-wise operations of the L1 sparse coders (SparseCoding/): the largest absolute (or signed) value of a
/// correlation vector (the duality-gap scaling), and the fused proximal-gradient step of FISTA (gradient step,
/// soft threshold, momentum) over a whole block of codes. Each body is written once, generic over the vector width;
/// the public forms run at four-wide vectors, so the bits do not depend on the machine's widest vector.
/// </summary>
internal static class SparseKernels
{
    /// <summary>maxᵢ |xᵢ| (0 for an empty span).</summary>
    /// <param name="x">The values.</param>
    public static double MaxAbs(ReadOnlySpan<double> x) => MaxAbs<Vector256<double>, Simd256<double>>(x);

    /// <summary>maxᵢ xᵢ (−∞ for an empty span).</summary>
    /// <param name="x">The values.</param>
    public static double Max(ReadOnlySpan<double> x) => Max<Vector256<double>, Simd256<double>>(x);

    /// <summary>
    /// One FISTA step on n values, fused: zᵢ' = S(yᵢ − step·gᵢ), yᵢ ← zᵢ' + momentum·(zᵢ' − zᵢ), zᵢ ← zᵢ', where S is the
    /// soft threshold at <paramref name="threshold"/> (S(v) = v − clamp(v, −t, t)), or max(v − t, 0) when
    /// <paramref name="positive"/>.
    /// </summary>
    /// <param name="y">The extrapolated point; overwritten with the next one.</param>
    /// <param name="gradient">The gradient at y.</param>
    /// <param name="z">The previous iterate; overwritten with the new one.</param>
    /// <param name="step">The step 1/L.</param>
    /// <param name="threshold">α/L.</param>
    /// <param name="momentum">(tₖ − 1)/tₖ₊₁.</param>
    /// <param name="positive">Whether the codes are constrained to be non-negative.</param>
    public static void ProximalGradientStep(Span<double> y, ReadOnlySpan<double> gradient, Span<double> z, double step, double threshold,
        double momentum, bool positive) =>
        ProximalGradientStep<Vector256<double>, Simd256<double>>(y, gradient, z, step, threshold, momentum, positive);

    /// <summary>The soft threshold of one value: v − clamp(v, −t, t), or max(v − t, 0) when positive.</summary>
    /// <param name="v">The value.</param>
    /// <param name="t">The threshold (≥ 0).</param>
    /// <param name="positive">Whether negative results are clipped to 0.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SoftThreshold(double v, double t, bool positive) =>
        positive ? Math.Max(v - t, 0) : v - Math.Min(Math.Max(v, -t), t);

    /// <summary><see cref="MaxAbs(ReadOnlySpan{double})"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="x">The values.</param>
    internal static double MaxAbs<TVec, TOps>(ReadOnlySpan<double> x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int n = x.Length, i = 0;
        double best = 0;
        if (TOps.IsHardwareAccelerated && n >= TOps.Count)
        {
            ref double rx = ref MemoryMarshal.GetReference(x);
            TVec hi = TOps.Zero, lo = TOps.Zero;
            for (; i <= n - TOps.Count; i += TOps.Count)
            {
                TVec v = TOps.Load(ref rx, (nuint)i);
                hi = TOps.Max(hi, v);
                lo = TOps.Min(lo, v);
            }

            for (int lane = 0; lane < TOps.Count; lane++)
            {
                best = Math.Max(best, Math.Max(TOps.GetElement(hi, lane), -TOps.GetElement(lo, lane)));
            }
        }

        for (; i < n; i++)
        {
            best = Math.Max(best, Math.Abs(x[i]));
        }

        return best;
    }

    /// <summary><see cref="Max(ReadOnlySpan{double})"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="x">The values.</param>
    internal static double Max<TVec, TOps>(ReadOnlySpan<double> x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int n = x.Length, i = 0;
        double best = double.NegativeInfinity;
        if (TOps.IsHardwareAccelerated && n >= TOps.Count)
        {
            ref double rx = ref MemoryMarshal.GetReference(x);
            TVec hi = TOps.Create(double.NegativeInfinity);
            for (; i <= n - TOps.Count; i += TOps.Count)
            {
                hi = TOps.Max(hi, TOps.Load(ref rx, (nuint)i));
            }

            for (int lane = 0; lane < TOps.Count; lane++)
            {
                best = Math.Max(best, TOps.GetElement(hi, lane));
            }
        }

        for (; i < n; i++)
        {
            best = Math.Max(best, x[i]);
        }

        return best;
    }

    /// <summary><see cref="ProximalGradientStep(Span{double}, ReadOnlySpan{double}, Span{double}, double, double, double, bool)"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="y">The extrapolated point; overwritten with the next one.</param>
    /// <param name="gradient">The gradient at y.</param>
    /// <param name="z">The previous iterate; overwritten with the new one.</param>
    /// <param name="step">The step 1/L.</param>
    /// <param name="threshold">α/L.</param>
    /// <param name="momentum">(tₖ − 1)/tₖ₊₁.</param>
    /// <param name="positive">Whether the codes are constrained to be non-negative.</param>
    internal static void ProximalGradientStep<TVec, TOps>(Span<double> y, ReadOnlySpan<double> gradient, Span<double> z, double step,
        double threshold, double momentum, bool positive)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int n = y.Length, i = 0;
        if (gradient.Length < n || z.Length < n)
        {
            throw new ArgumentException("The gradient and the iterate need as many values as y.", nameof(gradient));
        }

        if (TOps.IsHardwareAccelerated)
        {
            ref double ry = ref MemoryMarshal.GetReference(y);
            ref double rg = ref MemoryMarshal.GetReference(gradient);
            ref double rz = ref MemoryMarshal.GetReference(z);
            TVec s = TOps.Create(step), t = TOps.Create(threshold), mt = TOps.Create(-threshold), m = TOps.Create(momentum);
            for (; i <= n - TOps.Count; i += TOps.Count)
            {
                TVec v = TOps.Subtract(TOps.Load(ref ry, (nuint)i), TOps.Multiply(s, TOps.Load(ref rg, (nuint)i)));
                TVec zn = positive ? TOps.Max(TOps.Subtract(v, t), TOps.Zero) : TOps.Subtract(v, TOps.Min(TOps.Max(v, mt), t));
                TVec zo = TOps.Load(ref rz, (nuint)i);
                TOps.Store(TOps.Add(zn, TOps.Multiply(m, TOps.Subtract(zn, zo))), ref ry, (nuint)i);
                TOps.Store(zn, ref rz, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            double v = y[i] - step * gradient[i];
            double zn = SoftThreshold(v, threshold, positive);
            y[i] = zn + momentum * (zn - z[i]);
            z[i] = zn;
        }
    }
}
