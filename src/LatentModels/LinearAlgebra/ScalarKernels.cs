using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LatentModels.LinearAlgebra;

/// <summary>Scalar-register helpers that need an intrinsic: a cache prefetch hint and a branch-free maximum.</summary>
internal static class ScalarKernels
{
    /// <summary>A hint to bring the cache lines of <paramref name="count"/> doubles from <paramref name="row"/> into the cache; no effect on results.</summary>
    /// <param name="row">The first value.</param>
    /// <param name="count">The number of values.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(ref double row, int count)
    {
        if (Sse.IsSupported)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref row);
            for (int offset = 0; offset < count * sizeof(double); offset += 64)
            {
                Sse.Prefetch0(p + offset);
            }
        }
    }

    /// <summary>
    /// max(a, b) for values that are never NaN, without a branch (the plain <c>maxsd</c>; <see cref="Math.Max(double, double)"/>
    /// adds NaN and signed-zero handling). Returns <paramref name="b"/> when the two compare equal.
    /// </summary>
    /// <param name="a">The first value.</param>
    /// <param name="b">The second value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxNoNaN(double a, double b) =>
        Sse2.IsSupported
            ? Sse2.MaxScalar(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b)).ToScalar()
            : a > b ? a : b;
}
