using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// One fused pass of the Adam update (Kingma &amp; Ba) with bias correction and optional decoupled weight decay
/// (Loshchilov &amp; Hutter), over every parameter at once, written as PyTorch's <c>torch.optim.Adam</c>/<c>AdamW</c>
/// do it:
/// p ← p·(1 − η·λ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; p ← p − (η / c₁)·m / (√v·(1/√c₂) + ε), with the bias
/// corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ.
/// </summary>
/// <remarks>
/// Products and sums are rounded separately (no FMA) and the square root and division are correctly rounded, so the
/// scalar tail gives the same bits as a vector lane: every parameter's update is the same for every vector width.
/// </remarks>
internal static class AdamUpdate
{
    /// <summary>The per-step constants of one update.</summary>
    /// <param name="LearningRate">η.</param>
    /// <param name="Beta1">β₁.</param>
    /// <param name="Beta2">β₂.</param>
    /// <param name="Epsilon">ε.</param>
    /// <param name="Step">t, the one-based step number (for the bias corrections).</param>
    /// <param name="WeightDecay">λ, the decoupled weight decay (0 for none).</param>
    public readonly record struct Coefficients(float LearningRate, float Beta1, float Beta2, float Epsilon, long Step, float WeightDecay)
    {
        /// <summary>η / (1 − β₁ᵗ).</summary>
        public float StepSize => (float)(LearningRate / (1.0 - Math.Pow(Beta1, Step)));

        /// <summary>1 / √(1 − β₂ᵗ).</summary>
        public float InverseSqrtCorrection2 => (float)(1.0 / Math.Sqrt(1.0 - Math.Pow(Beta2, Step)));

        /// <summary>1 − η·λ.</summary>
        public float Decay => 1f - (LearningRate * WeightDecay);
    }

    /// <summary>Applies one Adam step to every parameter.</summary>
    /// <param name="parameters">The parameters, updated.</param>
    /// <param name="gradient">Their gradient (same length).</param>
    /// <param name="firstMoment">m (same length), updated.</param>
    /// <param name="secondMoment">v (same length), updated.</param>
    /// <param name="coefficients">The step's constants.</param>
    public static void Step(Span<float> parameters, ReadOnlySpan<float> gradient, Span<float> firstMoment, Span<float> secondMoment,
        in Coefficients coefficients)
    {
        int n = parameters.Length;
        if (gradient.Length != n || firstMoment.Length != n || secondMoment.Length != n)
        {
            throw new ArgumentException("The parameters, gradient and moments must have the same length.", nameof(gradient));
        }

        if (Simd512<float>.IsHardwareAccelerated)
        {
            Step<Vector512<float>, Simd512<float>>(parameters, gradient, firstMoment, secondMoment, coefficients);
        }
        else if (Simd256<float>.IsHardwareAccelerated)
        {
            Step<Vector256<float>, Simd256<float>>(parameters, gradient, firstMoment, secondMoment, coefficients);
        }
        else
        {
            Step<Vector128<float>, Simd128<float>>(parameters, gradient, firstMoment, secondMoment, coefficients);
        }
    }

    /// <summary><see cref="Step(Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, in Coefficients)"/> at a forced width.</summary>
    internal static void Step<TVec, TOps>(Span<float> parameters, ReadOnlySpan<float> gradient, Span<float> firstMoment,
        Span<float> secondMoment, in Coefficients coefficients)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        float b1 = coefficients.Beta1, b2 = coefficients.Beta2, c1 = 1f - b1, c2 = 1f - b2;
        float stepSize = coefficients.StepSize, inverseCorrection = coefficients.InverseSqrtCorrection2, eps = coefficients.Epsilon;
        float decay = coefficients.Decay;
        bool decays = coefficients.WeightDecay != 0f;
        int n = parameters.Length, j = 0;
        ref float rp = ref MemoryMarshal.GetReference(parameters);
        ref float rg = ref MemoryMarshal.GetReference(gradient);
        ref float rm = ref MemoryMarshal.GetReference(firstMoment);
        ref float rv = ref MemoryMarshal.GetReference(secondMoment);
        TVec vb1 = TOps.Create(b1), vb2 = TOps.Create(b2), vc1 = TOps.Create(c1), vc2 = TOps.Create(c2);
        TVec vStep = TOps.Create(stepSize), vCorr = TOps.Create(inverseCorrection), vEps = TOps.Create(eps), vDecay = TOps.Create(decay);
        for (; j <= n - TOps.Count; j += TOps.Count)
        {
            nuint o = (nuint)j;
            TVec g = TOps.Load(ref rg, o);
            TVec m = TOps.Add(TOps.Multiply(vb1, TOps.Load(ref rm, o)), TOps.Multiply(vc1, g));
            TVec v = TOps.Add(TOps.Multiply(vb2, TOps.Load(ref rv, o)), TOps.Multiply(vc2, TOps.Multiply(g, g)));
            TOps.Store(m, ref rm, o);
            TOps.Store(v, ref rv, o);
            TVec p = TOps.Load(ref rp, o);
            if (decays)
            {
                p = TOps.Multiply(p, vDecay);
            }

            TVec denominator = TOps.Add(TOps.Multiply(TOps.Sqrt(v), vCorr), vEps);
            TOps.Store(TOps.Subtract(p, TOps.Multiply(vStep, TOps.Divide(m, denominator))), ref rp, o);
        }

        for (; j < n; j++)
        {
            float g = gradient[j];
            float m = (b1 * firstMoment[j]) + (c1 * g);
            float v = (b2 * secondMoment[j]) + (c2 * (g * g));
            firstMoment[j] = m;
            secondMoment[j] = v;
            float p = parameters[j];
            if (decays)
            {
                p *= decay;
            }

            float denominator = (MathF.Sqrt(v) * inverseCorrection) + eps;
            parameters[j] = p - (stepSize * (m / denominator));
        }
    }
}
