using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// <see cref="IVector{TSelf, T}"/> over <see cref="Vector256{T}"/> (256-bit registers). Every member is one
/// aggressively inlined call of the matching <c>Vector256</c> method, so generic kernel bodies instantiated with this
/// type compile to plain 256-bit code.
/// </summary>
/// <typeparam name="T">double or float.</typeparam>
internal readonly struct Simd256<T> : IVector<Simd256<T>, T>
    where T : unmanaged
{
    /// <summary>The register.</summary>
    public readonly Vector256<T> Value;

    /// <summary>Wraps a register.</summary>
    /// <param name="value">The register.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Simd256(Vector256<T> value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<T>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    public static Simd256<T> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector256<T>.Zero);
    }

    /// <inheritdoc/>
    public static Simd256<T> One
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector256<T>.One);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Create(T value) => new(Vector256.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Load(ref T source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Simd256<T> value, ref T destination, nuint offset) => value.Value.StoreUnsafe(ref destination, offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> operator +(Simd256<T> a, Simd256<T> b) => new(a.Value + b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> operator -(Simd256<T> a, Simd256<T> b) => new(a.Value - b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> operator *(Simd256<T> a, Simd256<T> b) => new(a.Value * b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> operator /(Simd256<T> a, Simd256<T> b) => new(a.Value / b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> operator &(Simd256<T> a, Simd256<T> b) => new(a.Value & b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> operator |(Simd256<T> a, Simd256<T> b) => new(a.Value | b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> FusedMultiplyAdd(Simd256<T> a, Simd256<T> b, Simd256<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(Fma.MultiplyAdd(a.Value.AsDouble(), b.Value.AsDouble(), c.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(Fma.MultiplyAdd(a.Value.AsSingle(), b.Value.AsSingle(), c.Value.AsSingle()).As<float, T>());
            }
        }
        return new(FusedLanes(a.Value, b.Value, c.Value, false));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> FusedMultiplySubtract(Simd256<T> a, Simd256<T> b, Simd256<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(Fma.MultiplyAddNegated(a.Value.AsDouble(), b.Value.AsDouble(), c.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(Fma.MultiplyAddNegated(a.Value.AsSingle(), b.Value.AsSingle(), c.Value.AsSingle()).As<float, T>());
            }
        }
        return new(FusedLanes(a.Value, b.Value, c.Value, true));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> MultiplyAdd(Simd256<T> a, Simd256<T> b, Simd256<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(Fma.MultiplyAdd(a.Value.AsDouble(), b.Value.AsDouble(), c.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(Fma.MultiplyAdd(a.Value.AsSingle(), b.Value.AsSingle(), c.Value.AsSingle()).As<float, T>());
            }
        }
        return new((a.Value * b.Value) + c.Value);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> MultiplySubtract(Simd256<T> a, Simd256<T> b, Simd256<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(Fma.MultiplyAddNegated(a.Value.AsDouble(), b.Value.AsDouble(), c.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(Fma.MultiplyAddNegated(a.Value.AsSingle(), b.Value.AsSingle(), c.Value.AsSingle()).As<float, T>());
            }
        }
        return new(c.Value - (a.Value * b.Value));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Max(Simd256<T> a, Simd256<T> b) => new(Vector256.Max(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Min(Simd256<T> a, Simd256<T> b) => new(Vector256.Min(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> ConditionalSelect(Simd256<T> mask, Simd256<T> whenTrue, Simd256<T> whenFalse) =>
        new(Vector256.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> CompareEqual(Simd256<T> a, Simd256<T> b) => new(Vector256.Equals(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> CompareLessThan(Simd256<T> a, Simd256<T> b) => new(Vector256.LessThan(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> CompareLessThanOrEqual(Simd256<T> a, Simd256<T> b) => new(Vector256.LessThanOrEqual(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> CompareGreaterThan(Simd256<T> a, Simd256<T> b) => new(Vector256.GreaterThan(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> CompareGreaterThanOrEqual(Simd256<T> a, Simd256<T> b) => new(Vector256.GreaterThanOrEqual(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllTrue(Simd256<T> mask)
    {
        if (typeof(T) == typeof(double))
        {
            return Vector256.EqualsAll(mask.Value.AsUInt64(), Vector256<ulong>.AllBitsSet);
        }

        return Vector256.EqualsAll(mask.Value.AsUInt32(), Vector256<uint>.AllBitsSet);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Simd256<T> x) => Vector256.Sum(x.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GetElement(Simd256<T> x, int index) => x.Value.GetElement(index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> ShiftLeftBits(Simd256<T> x, int count)
    {
        if (typeof(T) == typeof(double))
        {
            return new((x.Value.AsUInt64() << count).As<ulong, T>());
        }

        return new((x.Value.AsUInt32() << count).As<uint, T>());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> ShiftRightLogicalBits(Simd256<T> x, int count)
    {
        if (typeof(T) == typeof(double))
        {
            return new((x.Value.AsUInt64() >>> count).As<ulong, T>());
        }

        return new((x.Value.AsUInt32() >>> count).As<uint, T>());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> AddBits(Simd256<T> a, Simd256<T> b)
    {
        if (typeof(T) == typeof(double))
        {
            return new((a.Value.AsUInt64() + b.Value.AsUInt64()).As<ulong, T>());
        }

        return new((a.Value.AsUInt32() + b.Value.AsUInt32()).As<uint, T>());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> CreateBits(ulong bits)
    {
        if (typeof(T) == typeof(double))
        {
            return new(Vector256.Create(bits).As<ulong, T>());
        }

        return new(Vector256.Create((uint)bits).As<uint, T>());
    }

    /// <summary>Lane by lane <see cref="Math.FusedMultiplyAdd"/> (machines without FMA).</summary>
    private static Vector256<T> FusedLanes(Vector256<T> a, Vector256<T> b, Vector256<T> c, bool negate)
    {
        Span<T> r = stackalloc T[Vector256<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            if (typeof(T) == typeof(double))
            {
                double x = (double)(object)a.GetElement(i), y = (double)(object)b.GetElement(i), z = (double)(object)c.GetElement(i);
                r[i] = (T)(object)Math.FusedMultiplyAdd(negate ? -x : x, y, z);
            }
            else
            {
                float x = (float)(object)a.GetElement(i), y = (float)(object)b.GetElement(i), z = (float)(object)c.GetElement(i);
                r[i] = (T)(object)MathF.FusedMultiplyAdd(negate ? -x : x, y, z);
            }
        }

        return Vector256.Create((ReadOnlySpan<T>)r);
    }
}
