namespace LatentModels.LinearAlgebra;

/// <summary>
/// The one vector abstraction of the kernel: the operations on a SIMD register <typeparamref name="TVec"/> of
/// <typeparamref name="T"/> lanes (double or float) that the kernel bodies need, as an operator struct (static abstract
/// members), in the manner of <c>TensorPrimitives</c>. Every kernel operation is written once, generic over
/// <c>&lt;TVec, TOps&gt;</c>, and instantiated with (<c>Vector128&lt;T&gt;</c>, <see cref="Simd128{T}"/>),
/// (<c>Vector256&lt;T&gt;</c>, <see cref="Simd256{T}"/>) or (<c>Vector512&lt;T&gt;</c>, <see cref="Simd512{T}"/>); the JIT
/// specialises each instantiation (value-type generics) and inlines the members, so a generic body compiles to the same
/// instructions as a hand-written one of that width.
/// </summary>
/// <remarks>
/// <para>This plays the part of <c>ISimdVector&lt;TVec, T&gt;</c> of .NET 9+, which the net8.0 target lacks. Members mirror
/// the static <c>Vector128/256/512</c> methods one to one (same semantics, same rounding), with two additions:
/// <see cref="FusedMultiplyAdd"/> is always fused (hardware FMA, or lane by lane <see cref="Math.FusedMultiplyAdd"/>
/// where the machine has none), so a vector lane and the scalar tail agree bit for bit; and a few integer views of the
/// lanes (64-bit lanes for double, 32-bit for float) for the exponent arithmetic of exp and log.</para>
/// <para>Why operator structs over the plain vector types and not wrapper structs around them: with a wrapper
/// (<c>readonly struct V { Vector512&lt;double&gt; Value; }</c>) every result reaches its variable through a struct copy,
/// and the JIT (net10.0) then no longer sees "acc = fma(a, b, acc)": it emits <c>vfmadd213pd</c> into a dying operand
/// plus a <c>vmovaps</c> back, and stops folding loads and broadcasts into the FMA. Over the plain vector type the
/// generic body compiles to exactly the hand-written instruction sequence (checked in the JIT disassembly).</para>
/// </remarks>
/// <typeparam name="TVec">The register type (<c>Vector128&lt;T&gt;</c>, <c>Vector256&lt;T&gt;</c> or <c>Vector512&lt;T&gt;</c>).</typeparam>
/// <typeparam name="T">The lane type (double or float).</typeparam>
internal interface IVectorOps<TVec, T>
    where TVec : struct
    where T : unmanaged
{
    /// <summary>Number of lanes.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on hardware vectors here.</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TVec Zero { get; }

    /// <summary>All lanes one.</summary>
    static abstract TVec One { get; }

    /// <summary>All lanes <paramref name="value"/>.</summary>
    static abstract TVec Create(T value);

    /// <summary>Loads Count values from <paramref name="source"/> + <paramref name="offset"/> (no alignment required).</summary>
    static abstract TVec Load(ref T source, nuint offset);

    /// <summary>Stores the lanes at <paramref name="destination"/> + <paramref name="offset"/>.</summary>
    static abstract void Store(TVec value, ref T destination, nuint offset);

    /// <summary>Lane-wise a + b.</summary>
    static abstract TVec Add(TVec a, TVec b);

    /// <summary>Lane-wise a − b.</summary>
    static abstract TVec Subtract(TVec a, TVec b);

    /// <summary>Lane-wise a · b.</summary>
    static abstract TVec Multiply(TVec a, TVec b);

    /// <summary>Lane-wise a / b.</summary>
    static abstract TVec Divide(TVec a, TVec b);

    /// <summary>Lane-wise square root (correctly rounded, as <c>Vector256.Sqrt</c>).</summary>
    static abstract TVec Sqrt(TVec x);

    /// <summary>Bitwise a &amp; b.</summary>
    static abstract TVec And(TVec a, TVec b);

    /// <summary>Bitwise a | b.</summary>
    static abstract TVec Or(TVec a, TVec b);

    /// <summary>a · b + c with one rounding (hardware FMA; lane by lane <see cref="Math.FusedMultiplyAdd"/> without).</summary>
    static abstract TVec FusedMultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>c − a · b with one rounding (hardware FMA; lane by lane <see cref="Math.FusedMultiplyAdd"/> without).</summary>
    static abstract TVec FusedMultiplySubtract(TVec a, TVec b, TVec c);

    /// <summary>
    /// a · b + c: fused where the hardware has FMA, otherwise a rounded product then a sum (the fast form for hot loops
    /// whose bits only need to agree with themselves; the GEMM micro-kernels and the mixture loops use it).
    /// </summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>c − a · b: fused where the hardware has FMA, otherwise rounded product then difference.</summary>
    static abstract TVec MultiplySubtract(TVec a, TVec b, TVec c);

    /// <summary>Lane-wise maximum (as <c>Vector256.Max</c>).</summary>
    static abstract TVec Max(TVec a, TVec b);

    /// <summary>Lane-wise minimum (as <c>Vector256.Min</c>).</summary>
    static abstract TVec Min(TVec a, TVec b);

    /// <summary>Bitwise select: mask bits set take <paramref name="whenTrue"/>.</summary>
    static abstract TVec ConditionalSelect(TVec mask, TVec whenTrue, TVec whenFalse);

    /// <summary>All-bits mask where a = b.</summary>
    static abstract TVec CompareEqual(TVec a, TVec b);

    /// <summary>All-bits mask where a &lt; b.</summary>
    static abstract TVec CompareLessThan(TVec a, TVec b);

    /// <summary>All-bits mask where a ≤ b.</summary>
    static abstract TVec CompareLessThanOrEqual(TVec a, TVec b);

    /// <summary>All-bits mask where a &gt; b.</summary>
    static abstract TVec CompareGreaterThan(TVec a, TVec b);

    /// <summary>All-bits mask where a ≥ b.</summary>
    static abstract TVec CompareGreaterThanOrEqual(TVec a, TVec b);

    /// <summary>True when every lane of a mask is all bits set.</summary>
    static abstract bool AllTrue(TVec mask);

    /// <summary>The sum of the lanes (the order of <c>VectorNNN.Sum</c>).</summary>
    static abstract T Sum(TVec x);

    /// <summary>Lane <paramref name="index"/>.</summary>
    static abstract T GetElement(TVec x, int index);

    /// <summary>Lanes viewed as integers (64-bit for double, 32-bit for float), shifted left.</summary>
    static abstract TVec ShiftLeftBits(TVec x, int count);

    /// <summary>Lanes viewed as unsigned integers, shifted right (logical).</summary>
    static abstract TVec ShiftRightLogicalBits(TVec x, int count);

    /// <summary>Lanes viewed as integers, added (wrapping).</summary>
    static abstract TVec AddBits(TVec a, TVec b);

    /// <summary>All lanes hold the bit pattern <paramref name="bits"/> (its low 32 bits for float).</summary>
    static abstract TVec CreateBits(ulong bits);
}
