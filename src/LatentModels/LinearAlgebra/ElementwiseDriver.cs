using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The span driver of every element-wise function (<see cref="ElementwiseMath"/> for double, <see cref="FloatMath"/> for
/// float): whole vectors, then the last values through a padded copy of one vector, so a value's bits never depend on its
/// position in the span.
/// </summary>
internal static class ElementwiseDriver
{
    /// <summary>Throws unless <paramref name="destination"/> is at least as long as <paramref name="x"/>.</summary>
    public static void CheckLength<T>(ReadOnlySpan<T> x, Span<T> destination)
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("The destination is shorter than the input.", nameof(destination));
        }
    }

    /// <summary>The scalar form over the whole span (where no vectors are accelerated).</summary>
    public static void Scalar<T, TFunction>(ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged
        where TFunction : struct, IElementwiseFunction<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = TFunction.Scalar(x[i]);
        }
    }

    /// <summary>Whole vectors of <typeparamref name="TVec"/> from <paramref name="j"/> on; returns the first index not done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Whole<T, TFunction, TVec, TOps>(ReadOnlySpan<T> x, Span<T> destination, int j)
        where T : unmanaged
        where TFunction : struct, IElementwiseFunction<T>
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, T>
    {
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T rd = ref MemoryMarshal.GetReference(destination);
        int n = x.Length;
        for (; j <= n - TOps.Count; j += TOps.Count)
        {
            TOps.Store(TFunction.Vector<TVec, TOps>(TOps.Load(ref rx, (nuint)j)), ref rd, (nuint)j);
        }

        return j;
    }

    /// <summary>The values from <paramref name="j"/> on (fewer than one vector) through one padded vector.</summary>
    public static void Tail<T, TFunction, TVec, TOps>(ReadOnlySpan<T> x, Span<T> destination, int j)
        where T : unmanaged
        where TFunction : struct, IElementwiseFunction<T>
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, T>
    {
        int n = x.Length;
        if (j < n)
        {
            Span<T> pad = stackalloc T[TOps.Count];
            pad.Fill(TFunction.Padding);
            x[j..].CopyTo(pad);
            ref T rp = ref MemoryMarshal.GetReference(pad);
            TOps.Store(TFunction.Vector<TVec, TOps>(TOps.Load(ref rp, 0)), ref rp, 0);
            pad[..(n - j)].CopyTo(destination[j..]);
        }
    }

    /// <summary>The runtime's function lane by lane (the rare vectors holding special values).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TVec Exact<T, TVec, TOps, TFunction>(TVec x)
        where T : unmanaged
        where TVec : struct
        where TOps : struct, IVectorOps<TVec, T>
        where TFunction : struct, IElementwiseFunction<T>
    {
        Span<T> lanes = stackalloc T[TOps.Count];
        for (int i = 0; i < lanes.Length; i++)
        {
            lanes[i] = TFunction.Scalar(TOps.GetElement(x, i));
        }

        return TOps.Load(ref MemoryMarshal.GetReference(lanes), 0);
    }
}
