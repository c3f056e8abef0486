namespace LatentModels.LinearAlgebra;

/// <summary>
/// The one vector abstraction of the kernel: a SIMD register of <typeparamref name="T"/> lanes (double or float) with the
/// operations the kernel bodies need. Every kernel operation is written once, generic over
/// <c>TVec : struct, IVector&lt;TVec, T&gt;</c>, and instantiated for <see cref="Simd128{T}"/>, <see cref="Simd256{T}"/>
/// and <see cref="Simd512{T}"/>; the JIT specialises each instantiation (value-type generics) and inlines the members,
/// so a generic body compiles to the same instructions as a hand-written one of that width.
/// </summary>
/// <remarks>
/// This plays the part of <c>ISimdVector&lt;TSelf, T&gt;</c> of .NET 9+, which the net8.0 target lacks. Members mirror
/// the static <c>Vector128/256/512</c> methods one to one (same semantics, same rounding), with two additions:
/// <see cref="FusedMultiplyAdd"/> is always fused (hardware FMA, or lane by lane <see cref="Math.FusedMultiplyAdd"/>
/// where the machine has none), so a vector lane and the scalar tail agree bit for bit; and a few integer views of the
/// lanes (64-bit lanes for double, 32-bit for float) for the exponent arithmetic of exp and log.
/// </remarks>
/// <typeparam name="TSelf">The implementing wrapper.</typeparam>
/// <typeparam name="T">The lane type (double or float).</typeparam>
internal interface IVector<TSelf, T>
    where TSelf : struct, IVector<TSelf, T>
    where T : unmanaged
{
    /// <summary>Number of lanes.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on hardware vectors here.</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TSelf Zero { get; }

    /// <summary>All lanes one.</summary>
    static abstract TSelf One { get; }

    /// <summary>All lanes <paramref name="value"/>.</summary>
    static abstract TSelf Create(T value);

    /// <summary>Loads Count values from <paramref name="source"/> + <paramref name="offset"/> (no alignment required).</summary>
    static abstract TSelf Load(ref T source, nuint offset);

    /// <summary>Stores the lanes at <paramref name="destination"/> + <paramref name="offset"/>.</summary>
    static abstract void Store(TSelf value, ref T destination, nuint offset);

    /// <summary>Lane-wise a + b.</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);

    /// <summary>Lane-wise a − b.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);

    /// <summary>Lane-wise a · b.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);

    /// <summary>Lane-wise a / b.</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>Bitwise and.</summary>
    static abstract TSelf operator &(TSelf a, TSelf b);

    /// <summary>Bitwise or.</summary>
    static abstract TSelf operator |(TSelf a, TSelf b);

    /// <summary>a · b + c with one rounding (hardware FMA; lane by lane <see cref="Math.FusedMultiplyAdd"/> without).</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>c − a · b with one rounding (hardware FMA; lane by lane <see cref="Math.FusedMultiplyAdd"/> without).</summary>
    static abstract TSelf FusedMultiplySubtract(TSelf a, TSelf b, TSelf c);

    /// <summary>
    /// a · b + c: fused where the hardware has FMA, otherwise a rounded product then a sum (the fast form for hot loops
    /// whose bits only need to agree with themselves; the GEMM micro-kernels and the mixture loops use it).
    /// </summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>c − a · b: fused where the hardware has FMA, otherwise rounded product then difference.</summary>
    static abstract TSelf MultiplySubtract(TSelf a, TSelf b, TSelf c);

    /// <summary>Lane-wise maximum (as <c>Vector256.Max</c>).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>Lane-wise minimum (as <c>Vector256.Min</c>).</summary>
    static abstract TSelf Min(TSelf a, TSelf b);

    /// <summary>Bitwise select: mask bits set take <paramref name="whenTrue"/>.</summary>
    static abstract TSelf ConditionalSelect(TSelf mask, TSelf whenTrue, TSelf whenFalse);

    /// <summary>All-bits mask where a = b.</summary>
    static abstract TSelf CompareEqual(TSelf a, TSelf b);

    /// <summary>All-bits mask where a &lt; b.</summary>
    static abstract TSelf CompareLessThan(TSelf a, TSelf b);

    /// <summary>All-bits mask where a ≤ b.</summary>
    static abstract TSelf CompareLessThanOrEqual(TSelf a, TSelf b);

    /// <summary>All-bits mask where a &gt; b.</summary>
    static abstract TSelf CompareGreaterThan(TSelf a, TSelf b);

    /// <summary>All-bits mask where a ≥ b.</summary>
    static abstract TSelf CompareGreaterThanOrEqual(TSelf a, TSelf b);

    /// <summary>True when every lane of a mask is all bits set.</summary>
    static abstract bool AllTrue(TSelf mask);

    /// <summary>The sum of the lanes (the order of <c>VectorNNN.Sum</c>).</summary>
    static abstract T Sum(TSelf x);

    /// <summary>Lane <paramref name="index"/>.</summary>
    static abstract T GetElement(TSelf x, int index);

    /// <summary>Lanes viewed as integers (64-bit for double, 32-bit for float), shifted left.</summary>
    static abstract TSelf ShiftLeftBits(TSelf x, int count);

    /// <summary>Lanes viewed as unsigned integers, shifted right (logical).</summary>
    static abstract TSelf ShiftRightLogicalBits(TSelf x, int count);

    /// <summary>Lanes viewed as integers, added (wrapping).</summary>
    static abstract TSelf AddBits(TSelf a, TSelf b);

    /// <summary>All lanes hold the bit pattern <paramref name="bits"/> (its low 32 bits for float).</summary>
    static abstract TSelf CreateBits(ulong bits);
}
