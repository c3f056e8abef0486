using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The element-wise parts of mean-field inference for independent Bernoulli latents held through their logits ℓ (the
/// posterior means are ĥ = σ(ℓ)): the damped parallel fixed-point step (vectorised), the sequential (coordinate) sweep of
/// one row, and the stable scalar sigmoid and softplus. The matrix products around them (the couplings Ĥ·G) are GEMMs.
/// </summary>
/// <remarks>
/// Logits are clamped to ±<see cref="LogitLimit"/>: σ is 0 or 1 to double precision long before, and the clamp keeps
/// exp(−|ℓ|) in the fast range of <see cref="ElementwiseMath.ExpCore{TVec, TOps}"/>, so no argument takes a slow path.
/// </remarks>
internal static class BernoulliMeanField
{
    /// <summary>The largest magnitude a logit is given.</summary>
    public const double LogitLimit = 700;

    /// <summary>σ(x) = 1 / (1 + e^−x), stable for every argument (never overflows; exact 0 and 1 only in the far tails).</summary>
    /// <param name="x">The argument.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sigmoid(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }

    /// <summary>softplus(x) = log(1 + eˣ) = −log σ(−x), stable for every argument.</summary>
    /// <param name="x">The argument.</param>
    public static double Softplus(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        double u = 1.0 + e;

        // log1p(e) = log(u)·e/(u − 1): the rounding of u cancels; where u rounds to 1, log1p(e) = e to working precision.
        double log1p = u == 1.0 ? e : Math.Log(u) * e / (u - 1.0);
        return Math.Max(x, 0.0) + log1p;
    }

    /// <summary>Clamps a logit to ±<see cref="LogitLimit"/>.</summary>
    /// <param name="x">The logit.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Clamp(double x) => Math.Clamp(x, -LogitLimit, LogitLimit);

    /// <summary>
    /// One damped parallel step of every latent of one row: with the couplings r = G·ĥ of the current means,
    /// ℓᵢ* = bᵢ + τ·(cᵢ − rᵢ + Gᵢᵢ·ĥᵢ), ℓᵢ ← δ·ℓᵢ + (1 − δ)·ℓᵢ* (clamped), ĥᵢ ← σ(ℓᵢ).
    /// </summary>
    /// <param name="bias">b: the prior logits (H).</param>
    /// <param name="drive">c: the row's data term minus half the diagonal, cᵢ = (Wᵀβv)ᵢ − ½Gᵢᵢ (H).</param>
    /// <param name="coupling">r = G·ĥ of the means before the step (H).</param>
    /// <param name="diagonal">Gᵢᵢ (H).</param>
    /// <param name="scale">τ, the inverse temperature of the likelihood (1 without annealing).</param>
    /// <param name="damping">δ in [0, 1): the weight kept on the old logit.</param>
    /// <param name="logits">ℓ (H), updated.</param>
    /// <param name="means">ĥ = σ(ℓ) (H), updated.</param>
    /// <returns>The largest change of a mean, max |ĥᵢ(new) − ĥᵢ(old)|.</returns>
    public static double ParallelStep(ReadOnlySpan<double> bias, ReadOnlySpan<double> drive, ReadOnlySpan<double> coupling,
        ReadOnlySpan<double> diagonal, double scale, double damping, Span<double> logits, Span<double> means)
    {
        int h = logits.Length;
        int j = 0;
        double change = 0;
        if (Simd256<double>.IsHardwareAccelerated && h >= Simd256<double>.Count)
        {
            (j, change) = ParallelStep<Vector256<double>, Simd256<double>>(bias, drive, coupling, diagonal, scale, damping, logits, means);
        }

        for (; j < h; j++)
        {
            double target = bias[j] + scale * (drive[j] - coupling[j] + diagonal[j] * means[j]);
            double l = Clamp(damping * logits[j] + (1 - damping) * target);
            double m = Sigmoid(l);
            change = Math.Max(change, Math.Abs(m - means[j]));
            logits[j] = l;
            means[j] = m;
        }

        return change;
    }

    /// <summary>The whole vectors of <see cref="ParallelStep(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, double, double, Span{double}, Span{double})"/>; returns the first index not done and the largest change.</summary>
    internal static (int Next, double Change) ParallelStep<TVec, TOps>(ReadOnlySpan<double> bias, ReadOnlySpan<double> drive,
        ReadOnlySpan<double> coupling, ReadOnlySpan<double> diagonal, double scale, double damping, Span<double> logits, Span<double> means)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        ref double rb = ref MemoryMarshal.GetReference(bias);
        ref double rc = ref MemoryMarshal.GetReference(drive);
        ref double rr = ref MemoryMarshal.GetReference(coupling);
        ref double rg = ref MemoryMarshal.GetReference(diagonal);
        ref double rl = ref MemoryMarshal.GetReference(logits);
        ref double rm = ref MemoryMarshal.GetReference(means);
        TVec tau = TOps.Create(scale), keep = TOps.Create(damping), take = TOps.Create(1 - damping);
        TVec low = TOps.Create(-LogitLimit), high = TOps.Create(LogitLimit);
        TVec signMask = TOps.CreateBits(0x8000000000000000UL);
        TVec change = TOps.Zero;
        int h = logits.Length, j = 0;
        for (; j <= h - TOps.Count; j += TOps.Count)
        {
            nuint o = (nuint)j;
            TVec m = TOps.Load(ref rm, o);
            TVec inner = TOps.MultiplyAdd(TOps.Load(ref rg, o), m, TOps.Subtract(TOps.Load(ref rc, o), TOps.Load(ref rr, o)));
            TVec target = TOps.MultiplyAdd(tau, inner, TOps.Load(ref rb, o));
            TVec l = TOps.MultiplyAdd(keep, TOps.Load(ref rl, o), TOps.Multiply(take, target));
            l = TOps.Min(TOps.Max(l, low), high);
            TVec e = ElementwiseMath.ExpCore<TVec, TOps>(TOps.Or(l, signMask)); // exp(−|ℓ|), in the fast range
            TVec d = TOps.Add(TOps.One, e);
            TVec s = TOps.Divide(TOps.ConditionalSelect(TOps.CompareGreaterThanOrEqual(l, TOps.Zero), TOps.One, e), d);
            TVec diff = TOps.Subtract(s, m);
            change = TOps.Max(change, TOps.Max(diff, TOps.Subtract(TOps.Zero, diff)));
            TOps.Store(l, ref rl, o);
            TOps.Store(s, ref rm, o);
        }

        double max = 0;
        for (int k = 0; k < TOps.Count; k++)
        {
            max = Math.Max(max, TOps.GetElement(change, k));
        }

        return (j, max);
    }

    /// <summary>
    /// One sequential sweep over the latents of one row, in index order: ℓᵢ = bᵢ + τ·(cᵢ − Σ_{j≠i} Gᵢⱼĥⱼ), ĥᵢ = σ(ℓᵢ), and
    /// the couplings r = G·ĥ updated after each latent (r += Δĥᵢ·G[i, :]), so each latent sees the latest values of the
    /// others. Each step maximises the row's lower bound in ĥᵢ exactly (at τ = 1), so the bound never decreases.
    /// </summary>
    /// <param name="bias">b (H).</param>
    /// <param name="drive">c (H), as in <see cref="ParallelStep(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, double, double, Span{double}, Span{double})"/>.</param>
    /// <param name="gram">G (H × H, symmetric, row-major).</param>
    /// <param name="scale">τ.</param>
    /// <param name="coupling">r = G·ĥ of the current means (H), kept up to date.</param>
    /// <param name="logits">ℓ (H), updated.</param>
    /// <param name="means">ĥ (H), updated.</param>
    /// <returns>The largest change of a mean.</returns>
    public static double SequentialSweep(ReadOnlySpan<double> bias, ReadOnlySpan<double> drive, ReadOnlySpan<double> gram,
        double scale, Span<double> coupling, Span<double> logits, Span<double> means)
    {
        int h = logits.Length;
        double change = 0;
        ref double rr = ref MemoryMarshal.GetReference(coupling);
        for (int i = 0; i < h; i++)
        {
            double gii = gram[i * h + i];
            double l = Clamp(bias[i] + scale * (drive[i] - (coupling[i] - gii * means[i])));
            double m = Sigmoid(l);
            double delta = m - means[i];
            logits[i] = l;
            means[i] = m;
            if (delta != 0)
            {
                change = Math.Max(change, Math.Abs(delta));
                RowReductions.AddScaled(ref rr, ref MemoryMarshal.GetReference(gram.Slice(i * h, h)), delta, h);
            }
        }

        return change;
    }
}
