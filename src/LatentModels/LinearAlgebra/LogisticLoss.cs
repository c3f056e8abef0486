using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// Binary cross-entropy with logits for one row, the negative log-likelihood of a Bernoulli decoder:
/// Σⱼ softplus(ℓⱼ) − xⱼℓⱼ = Σⱼ −[xⱼ log σ(ℓⱼ) + (1 − xⱼ) log(1 − σ(ℓⱼ))], stable for every logit (no log of a rounded
/// probability), with its gradient (σ(ℓⱼ) − xⱼ)·scale in the same pass. exp(−|ℓ|) is computed once per value and shared
/// by the softplus and the sigmoid.
/// </summary>
/// <remarks>
/// The sum runs in one vector accumulator (lane j mod width) then across the lanes; the last partial vector is computed on
/// a padded copy and its valid lanes added in order. The result depends on the vector width (fixed per machine), never
/// on threads; the gradient values do not depend on the width.
/// </remarks>
internal static class LogisticLoss
{
    /// <summary>
    /// Returns Σⱼ softplus(ℓⱼ) − xⱼℓⱼ over one row and, unless <paramref name="gradient"/> is empty, writes
    /// gradient[j] = (σ(ℓⱼ) − xⱼ)·<paramref name="scale"/>. <paramref name="gradient"/> may be <paramref name="logits"/> itself.
    /// </summary>
    /// <param name="logits">ℓ, one row.</param>
    /// <param name="targets">x, the same length (values in [0, 1]).</param>
    /// <param name="gradient">Empty, or the same length: ∂/∂ℓ of the loss times <paramref name="scale"/>.</param>
    /// <param name="scale">The gradient's factor (e.g. 1 / batch size).</param>
    public static double Row(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient, float scale)
    {
        if (targets.Length != logits.Length || (!gradient.IsEmpty && gradient.Length != logits.Length))
        {
            throw new ArgumentException("The logits, targets and gradient must have the same length.", nameof(targets));
        }

        if (Simd512<float>.IsHardwareAccelerated)
        {
            return Row<Vector512<float>, Simd512<float>>(logits, targets, gradient, scale);
        }

        if (Simd256<float>.IsHardwareAccelerated)
        {
            return Row<Vector256<float>, Simd256<float>>(logits, targets, gradient, scale);
        }

        return Row<Vector128<float>, Simd128<float>>(logits, targets, gradient, scale);
    }

    /// <summary><see cref="Row(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/> at a forced width.</summary>
    [SkipLocalsInit]
    internal static double Row<TVec, TOps>(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient, float scale)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        int n = logits.Length, j = 0;
        bool withGradient = !gradient.IsEmpty;
        ref float rl = ref MemoryMarshal.GetReference(logits);
        ref float rx = ref MemoryMarshal.GetReference(targets);
        ref float rg = ref MemoryMarshal.GetReference(gradient);
        TVec vScale = TOps.Create(scale);
        TVec sum = TOps.Zero;
        for (; j <= n - TOps.Count; j += TOps.Count)
        {
            TVec l = TOps.Load(ref rl, (nuint)j);
            TVec x = TOps.Load(ref rx, (nuint)j);
            sum = TOps.Add(sum, Loss<TVec, TOps>(l, x, withGradient, vScale, out TVec g));
            if (withGradient)
            {
                TOps.Store(g, ref rg, (nuint)j);
            }
        }

        double total = TOps.Sum(sum);
        if (j < n)
        {
            Span<float> pl = stackalloc float[TOps.Count];
            Span<float> px = stackalloc float[TOps.Count];
            pl.Clear();
            px.Clear();
            logits[j..].CopyTo(pl);
            targets[j..].CopyTo(px);
            TVec loss = Loss<TVec, TOps>(TOps.Load(ref MemoryMarshal.GetReference(pl), 0), TOps.Load(ref MemoryMarshal.GetReference(px), 0),
                withGradient, vScale, out TVec g);
            TOps.Store(loss, ref MemoryMarshal.GetReference(px), 0);
            TOps.Store(g, ref MemoryMarshal.GetReference(pl), 0);
            float tail = 0f;
            for (int t = 0; t < n - j; t++)
            {
                tail += px[t];
            }

            total += tail;
            if (withGradient)
            {
                pl[..(n - j)].CopyTo(gradient[j..]);
            }
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Loss<TVec, TOps>(TVec l, TVec x, bool withGradient, TVec scale, out TVec gradient)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        // e = exp(−|ℓ|) ∈ (0, 1]; softplus(ℓ) = max(ℓ, 0) + log1p(e); σ(ℓ) = 1/(1 + e) for ℓ ≥ 0, e/(1 + e) below.
        TVec e = FloatMath.Exp<TVec, TOps>(TOps.Or(l, TOps.CreateBits(0x80000000UL)));
        TVec u = TOps.Add(TOps.One, e);
        TVec exact = TOps.CompareEqual(u, TOps.One);
        TVec denominator = TOps.ConditionalSelect(exact, TOps.One, TOps.Subtract(u, TOps.One));
        TVec log1p = TOps.ConditionalSelect(exact, e, TOps.Divide(TOps.Multiply(FloatMath.LogCore<TVec, TOps>(u), e), denominator));
        TVec loss = TOps.Subtract(TOps.Add(TOps.Max(l, TOps.Zero), log1p), TOps.Multiply(x, l));
        if (withGradient)
        {
            TVec sigmoid = TOps.Divide(TOps.ConditionalSelect(TOps.CompareGreaterThanOrEqual(l, TOps.Zero), TOps.One, e), u);
            gradient = TOps.Multiply(TOps.Subtract(sigmoid, x), scale);
        }
        else
        {
            gradient = TOps.Zero;
        }

        return loss;
    }
}
