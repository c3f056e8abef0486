using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// Short vectorised row operations for the per-row loops of K-Means and the mixture statistics: sums, dot products,
/// squared distances, weighted squared deviations and row updates (acc += w·x, acc += x, acc += w·(x − m)). Inlined at
/// the call site (no call overhead for small d); every reduction runs in a fixed order independent of alignment.
/// </summary>
/// <remarks>
/// Each operation has one body, generic over the vector width; the public forms run it on four-wide vectors (the width
/// the library's results were fixed at), and the tests run the generic form at every width.
/// </remarks>
internal static class RowReductions
{
    /// <summary>Σᵢ xᵢ in a fixed order (independent of alignment).</summary>
    /// <param name="x">The values.</param>
    public static double Sum(ReadOnlySpan<double> x) => Sum<Vector256<double>, Simd256<double>>(x);

    /// <summary><see cref="Sum(ReadOnlySpan{double})"/> at a forced width (two vector accumulators).</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="x">The values.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Sum<TVec, TOps>(ReadOnlySpan<double> x)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (TOps.IsHardwareAccelerated && n >= 2 * TOps.Count)
        {
            ref double rx = ref MemoryMarshal.GetReference(x);
            TVec a0 = TOps.Zero, a1 = TOps.Zero;
            for (; i <= n - 2 * TOps.Count; i += 2 * TOps.Count)
            {
                a0 = TOps.Add(a0, TOps.Load(ref rx, (nuint)i));
                a1 = TOps.Add(a1, TOps.Load(ref rx, (nuint)(i + TOps.Count)));
            }

            s = TOps.Sum(TOps.Add(a0, a1));
        }

        for (; i < n; i++)
        {
            s += x[i];
        }

