using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// <see cref="IVector{TSelf, T}"/> over <see cref="Vector512{T}"/> (512-bit registers). Every member is one
/// aggressively inlined call of the matching <c>Vector512</c> method, so generic kernel bodies instantiated with this
/// type compile to plain 512-bit code.
/// </summary>
/// <typeparam name="T">double or float.</typeparam>
internal readonly struct Simd512<T> : IVector<Simd512<T>, T>
    where T : unmanaged
{
    /// <summary>The register.</summary>
    public readonly Vector512<T> Value;

    /// <summary>Wraps a register.</summary>
    /// <param name="value">The register.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Simd512(Vector512<T> value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<T>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    public static Simd512<T> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector512<T>.Zero);
    }

    /// <inheritdoc/>
    public static Simd512<T> One
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector512<T>.One);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Create(T value) => new(Vector512.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Load(ref T source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Simd512<T> value, ref T destination, nuint offset) => value.Value.StoreUnsafe(ref destination, offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator +(Simd512<T> a, Simd512<T> b) => new(a.Value + b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator -(Simd512<T> a, Simd512<T> b) => new(a.Value - b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator *(Simd512<T> a, Simd512<T> b) => new(a.Value * b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator /(Simd512<T> a, Simd512<T> b) => new(a.Value / b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator &(Simd512<T> a, Simd512<T> b) => new(a.Value & b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> operator |(Simd512<T> a, Simd512<T> b) => new(a.Value | b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> FusedMultiplyAdd(Simd512<T> a, Simd512<T> b, Simd512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(Avx512F.FusedMultiplyAdd(a.Value.AsDouble(), b.Value.AsDouble(), c.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(Avx512F.FusedMultiplyAdd(a.Value.AsSingle(), b.Value.AsSingle(), c.Value.AsSingle()).As<float, T>());
            }
        }
        return new(FusedLanes(a.Value, b.Value, c.Value, false));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> FusedMultiplySubtract(Simd512<T> a, Simd512<T> b, Simd512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(Avx512F.FusedMultiplyAddNegated(a.Value.AsDouble(), b.Value.AsDouble(), c.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(Avx512F.FusedMultiplyAddNegated(a.Value.AsSingle(), b.Value.AsSingle(), c.Value.AsSingle()).As<float, T>());
            }
        }
        return new(FusedLanes(a.Value, b.Value, c.Value, true));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> MultiplyAdd(Simd512<T> a, Simd512<T> b, Simd512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(Avx512F.FusedMultiplyAdd(a.Value.AsDouble(), b.Value.AsDouble(), c.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(Avx512F.FusedMultiplyAdd(a.Value.AsSingle(), b.Value.AsSingle(), c.Value.AsSingle()).As<float, T>());
            }
        }
        return new((a.Value * b.Value) + c.Value);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> MultiplySubtract(Simd512<T> a, Simd512<T> b, Simd512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(Avx512F.FusedMultiplyAddNegated(a.Value.AsDouble(), b.Value.AsDouble(), c.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(Avx512F.FusedMultiplyAddNegated(a.Value.AsSingle(), b.Value.AsSingle(), c.Value.AsSingle()).As<float, T>());
            }
        }
        return new(c.Value - (a.Value * b.Value));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Max(Simd512<T> a, Simd512<T> b) => new(Vector512.Max(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Min(Simd512<T> a, Simd512<T> b) => new(Vector512.Min(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> ConditionalSelect(Simd512<T> mask, Simd512<T> whenTrue, Simd512<T> whenFalse) =>
        new(Vector512.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> CompareEqual(Simd512<T> a, Simd512<T> b) => new(Vector512.Equals(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> CompareLessThan(Simd512<T> a, Simd512<T> b) => new(Vector512.LessThan(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> CompareLessThanOrEqual(Simd512<T> a, Simd512<T> b) => new(Vector512.LessThanOrEqual(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> CompareGreaterThan(Simd512<T> a, Simd512<T> b) => new(Vector512.GreaterThan(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> CompareGreaterThanOrEqual(Simd512<T> a, Simd512<T> b) => new(Vector512.GreaterThanOrEqual(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllTrue(Simd512<T> mask)
    {
        if (typeof(T) == typeof(double))
        {
            return Vector512.EqualsAll(mask.Value.AsUInt64(), Vector512<ulong>.AllBitsSet);
        }

        return Vector512.EqualsAll(mask.Value.AsUInt32(), Vector512<uint>.AllBitsSet);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Simd512<T> x) => Vector512.Sum(x.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GetElement(Simd512<T> x, int index) => x.Value.GetElement(index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> ShiftLeftBits(Simd512<T> x, int count)
    {
        if (typeof(T) == typeof(double))
        {
            return new((x.Value.AsUInt64() << count).As<ulong, T>());
        }

        return new((x.Value.AsUInt32() << count).As<uint, T>());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> ShiftRightLogicalBits(Simd512<T> x, int count)
    {
        if (typeof(T) == typeof(double))
        {
            return new((x.Value.AsUInt64() >>> count).As<ulong, T>());
        }

        return new((x.Value.AsUInt32() >>> count).As<uint, T>());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> AddBits(Simd512<T> a, Simd512<T> b)
    {
        if (typeof(T) == typeof(double))
        {
            return new((a.Value.AsUInt64() + b.Value.AsUInt64()).As<ulong, T>());
        }

        return new((a.Value.AsUInt32() + b.Value.AsUInt32()).As<uint, T>());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> CreateBits(ulong bits)
    {
        if (typeof(T) == typeof(double))
        {
            return new(Vector512.Create(bits).As<ulong, T>());
        }

        return new(Vector512.Create((uint)bits).As<uint, T>());
    }

    /// <summary>Lane by lane <see cref="Math.FusedMultiplyAdd"/> (machines without FMA).</summary>
    private static Vector512<T> FusedLanes(Vector512<T> a, Vector512<T> b, Vector512<T> c, bool negate)
    {
        Span<T> r = stackalloc T[Vector512<T>.Count];
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

        return Vector512.Create((ReadOnlySpan<T>)r);
    }
}
