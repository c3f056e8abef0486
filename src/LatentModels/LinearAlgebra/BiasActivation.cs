using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The GEMM epilogue of a dense layer: row[j] ← f(row[j] + bias[j]) for one row segment of C, with f an
/// <see cref="Activation"/>. Called by the blocked GEMM on each column sliver of C right after its last k-panel was
/// written (so the sliver is still in L1), and by the small-product paths on the whole of C.
/// </summary>
/// <remarks>
/// One body for every vector width; the activation is lane-wise (<see cref="FloatMath"/>), and a partial vector at the
/// end of a segment is computed on a padded copy, so a value's result never depends on the blocking, the thread count
/// or the width.
/// </remarks>
internal static class BiasActivation
{
    /// <summary>row[j] ← f(row[j] + bias[j]) for j &lt; row.Length.</summary>
    /// <param name="row">The values (C's row segment), overwritten.</param>
    /// <param name="bias">At least row.Length biases (aligned with the segment).</param>
    /// <param name="activation">f.</param>
    public static void Apply(Span<float> row, ReadOnlySpan<float> bias, Activation activation)
    {
        if (Simd512<float>.IsHardwareAccelerated)
        {
            Apply<Vector512<float>, Simd512<float>>(row, bias, activation);
        }
        else if (Simd256<float>.IsHardwareAccelerated)
        {
            Apply<Vector256<float>, Simd256<float>>(row, bias, activation);
        }
        else
        {
            Apply<Vector128<float>, Simd128<float>>(row, bias, activation);
        }
    }

    /// <summary><see cref="Apply(Span{float}, ReadOnlySpan{float}, Activation)"/> at a forced width.</summary>
    /// <typeparam name="TVec">The register type.</typeparam>
    /// <typeparam name="TOps">Its operations (the vector width).</typeparam>
    /// <param name="row">The values, overwritten.</param>
    /// <param name="bias">At least row.Length biases.</param>
    /// <param name="activation">f.</param>
    internal static void Apply<TVec, TOps>(Span<float> row, ReadOnlySpan<float> bias, Activation activation)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float>
    {
        int n = row.Length, j = 0;
        ref float rr = ref MemoryMarshal.GetReference(row);
        ref float rb = ref MemoryMarshal.GetReference(bias);
        for (; j <= n - TOps.Count; j += TOps.Count)
        {
            TVec v = TOps.Add(TOps.Load(ref rr, (nuint)j), TOps.Load(ref rb, (nuint)j));
            TOps.Store(Activate<TVec, TOps>(v, activation), ref rr, (nuint)j);
        }

        if (j < n)
        {
            Span<float> pad = stackalloc float[TOps.Count];
            pad.Clear();
            ref float rp = ref MemoryMarshal.GetReference(pad);
            for (int t = j; t < n; t++)
            {
                pad[t - j] = row[t] + bias[t];
            }

            TOps.Store(Activate<TVec, TOps>(TOps.Load(ref rp, 0), activation), ref rp, 0);
            pad[..(n - j)].CopyTo(row[j..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Activate<TVec, TOps>(TVec v, Activation activation)
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, float> => activation switch
        {
            Activation.Relu => TOps.ConditionalSelect(TOps.CompareLessThan(v, TOps.Zero), TOps.Zero, v),
            Activation.Tanh => FloatMath.Tanh<TVec, TOps>(v),
            Activation.Sigmoid => FloatMath.Sigmoid<TVec, TOps>(v),
            _ => v,
        };
}
