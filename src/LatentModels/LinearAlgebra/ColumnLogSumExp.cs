using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// Column-wise log-sum-exp and normalisation of a component-major K × rows block of log-weights (one row of the buffer
/// per component, one column per data row): the mixture E-step's responsibilities and log-normalisers.
/// </summary>
/// <remarks>
/// One fused pass per group of columns (maximum, exponentials and their sum, reciprocal scaling, logarithm of the sum)
/// with the kernel's vectorised exp and log, so the block is read and written once. The group body is written once for
/// every vector width; every column goes through the same lane operations whatever the width, and a partial group at
/// the end goes through the same vector code on a padded copy, so a column's result never depends on where it sits.
/// </remarks>
internal static class ColumnLogSumExp
{
    /// <summary>
    /// Lower clamp for the shifted log-weights before <c>exp</c>: exp(−700) ≈ 1e-304, inside the range where the
    /// vectorised exponential needs no checks; the clamped terms are flushed to zero afterwards
    /// (<see cref="FlushThreshold"/>), which changes nothing at double precision since every column holds a term equal to 1.
    /// </summary>
    private const double ExpClamp = -700;

    /// <summary>Probabilities at or below this (≈ 2·exp(<see cref="ExpClamp"/>)) become exactly zero (no subnormals later).</summary>
    private const double FlushThreshold = 2e-304;

    /// <summary>
    /// Every column of <paramref name="values"/> (K × rows, row stride <paramref name="stride"/>) becomes exp(v − LSE)
    /// and its log-sum-exp goes to <paramref name="logNormalizers"/>. The column maximum is subtracted first. A column
    /// that is entirely −∞ gets LSE −∞ and zero probabilities.
    /// </summary>
    /// <param name="values">K × rows log-weights, overwritten with probabilities.</param>
    /// <param name="k">K, the number of components (≥ 1).</param>
    /// <param name="rows">Number of columns.</param>
    /// <param name="stride">Row stride of the block (≥ rows).</param>
    /// <param name="logNormalizers">rows log-sum-exp values.</param>
    /// <param name="scratch">At least 4·K values for the padded last group (else a stack or heap buffer is used).</param>
    public static void Normalize(Span<double> values, int k, int rows, int stride, Span<double> logNormalizers, Span<double> scratch)
    {
        if (!Simd256<double>.IsHardwareAccelerated)
        {
            Check(values, k, rows, stride, logNormalizers);
            NormalizeScalar(values, k, rows, stride, logNormalizers);
        }
        else if (Simd512<double>.IsHardwareAccelerated)
        {
            Normalize<Vector512<double>, Simd512<double>>(values, k, rows, stride, logNormalizers, scratch);
        }
        else
        {
            Normalize<Vector256<double>, Simd256<double>>(values, k, rows, stride, logNormalizers, scratch);
        }
    }

    /// <summary>
    /// <see cref="Normalize(Span{double}, int, int, int, Span{double}, Span{double})"/> with the widest vector forced
    /// (tests run every width): groups of <typeparamref name="TVec"/>, then groups of four, then the padded four-wide tail.
    /// </summary>
    /// <typeparam name="TVec">The widest register type to use.</typeparam>
    /// <typeparam name="TOps">Its operations.</typeparam>
    internal static void Normalize<TVec, TOps>(Span<double> values, int k, int rows, int stride, Span<double> logNormalizers, Span<double> scratch)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        Check(values, k, rows, stride, logNormalizers);
        ref double rv = ref MemoryMarshal.GetReference(values);
        ref double rl = ref MemoryMarshal.GetReference(logNormalizers);
        int i = 0;
        for (; i <= rows - TOps.Count; i += TOps.Count)
        {
            TOps.Store(NormalizeGroup<TVec, TOps>(ref Unsafe.Add(ref rv, i), k, stride), ref rl, (nuint)i);
        }

        for (; i <= rows - 4; i += 4)
        {
            Simd256<double>.Store(NormalizeGroup<Vector256<double>, Simd256<double>>(ref Unsafe.Add(ref rv, i), k, stride), ref rl, (nuint)i);
        }

