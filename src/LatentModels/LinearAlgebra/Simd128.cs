using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// <see cref="IVector{TSelf, T}"/> over <see cref="Vector128{T}"/> (128-bit registers). Every member is one
/// aggressively inlined call of the matching <c>Vector128</c> method, so generic kernel bodies instantiated with this
/// type compile to plain 128-bit code.
/// </summary>
/// <typeparam name="T">double or float.</typeparam>
internal readonly struct Simd128<T> : IVector<Simd128<T>, T>
    where T : unmanaged
{
    /// <summary>The register.</summary>
    public readonly Vector128<T> Value;

    /// <summary>Wraps a register.</summary>
    /// <param name="value">The register.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Simd128(Vector128<T> value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<T>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    public static Simd128<T> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector128<T>.Zero);
    }

    /// <inheritdoc/>
    public static Simd128<T> One
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector128<T>.One);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Create(T value) => new(Vector128.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Load(ref T source, nuint offset) => new(Vector128.LoadUnsafe(ref source, offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Simd128<T> value, ref T destination, nuint offset) => value.Value.StoreUnsafe(ref destination, offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> operator +(Simd128<T> a, Simd128<T> b) => new(a.Value + b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> operator -(Simd128<T> a, Simd128<T> b) => new(a.Value - b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> operator *(Simd128<T> a, Simd128<T> b) => new(a.Value * b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> operator /(Simd128<T> a, Simd128<T> b) => new(a.Value / b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> operator &(Simd128<T> a, Simd128<T> b) => new(a.Value & b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> operator |(Simd128<T> a, Simd128<T> b) => new(a.Value | b.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> FusedMultiplyAdd(Simd128<T> a, Simd128<T> b, Simd128<T> c)
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

        if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(AdvSimd.Arm64.FusedMultiplyAdd(c.Value.AsDouble(), a.Value.AsDouble(), b.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(AdvSimd.FusedMultiplyAdd(c.Value.AsSingle(), a.Value.AsSingle(), b.Value.AsSingle()).As<float, T>());
            }
        }
        return new(FusedLanes(a.Value, b.Value, c.Value, false));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> FusedMultiplySubtract(Simd128<T> a, Simd128<T> b, Simd128<T> c)
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

        if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(AdvSimd.Arm64.FusedMultiplySubtract(c.Value.AsDouble(), a.Value.AsDouble(), b.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(AdvSimd.FusedMultiplySubtract(c.Value.AsSingle(), a.Value.AsSingle(), b.Value.AsSingle()).As<float, T>());
            }
        }
        return new(FusedLanes(a.Value, b.Value, c.Value, true));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> MultiplyAdd(Simd128<T> a, Simd128<T> b, Simd128<T> c)
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

        if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(AdvSimd.Arm64.FusedMultiplyAdd(c.Value.AsDouble(), a.Value.AsDouble(), b.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(AdvSimd.FusedMultiplyAdd(c.Value.AsSingle(), a.Value.AsSingle(), b.Value.AsSingle()).As<float, T>());
            }
        }
        return new((a.Value * b.Value) + c.Value);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> MultiplySubtract(Simd128<T> a, Simd128<T> b, Simd128<T> c)
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

        if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return new(AdvSimd.Arm64.FusedMultiplySubtract(c.Value.AsDouble(), a.Value.AsDouble(), b.Value.AsDouble()).As<double, T>());
            }

            if (typeof(T) == typeof(float))
            {
                return new(AdvSimd.FusedMultiplySubtract(c.Value.AsSingle(), a.Value.AsSingle(), b.Value.AsSingle()).As<float, T>());
            }
        }
        return new(c.Value - (a.Value * b.Value));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Max(Simd128<T> a, Simd128<T> b) => new(Vector128.Max(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Min(Simd128<T> a, Simd128<T> b) => new(Vector128.Min(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> ConditionalSelect(Simd128<T> mask, Simd128<T> whenTrue, Simd128<T> whenFalse) =>
        new(Vector128.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> CompareEqual(Simd128<T> a, Simd128<T> b) => new(Vector128.Equals(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> CompareLessThan(Simd128<T> a, Simd128<T> b) => new(Vector128.LessThan(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> CompareLessThanOrEqual(Simd128<T> a, Simd128<T> b) => new(Vector128.LessThanOrEqual(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> CompareGreaterThan(Simd128<T> a, Simd128<T> b) => new(Vector128.GreaterThan(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> CompareGreaterThanOrEqual(Simd128<T> a, Simd128<T> b) => new(Vector128.GreaterThanOrEqual(a.Value, b.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllTrue(Simd128<T> mask)
    {
        if (typeof(T) == typeof(double))
        {
            return Vector128.EqualsAll(mask.Value.AsUInt64(), Vector128<ulong>.AllBitsSet);
        }

        return Vector128.EqualsAll(mask.Value.AsUInt32(), Vector128<uint>.AllBitsSet);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Simd128<T> x) => Vector128.Sum(x.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GetElement(Simd128<T> x, int index) => x.Value.GetElement(index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> ShiftLeftBits(Simd128<T> x, int count)
    {
        if (typeof(T) == typeof(double))
        {
            return new((x.Value.AsUInt64() << count).As<ulong, T>());
        }

        return new((x.Value.AsUInt32() << count).As<uint, T>());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> ShiftRightLogicalBits(Simd128<T> x, int count)
    {
        if (typeof(T) == typeof(double))
        {
            return new((x.Value.AsUInt64() >>> count).As<ulong, T>());
        }

        return new((x.Value.AsUInt32() >>> count).As<uint, T>());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> AddBits(Simd128<T> a, Simd128<T> b)
    {
        if (typeof(T) == typeof(double))
        {
            return new((a.Value.AsUInt64() + b.Value.AsUInt64()).As<ulong, T>());
        }

        return new((a.Value.AsUInt32() + b.Value.AsUInt32()).As<uint, T>());
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> CreateBits(ulong bits)
    {
        if (typeof(T) == typeof(double))
        {
            return new(Vector128.Create(bits).As<ulong, T>());
        }

        return new(Vector128.Create((uint)bits).As<uint, T>());
    }

    /// <summary>Lane by lane <see cref="Math.FusedMultiplyAdd"/> (machines without FMA).</summary>
    private static Vector128<T> FusedLanes(Vector128<T> a, Vector128<T> b, Vector128<T> c, bool negate)
    {
        Span<T> r = stackalloc T[Vector128<T>.Count];
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

        return Vector128.Create((ReadOnlySpan<T>)r);
    }
}