        return s;
    }

    /// <summary>Σᵢ xᵢyᵢ in a fixed order (independent of alignment).</summary>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector (at least as long).</param>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dot<Vector256<double>, Simd256<double>>(x, y);

    /// <summary><see cref="Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/> at a forced width (two vector accumulators).</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector (at least as long).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Dot<TVec, TOps>(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (TOps.IsHardwareAccelerated && n >= 2 * TOps.Count)
        {
            ref double rx = ref MemoryMarshal.GetReference(x);
            ref double ry = ref MemoryMarshal.GetReference(y);
            TVec a0 = TOps.Zero, a1 = TOps.Zero;
            for (; i <= n - 2 * TOps.Count; i += 2 * TOps.Count)
            {
                a0 = TOps.MultiplyAdd(TOps.Load(ref rx, (nuint)i), TOps.Load(ref ry, (nuint)i), a0);
                a1 = TOps.MultiplyAdd(TOps.Load(ref rx, (nuint)(i + TOps.Count)), TOps.Load(ref ry, (nuint)(i + TOps.Count)), a1);
            }

            s = TOps.Sum(TOps.Add(a0, a1));
        }

        for (; i < n; i++)
        {
            s += x[i] * y[i];
        }

        return s;
    }

    /// <summary>Σᵢ rᵢ (xᵢ − m)² in a fixed order.</summary>
    /// <param name="r">The weights.</param>
    /// <param name="x">The values (at least as many).</param>
    /// <param name="m">The center.</param>
    public static double WeightedSquaredDeviation(ReadOnlySpan<double> r, ReadOnlySpan<double> x, double m) =>
        WeightedSquaredDeviation<Vector256<double>, Simd256<double>>(r, x, m);

    /// <summary><see cref="WeightedSquaredDeviation(ReadOnlySpan{double}, ReadOnlySpan{double}, double)"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="r">The weights.</param>
    /// <param name="x">The values (at least as many).</param>
    /// <param name="m">The center.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double WeightedSquaredDeviation<TVec, TOps>(ReadOnlySpan<double> r, ReadOnlySpan<double> x, double m)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int n = r.Length, i = 0;
        double s = 0;
        if (TOps.IsHardwareAccelerated && n >= 2 * TOps.Count)
        {
            ref double rr = ref MemoryMarshal.GetReference(r);
            ref double rx = ref MemoryMarshal.GetReference(x);
            TVec vm = TOps.Create(m), a0 = TOps.Zero, a1 = TOps.Zero;
            for (; i <= n - 2 * TOps.Count; i += 2 * TOps.Count)
            {
                TVec z0 = TOps.Subtract(TOps.Load(ref rx, (nuint)i), vm);
                TVec z1 = TOps.Subtract(TOps.Load(ref rx, (nuint)(i + TOps.Count)), vm);
                a0 = TOps.MultiplyAdd(TOps.Multiply(TOps.Load(ref rr, (nuint)i), z0), z0, a0);
                a1 = TOps.MultiplyAdd(TOps.Multiply(TOps.Load(ref rr, (nuint)(i + TOps.Count)), z1), z1, a1);
            }

            s = TOps.Sum(TOps.Add(a0, a1));
        }

        for (; i < n; i++)
        {
            double z = x[i] - m;
            s += r[i] * z * z;
        }

        return s;
    }

    /// <summary>‖a − b‖² computed directly (not through the norm expansion), one vector accumulator.</summary>
    /// <param name="a">The first row.</param>
    /// <param name="b">The second row.</param>
    /// <param name="d">The length.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SquaredDistance(ref double a, ref double b, int d) => SquaredDistance<Vector256<double>, Simd256<double>>(ref a, ref b, d);

    /// <summary>‖a − b‖² of two spans (as long as <paramref name="a"/>).</summary>
    /// <param name="a">The first row.</param>
    /// <param name="b">The second row.</param>
    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        SquaredDistance<Vector256<double>, Simd256<double>>(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);

    /// <summary><see cref="SquaredDistance(ref double, ref double, int)"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="a">The first row.</param>
    /// <param name="b">The second row.</param>
    /// <param name="d">The length.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double SquaredDistance<TVec, TOps>(ref double a, ref double b, int d)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int p = 0;
        double s = 0;
        if (TOps.IsHardwareAccelerated && d >= TOps.Count)
        {
            TVec acc = TOps.Zero;
            for (; p + TOps.Count <= d; p += TOps.Count)
            {
                TVec diff = TOps.Subtract(TOps.Load(ref a, (nuint)p), TOps.Load(ref b, (nuint)p));
                acc = TOps.Add(acc, TOps.Multiply(diff, diff));
            }

            s = TOps.Sum(acc);
        }

        for (; p < d; p++)
        {
            double diff = Unsafe.Add(ref a, p) - Unsafe.Add(ref b, p);
            s += diff * diff;
        }

        return s;
    }

    /// <summary>acc += w·x (rounded product, then sum, in every lane and in the tail).</summary>
    /// <param name="acc">The accumulator row.</param>
    /// <param name="x">The row to add.</param>
    /// <param name="w">The weight.</param>
    /// <param name="d">The length.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(ref double acc, ref double x, double w, int d) => AddScaled<Vector256<double>, Simd256<double>>(ref acc, ref x, w, d);

    /// <summary><see cref="AddScaled(ref double, ref double, double, int)"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="acc">The accumulator row.</param>
    /// <param name="x">The row to add.</param>
    /// <param name="w">The weight.</param>
    /// <param name="d">The length.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddScaled<TVec, TOps>(ref double acc, ref double x, double w, int d)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int p = 0;
        if (TOps.IsHardwareAccelerated)
        {
            TVec wv = TOps.Create(w);
            for (; p + TOps.Count <= d; p += TOps.Count)
            {
                TOps.Store(TOps.Add(TOps.Load(ref acc, (nuint)p), TOps.Multiply(wv, TOps.Load(ref x, (nuint)p))), ref acc, (nuint)p);
            }
        }

        for (; p < d; p++)
        {
            Unsafe.Add(ref acc, p) += w * Unsafe.Add(ref x, p);
        }
    }

    /// <summary>acc += x.</summary>
    /// <param name="acc">The accumulator row.</param>
    /// <param name="x">The row to add.</param>
    /// <param name="d">The length.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ref double acc, ref double x, int d) => Add<Vector256<double>, Simd256<double>>(ref acc, ref x, d);

    /// <summary><see cref="Add(ref double, ref double, int)"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="acc">The accumulator row.</param>
    /// <param name="x">The row to add.</param>
    /// <param name="d">The length.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Add<TVec, TOps>(ref double acc, ref double x, int d)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int p = 0;
        if (TOps.IsHardwareAccelerated)
        {
            for (; p + TOps.Count <= d; p += TOps.Count)
            {
                TOps.Store(TOps.Add(TOps.Load(ref acc, (nuint)p), TOps.Load(ref x, (nuint)p)), ref acc, (nuint)p);
            }
        }

        for (; p < d; p++)
        {
            Unsafe.Add(ref acc, p) += Unsafe.Add(ref x, p);
        }
    }

    /// <summary>acc += w·(x − m).</summary>
    /// <param name="acc">The accumulator row.</param>
    /// <param name="x">The row.</param>
    /// <param name="m">The center subtracted from the row.</param>
    /// <param name="w">The weight.</param>
    /// <param name="d">The length.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddCentered(ref double acc, ref double x, ref double m, double w, int d) =>
        AddCentered<Vector256<double>, Simd256<double>>(ref acc, ref x, ref m, w, d);

    /// <summary><see cref="AddCentered(ref double, ref double, ref double, double, int)"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="acc">The accumulator row.</param>
    /// <param name="x">The row.</param>
    /// <param name="m">The center subtracted from the row.</param>
    /// <param name="w">The weight.</param>
    /// <param name="d">The length.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddCentered<TVec, TOps>(ref double acc, ref double x, ref double m, double w, int d)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        int p = 0;
        if (TOps.IsHardwareAccelerated)
        {
            TVec wv = TOps.Create(w);
            for (; p + TOps.Count <= d; p += TOps.Count)
            {
                TVec z = TOps.Subtract(TOps.Load(ref x, (nuint)p), TOps.Load(ref m, (nuint)p));
                TOps.Store(TOps.Add(TOps.Load(ref acc, (nuint)p), TOps.Multiply(wv, z)), ref acc, (nuint)p);
            }
        }

        for (; p < d; p++)
        {
            Unsafe.Add(ref acc, p) += w * (Unsafe.Add(ref x, p) - Unsafe.Add(ref m, p));
        }
    }
}