        if (i < rows)
        {
            // Pad the last columns (copies of the block's values, finite padding) into the scratch, K × 4.
            int tail = rows - i;
            Span<double> pad = scratch.Length >= 4 * k ? scratch[..(4 * k)] : 4 * k <= 512 ? stackalloc double[4 * k] : new double[4 * k];
            pad.Clear();
            for (int c = 0; c < k; c++)
            {
                values.Slice(c * stride + i, tail).CopyTo(pad.Slice(c * 4, 4));
            }

            Vector256<double> lse = NormalizeGroup<Vector256<double>, Simd256<double>>(ref MemoryMarshal.GetReference(pad), k, 4);
            for (int c = 0; c < k; c++)
            {
                pad.Slice(c * 4, tail).CopyTo(values.Slice(c * stride + i, tail));
            }

            for (int t = 0; t < tail; t++)
            {
                logNormalizers[i + t] = Simd256<double>.GetElement(lse, t);
            }
        }
    }

    private static void Check(Span<double> values, int k, int rows, int stride, Span<double> logNormalizers)
    {
        if (k < 1 || rows < 0 || stride < rows || values.Length < (k - 1) * stride + rows || logNormalizers.Length < rows)
        {
            throw new ArgumentException("The block does not hold K × rows values with the given stride.", nameof(values));
        }
    }

    /// <summary>Normalises <c>TOps.Count</c> columns in place (entries at c·stride + lane) and returns their log-sum-exp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec NormalizeGroup<TVec, TOps>(ref double v, int k, int stride)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, double>
    {
        TVec max = TOps.Load(ref v, 0);
        for (int c = 1; c < k; c++)
        {
            max = TOps.Max(max, TOps.Load(ref v, (nuint)(c * stride)));
        }

        // Columns that are entirely −∞ are shifted by 0: every term clamps, flushes to 0, and the sum is 0.
        max = TOps.ConditionalSelect(TOps.CompareEqual(max, TOps.Create(double.NegativeInfinity)), TOps.Zero, max);
        TVec lo = TOps.Create(ExpClamp), flush = TOps.Create(FlushThreshold);
        TVec sum = TOps.Zero;
        for (int c = 0; c < k; c++)
        {
            TVec e = ElementwiseMath.ExpCore<TVec, TOps>(TOps.Max(TOps.Subtract(TOps.Load(ref v, (nuint)(c * stride)), max), lo));
            e = TOps.ConditionalSelect(TOps.CompareGreaterThan(e, flush), e, TOps.Zero);
            TOps.Store(e, ref v, (nuint)(c * stride));
            sum = TOps.Add(sum, e);
        }

        TVec positive = TOps.CompareGreaterThan(sum, TOps.Zero);
        TVec inverse = TOps.ConditionalSelect(positive, TOps.Divide(TOps.One, sum), TOps.Zero);
        for (int c = 0; c < k; c++)
        {
            TOps.Store(TOps.Multiply(TOps.Load(ref v, (nuint)(c * stride)), inverse), ref v, (nuint)(c * stride));
        }

        return TOps.Add(max, ElementwiseMath.Log<TVec, TOps>(sum));
    }

    private static void NormalizeScalar(Span<double> values, int k, int rows, int stride, Span<double> logNormalizers)
    {
        for (int i = 0; i < rows; i++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                max = Math.Max(max, values[c * stride + i]);
            }

            if (double.IsNegativeInfinity(max))
            {
                max = 0;
            }

            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                double e = Math.Exp(Math.Max(values[c * stride + i] - max, ExpClamp));
                e = e > FlushThreshold ? e : 0;
                values[c * stride + i] = e;
                sum += e;
            }

            double inverse = sum > 0 ? 1 / sum : 0;
            for (int c = 0; c < k; c++)
            {
                values[c * stride + i] *= inverse;
            }

            logNormalizers[i] = max + Math.Log(sum);
        }
    }
}
