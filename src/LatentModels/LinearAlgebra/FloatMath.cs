using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// Vectorised single-precision element-wise functions for neural-network layers (the VAE's encoder and decoder):
/// exp, log, the logistic sigmoid, softplus and tanh, over spans, each with one body for every vector width.
/// </summary>
/// <remarks>
/// <para><c>exp</c>: x = k·ln 2 + r with k = round(x / ln 2) and |r| ≤ ln 2 / 2 (Cody–Waite, two-part ln 2), exp(r) by
/// its Taylor polynomial of degree 7 (truncation below 6·10⁻⁹), scaled by 2ᵏ built in the exponent field. <c>log</c>:
/// x = 2ᵉ·m with m in [√½, √2), log m = 2·atanh(s), s = (m − 1)/(m + 1), by its odd series to s⁹, plus e·ln 2 in two
/// parts. Both within a few units in the last place of <see cref="MathF.Exp"/> / <see cref="MathF.Log(float)"/>.
/// Vectors holding arguments outside the fast range (exp: below −87.3 or above 88.37, or NaN; log: zero, negative,
/// subnormal, infinite, NaN) take <see cref="MathF.Exp"/> / <see cref="MathF.Log(float)"/> lane by lane for those lanes.</para>
/// <para>Stable forms: sigmoid(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) below, with e = exp(−|x|), so neither branch
/// overflows and tiny results keep their relative accuracy; softplus(x) = max(x, 0) + log1p(exp(−|x|)) with log1p(e)
/// evaluated as log(u)·e/(u − 1), u = 1 + e (exact when u rounds to 1); tanh by its Taylor polynomial below |x| = 0.4 and
/// (1 − e)/(1 + e), e = exp(−2|x|), above.</para>
/// <para>A partial vector at the end of a span is computed by the same vector code on a padded copy, so a value's
/// result never depends on where it sits; results are the same for every vector width (the lanes do the same
/// operations).</para>
/// </remarks>
internal static class FloatMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;          // 9 significant bits: k·Ln2Hi is exact for |k| < 2¹⁵
    private const float Ln2Lo = -2.12194440e-4f;       // ln 2 − Ln2Hi
    private const float RoundMagic = 12582912f;        // 1.5·2²³: adding it rounds to an integer in the low bits
    private const float ExpLow = -87.3f, ExpHigh = 88.37f;
    private const float ExpClamp = -87.3f;

    /// <summary>destination[i] = exp(x[i]). The spans may be the same; otherwise they must not overlap.</summary>
    /// <param name="x">The arguments.</param>
    /// <param name="destination">The results (at least as long).</param>
    public static void Exp(ReadOnlySpan<float> x, Span<float> destination) => Apply<ExpFunction>(x, destination);

    /// <summary>destination[i] = log(x[i]). The spans may be the same; otherwise they must not overlap.</summary>
    /// <param name="x">The arguments.</param>
    /// <param name="destination">The results (at least as long).</param>
    public static void Log(ReadOnlySpan<float> x, Span<float> destination) => Apply<LogFunction>(x, destination);

    /// <summary>destination[i] = 1 / (1 + exp(−x[i])), stable for every x. The spans may be the same.</summary>
    /// <param name="x">The arguments.</param>
    /// <param name="destination">The results (at least as long).</param>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination) => Apply<SigmoidFunction>(x, destination);

    /// <summary>destination[i] = log(1 + exp(x[i])), stable for every x. The spans may be the same.</summary>
    /// <param name="x">The arguments.</param>
    /// <param name="destination">The results (at least as long).</param>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> destination) => Apply<SoftplusFunction>(x, destination);

    /// <summary>destination[i] = tanh(x[i]). The spans may be the same.</summary>
    /// <param name="x">The arguments.</param>
    /// <param name="destination">The results (at least as long).</param>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination) => Apply<TanhFunction>(x, destination);

    /// <summary>exp.</summary>
    internal readonly struct ExpFunction : IElementwiseFunction<float>
    {
        public static float Padding => 0f;

        public static float Scalar(float x) => MathF.Exp(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Vector<TVec, TOps>(TVec x)
            where TVec : struct
            where TOps : struct, IVectorOps<TVec, float> => Exp<TVec, TOps>(x);
    }

    /// <summary>log.</summary>
    internal readonly struct LogFunction : IElementwiseFunction<float>
    {
        public static float Padding => 1f;

        public static float Scalar(float x) => MathF.Log(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Vector<TVec, TOps>(TVec x)
            where TVec : struct
            where TOps : struct, IVectorOps<TVec, float> => Log<TVec, TOps>(x);
    }

    /// <summary>The logistic sigmoid.</summary>
    internal readonly struct SigmoidFunction : IElementwiseFunction<float>
    {
        public static float Padding => 0f;

        public static float Scalar(float x) => (float)(1.0 / (1.0 + Math.Exp(-x)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Vector<TVec, TOps>(TVec x)
            where TVec : struct
            where TOps : struct, IVectorOps<TVec, float> => Sigmoid<TVec, TOps>(x);
    }

    /// <summary>softplus.</summary>
    internal readonly struct SoftplusFunction : IElementwiseFunction<float>
    {
        public static float Padding => 0f;

        public static float Scalar(float x) => x > 30 ? x : (float)Math.Log(1.0 + Math.Exp(x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Vector<TVec, TOps>(TVec x)
            where TVec : struct
            where TOps : struct, IVectorOps<TVec, float> => Softplus<TVec, TOps>(x);
    }

    /// <summary>tanh.</summary>
    internal readonly struct TanhFunction : IElementwiseFunction<float>
    {
        public static float Padding => 0f;

        public static float Scalar(float x) => MathF.Tanh(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Vector<TVec, TOps>(TVec x)
            where TVec : struct
            where TOps : struct, IVectorOps<TVec, float> => Tanh<TVec, TOps>(x);
    }

    /// <summary>The span driver at the widest accelerated width (scalar where no vectors are accelerated).</summary>
    private static void Apply<TFunction>(ReadOnlySpan<float> x, Span<float> destination)
        where TFunction : struct, IElementwiseFunction<float>
    {
        if (Simd512<float>.IsHardwareAccelerated)
        {
            Apply<TFunction, Vector512<float>, Simd512<float>>(x, destination);
        }
        else if (Simd256<float>.IsHardwareAccelerated)
        {
            Apply<TFunction, Vector256<float>, Simd256<float>>(x, destination);
        }
        else if (Simd128<float>.IsHardwareAccelerated)
        {
            Apply<TFunction, Vector128<float>, Simd128<float>>(x, destination);
        }
        else
        {
            ElementwiseDriver.CheckLength(x, destination);
            ElementwiseDriver.Scalar<float, TFunction>(x, destination);
        }
    }

    /// <summary>The span driver at a forced width (tests run every width): whole vectors, then the padded last one.</summary>
    /// <typeparam name="TFunction">The function.</typeparam>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="x">The arguments.</param>
    /// <param name="destination">The results (at least as long).</param>
    internal static void Apply<TFunction, TVec, TOps>(ReadOnlySpan<float> x, Span<float> destination)
        where TFunction : struct, IElementwiseFunction<float>
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        ElementwiseDriver.CheckLength(x, destination);
        int j = ElementwiseDriver.Whole<float, TFunction, TVec, TOps>(x, destination, 0);
        ElementwiseDriver.Tail<float, TFunction, TVec, TOps>(x, destination, j);
    }

    /// <summary>exp of one vector (see the type's remarks for accuracy and special values).</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="x">The arguments.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Exp<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        // Also false for NaN lanes, which therefore take the exact path.
        TVec inRange = TOps.And(TOps.CompareGreaterThanOrEqual(x, TOps.Create(ExpLow)), TOps.CompareLessThanOrEqual(x, TOps.Create(ExpHigh)));
        if (!TOps.AllTrue(inRange))
        {
            return TOps.ConditionalSelect(inRange, ExpCore<TVec, TOps>(TOps.ConditionalSelect(inRange, x, TOps.Zero)), ElementwiseDriver.Exact<float, TVec, TOps, ExpFunction>(x));
        }

        return ExpCore<TVec, TOps>(x);
    }

    /// <summary>exp for arguments known to lie in [−87.3, 88.37] (no checks).</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="x">The arguments.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpCore<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        TVec magic = TOps.Create(RoundMagic);
        TVec t = TOps.MultiplyAdd(x, TOps.Create(Log2E), magic);
        TVec k = TOps.Subtract(t, magic); // round(x / ln 2)
        TVec r = TOps.MultiplyAdd(k, TOps.Create(-Ln2Hi), x);
        r = TOps.MultiplyAdd(k, TOps.Create(-Ln2Lo), r);

        // Taylor polynomial of degree 7, Horner.
        TVec p = TOps.Create(1f / 5040f);
        p = TOps.MultiplyAdd(p, r, TOps.Create(1f / 720f));
        p = TOps.MultiplyAdd(p, r, TOps.Create(1f / 120f));
        p = TOps.MultiplyAdd(p, r, TOps.Create(1f / 24f));
        p = TOps.MultiplyAdd(p, r, TOps.Create(1f / 6f));
        p = TOps.MultiplyAdd(p, r, TOps.Create(0.5f));
        p = TOps.MultiplyAdd(p, r, TOps.One);
        p = TOps.MultiplyAdd(p, r, TOps.One);

        // 2ᵏ: the low bits of t hold k (two's complement); k + 127 lies in [1, 254] here, shifted into the exponent.
        TVec scale = TOps.ShiftLeftBits(TOps.AddBits(t, TOps.CreateBits(127UL)), 23);
        return TOps.Multiply(p, scale);
    }

    /// <summary>log of one vector (see the type's remarks for accuracy and special values).</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="x">The arguments.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Log<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        TVec inRange = TOps.And(TOps.CompareGreaterThanOrEqual(x, TOps.Create(1.17549435e-38f)), TOps.CompareLessThanOrEqual(x, TOps.Create(float.MaxValue)));
        if (!TOps.AllTrue(inRange))
        {
            return TOps.ConditionalSelect(inRange, LogCore<TVec, TOps>(TOps.ConditionalSelect(inRange, x, TOps.One)), ElementwiseDriver.Exact<float, TVec, TOps, LogFunction>(x));
        }

        return LogCore<TVec, TOps>(x);
    }

    /// <summary>log for positive, normal, finite values (no checks).</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="x">The arguments.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec LogCore<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        // Exponent as a float: OR the biased exponent into the mantissa of 2²³, subtract 2²³ + 127.
        TVec e = TOps.Subtract(TOps.Or(TOps.ShiftRightLogicalBits(x, 23), TOps.CreateBits(0x4B000000UL)), TOps.Create(8388608f + 127f));
        TVec m = TOps.Or(TOps.And(x, TOps.CreateBits(0x007FFFFFUL)), TOps.CreateBits(0x3F800000UL));
        TVec big = TOps.CompareGreaterThan(m, TOps.Create(1.41421356f));
        m = TOps.ConditionalSelect(big, TOps.Multiply(m, TOps.Create(0.5f)), m);
        e = TOps.Add(e, TOps.And(big, TOps.One));

        TVec f = TOps.Subtract(m, TOps.One);
        TVec s = TOps.Divide(f, TOps.Add(f, TOps.Create(2f)));
        TVec z = TOps.Multiply(s, s);
        TVec p = TOps.Create(1f / 9f);
        p = TOps.MultiplyAdd(p, z, TOps.Create(1f / 7f));
        p = TOps.MultiplyAdd(p, z, TOps.Create(1f / 5f));
        p = TOps.MultiplyAdd(p, z, TOps.Create(1f / 3f));

        // log m = 2s + 2s·z·p; e·ln 2 added in two parts.
        TVec twoS = TOps.Add(s, s);
        TVec tail = TOps.MultiplyAdd(e, TOps.Create(Ln2Lo), TOps.Multiply(TOps.Multiply(twoS, z), p));
        return TOps.MultiplyAdd(e, TOps.Create(Ln2Hi), TOps.Add(twoS, tail));
    }

    /// <summary>The logistic sigmoid, stable for every argument.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="x">The arguments.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Sigmoid<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        TVec e = Exp<TVec, TOps>(NegativeAbs<TVec, TOps>(x));
        TVec d = TOps.Add(TOps.One, e);
        TVec nonNegative = TOps.CompareGreaterThanOrEqual(x, TOps.Zero);
        return TOps.Divide(TOps.ConditionalSelect(nonNegative, TOps.One, e), d);
    }

    /// <summary>softplus(x) = log(1 + exp(x)), stable for every argument.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="x">The arguments.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Softplus<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        TVec e = Exp<TVec, TOps>(NegativeAbs<TVec, TOps>(x));
        TVec u = TOps.Add(TOps.One, e);

        // log1p(e) = log(u)·e/(u − 1): the rounding of u cancels; where u rounds to 1, log1p(e) = e to working precision.
        TVec exact = TOps.CompareEqual(u, TOps.One);
        TVec denominator = TOps.ConditionalSelect(exact, TOps.One, TOps.Subtract(u, TOps.One));
        TVec log1p = TOps.Divide(TOps.Multiply(LogCore<TVec, TOps>(u), e), denominator);
        log1p = TOps.ConditionalSelect(exact, e, log1p);
        TVec result = TOps.Add(TOps.Max(x, TOps.Zero), log1p);

        // NaN in, NaN out (Max would drop it).
        return TOps.ConditionalSelect(TOps.CompareEqual(x, x), result, x);
    }

    /// <summary>tanh, accurate near zero (Taylor polynomial) and saturating cleanly for large |x|.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    /// <param name="x">The arguments.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Tanh<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        TVec sign = TOps.And(x, TOps.CreateBits(0x80000000UL));
        TVec a = TOps.And(x, TOps.CreateBits(0x7FFFFFFFUL));

        // |x| ≥ 0.4: (1 − e)/(1 + e), e = exp(−2|x|) (clamped: tanh is 1 in float long before the clamp).
        TVec e = ExpCore<TVec, TOps>(TOps.Max(TOps.Multiply(a, TOps.Create(-2f)), TOps.Create(ExpClamp)));
        TVec large = TOps.Divide(TOps.Subtract(TOps.One, e), TOps.Add(TOps.One, e));

        // |x| < 0.4: x + x·z·P(z), z = x², the Taylor series to x¹⁵.
        TVec z = TOps.Multiply(a, a);
        TVec p = TOps.Create(-929569f / 638512875f);
        p = TOps.MultiplyAdd(p, z, TOps.Create(21844f / 6081075f));
        p = TOps.MultiplyAdd(p, z, TOps.Create(-1382f / 155925f));
        p = TOps.MultiplyAdd(p, z, TOps.Create(62f / 2835f));
        p = TOps.MultiplyAdd(p, z, TOps.Create(-17f / 315f));
        p = TOps.MultiplyAdd(p, z, TOps.Create(2f / 15f));
        p = TOps.MultiplyAdd(p, z, TOps.Create(-1f / 3f));
        TVec small = TOps.MultiplyAdd(TOps.Multiply(a, z), p, a);

        TVec magnitude = TOps.ConditionalSelect(TOps.CompareLessThan(a, TOps.Create(0.4f)), small, large);

        // NaN lanes: the comparisons are false, so they would read 'large'; pass them through.
        return TOps.ConditionalSelect(TOps.CompareEqual(x, x), TOps.Or(magnitude, sign), x);
    }

    /// <summary>−|x| (the sign bit set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec NegativeAbs<TVec, TOps>(TVec x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float> => TOps.Or(x, TOps.CreateBits(0x80000000UL));
}
