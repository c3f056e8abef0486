using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The element-wise parts of a dense layer's back-propagation: the activation's derivative applied to an incoming
/// gradient (from the layer's own outputs, so the pre-activations need not be kept) and the column sums that give the
/// bias gradient.
/// </summary>
/// <remarks>
/// Both are lane-wise with no reductions across lanes: the column sums add the rows in row order in every lane, and the
/// scalar tail does the same operations, so every value's bits are the same for every vector width and position.
/// </remarks>
internal static class DenseBackward
{
    /// <summary>
    /// gradient[i] ← gradient[i]·f′ at the point whose activation is output[i]: ReLU 1 where output &gt; 0 (else 0),
    /// tanh 1 − output², sigmoid output·(1 − output), identity 1.
    /// </summary>
    /// <param name="gradient">∂L/∂output, overwritten with ∂L/∂(pre-activation).</param>
    /// <param name="output">The activations f(pre-activation), at least as long.</param>
    /// <param name="activation">f.</param>
    public static void ActivationGradient(Span<float> gradient, ReadOnlySpan<float> output, Activation activation)
    {
        if (output.Length < gradient.Length)
        {
            throw new ArgumentException("The outputs are shorter than the gradient.", nameof(output));
        }

        if (activation == Activation.Identity)
        {
            return;
        }

        if (Simd512<float>.IsHardwareAccelerated)
        {
            ActivationGradient<Vector512<float>, Simd512<float>>(gradient, output, activation);
        }
        else if (Simd256<float>.IsHardwareAccelerated)
        {
            ActivationGradient<Vector256<float>, Simd256<float>>(gradient, output, activation);
        }
        else
        {
            ActivationGradient<Vector128<float>, Simd128<float>>(gradient, output, activation);
        }
    }

    /// <summary><see cref="ActivationGradient(Span{float}, ReadOnlySpan{float}, Activation)"/> at a forced width.</summary>
    internal static void ActivationGradient<TVec, TOps>(Span<float> gradient, ReadOnlySpan<float> output, Activation activation)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        int n = gradient.Length, j = 0;
        ref float rg = ref MemoryMarshal.GetReference(gradient);
        ref float ro = ref MemoryMarshal.GetReference(output);
        switch (activation)
        {
            case Activation.Relu:
                for (; j <= n - TOps.Count; j += TOps.Count)
                {
                    TVec o = TOps.Load(ref ro, (nuint)j);
                    TOps.Store(TOps.ConditionalSelect(TOps.CompareGreaterThan(o, TOps.Zero), TOps.Load(ref rg, (nuint)j), TOps.Zero), ref rg, (nuint)j);
                }

                for (; j < n; j++)
                {
                    gradient[j] = output[j] > 0f ? gradient[j] : 0f;
                }

                break;
            case Activation.Tanh:
                for (; j <= n - TOps.Count; j += TOps.Count)
                {
                    TVec o = TOps.Load(ref ro, (nuint)j);
                    TVec d = TOps.Subtract(TOps.One, TOps.Multiply(o, o));
                    TOps.Store(TOps.Multiply(TOps.Load(ref rg, (nuint)j), d), ref rg, (nuint)j);
                }

                for (; j < n; j++)
                {
                    float o = output[j];
                    float d = 1f - (o * o);
                    gradient[j] *= d;
                }

                break;
            case Activation.Sigmoid:
                for (; j <= n - TOps.Count; j += TOps.Count)
                {
                    TVec o = TOps.Load(ref ro, (nuint)j);
                    TVec d = TOps.Multiply(o, TOps.Subtract(TOps.One, o));
                    TOps.Store(TOps.Multiply(TOps.Load(ref rg, (nuint)j), d), ref rg, (nuint)j);
                }

                for (; j < n; j++)
                {
                    float o = output[j];
                    float d = o * (1f - o);
                    gradient[j] *= d;
                }

                break;
        }
    }

    /// <summary>sums[j] = Σᵢ matrix[i·columns + j] over the rows in order (the bias gradient of a dense layer).</summary>
    /// <param name="matrix">rows × columns, row-major, contiguous.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="sums">The columns' sums (overwritten; at least <paramref name="columns"/> long).</param>
    public static void ColumnSums(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums)
    {
        if (matrix.Length < (long)rows * columns || sums.Length < columns)
        {
            throw new ArgumentException("The matrix or the sums are shorter than their shapes.", nameof(matrix));
        }

        if (Simd512<float>.IsHardwareAccelerated)
        {
            ColumnSums<Vector512<float>, Simd512<float>>(matrix, rows, columns, sums);
        }
        else if (Simd256<float>.IsHardwareAccelerated)
        {
            ColumnSums<Vector256<float>, Simd256<float>>(matrix, rows, columns, sums);
        }
        else
        {
            ColumnSums<Vector128<float>, Simd128<float>>(matrix, rows, columns, sums);
        }
    }

    /// <summary><see cref="ColumnSums(ReadOnlySpan{float}, int, int, Span{float})"/> at a forced width.</summary>
    internal static void ColumnSums<TVec, TOps>(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        ref float rm = ref MemoryMarshal.GetReference(matrix);
        ref float rs = ref MemoryMarshal.GetReference(sums);
        int j = 0;

        // Four vectors of columns at a time: four independent dependency chains down the rows.
        for (; j <= columns - (4 * TOps.Count); j += 4 * TOps.Count)
        {
            TVec s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
            for (int i = 0; i < rows; i++)
            {
                nuint o = (nuint)((i * columns) + j);
                s0 = TOps.Add(s0, TOps.Load(ref rm, o));
                s1 = TOps.Add(s1, TOps.Load(ref rm, o + (nuint)TOps.Count));
                s2 = TOps.Add(s2, TOps.Load(ref rm, o + (nuint)(2 * TOps.Count)));
                s3 = TOps.Add(s3, TOps.Load(ref rm, o + (nuint)(3 * TOps.Count)));
            }

            TOps.Store(s0, ref rs, (nuint)j);
            TOps.Store(s1, ref rs, (nuint)(j + TOps.Count));
            TOps.Store(s2, ref rs, (nuint)(j + (2 * TOps.Count)));
            TOps.Store(s3, ref rs, (nuint)(j + (3 * TOps.Count)));
        }

        for (; j <= columns - TOps.Count; j += TOps.Count)
        {
            TVec s = TOps.Zero;
            for (int i = 0; i < rows; i++)
            {
                s = TOps.Add(s, TOps.Load(ref rm, (nuint)((i * columns) + j)));
            }

            TOps.Store(s, ref rs, (nuint)j);
        }

        for (; j < columns; j++)
        {
            float s = 0f;
            for (int i = 0; i < rows; i++)
            {
                s += matrix[(i * columns) + j];
            }

            sums[j] = s;
        }
    }
}
