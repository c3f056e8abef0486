using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// <see cref="IVectorOps{TVec, T}"/> for <see cref="Vector128{T}"/> (128-bit registers). Every member is one
/// aggressively inlined call of the matching <c>Vector128</c> method.
/// </summary>
/// <typeparam name="T">double or float.</typeparam>
internal readonly struct Simd128<T> : IVectorOps<Vector128<T>, T>
    where T : unmanaged
{
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
    public static Vector128<T> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<T>.Zero;
    }

    /// <inheritdoc/>
    public static Vector128<T> One
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<T>.One;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Create(T value) => Vector128.Create(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Load(ref T source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<T> value, ref T destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Subtract(Vector128<T> a, Vector128<T> b) => a - b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Multiply(Vector128<T> a, Vector128<T> b) => a * b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Divide(Vector128<T> a, Vector128<T> b) => a / b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Sqrt(Vector128<T> x) => Vector128.Sqrt(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> And(Vector128<T> a, Vector128<T> b) => a & b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Or(Vector128<T> a, Vector128<T> b) => a | b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> FusedMultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }

            if (typeof(T) == typeof(float))
            {
                return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return AdvSimd.Arm64.FusedMultiplyAdd(c.AsDouble(), a.AsDouble(), b.AsDouble()).As<double, T>();
            }

            if (typeof(T) == typeof(float))
            {
                return AdvSimd.FusedMultiplyAdd(c.AsSingle(), a.AsSingle(), b.AsSingle()).As<float, T>();
            }
        }
        return FusedLanes(a, b, c, false);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> FusedMultiplySubtract(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return Fma.MultiplyAddNegated(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }

            if (typeof(T) == typeof(float))
            {
                return Fma.MultiplyAddNegated(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return AdvSimd.Arm64.FusedMultiplySubtract(c.AsDouble(), a.AsDouble(), b.AsDouble()).As<double, T>();
            }

            if (typeof(T) == typeof(float))
            {
                return AdvSimd.FusedMultiplySubtract(c.AsSingle(), a.AsSingle(), b.AsSingle()).As<float, T>();
            }
        }
        return FusedLanes(a, b, c, true);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }

            if (typeof(T) == typeof(float))
            {
                return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return AdvSimd.Arm64.FusedMultiplyAdd(c.AsDouble(), a.AsDouble(), b.AsDouble()).As<double, T>();
            }

            if (typeof(T) == typeof(float))
            {
                return AdvSimd.FusedMultiplyAdd(c.AsSingle(), a.AsSingle(), b.AsSingle()).As<float, T>();
            }
        }
        return (a * b) + c;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplySubtract(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return Fma.MultiplyAddNegated(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }

            if (typeof(T) == typeof(float))
            {
                return Fma.MultiplyAddNegated(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return AdvSimd.Arm64.FusedMultiplySubtract(c.AsDouble(), a.AsDouble(), b.AsDouble()).As<double, T>();
            }

            if (typeof(T) == typeof(float))
            {
                return AdvSimd.FusedMultiplySubtract(c.AsSingle(), a.AsSingle(), b.AsSingle()).As<float, T>();
            }
        }
        return c - (a * b);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Max(Vector128<T> a, Vector128<T> b) => Vector128.Max(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Min(Vector128<T> a, Vector128<T> b) => Vector128.Min(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ConditionalSelect(Vector128<T> mask, Vector128<T> whenTrue, Vector128<T> whenFalse) =>
        Vector128.ConditionalSelect(mask, whenTrue, whenFalse);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> CompareEqual(Vector128<T> a, Vector128<T> b) => Vector128.Equals(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> CompareLessThan(Vector128<T> a, Vector128<T> b) => Vector128.LessThan(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> CompareLessThanOrEqual(Vector128<T> a, Vector128<T> b) => Vector128.LessThanOrEqual(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> CompareGreaterThan(Vector128<T> a, Vector128<T> b) => Vector128.GreaterThan(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> CompareGreaterThanOrEqual(Vector128<T> a, Vector128<T> b) => Vector128.GreaterThanOrEqual(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllTrue(Vector128<T> mask)
    {
        if (typeof(T) == typeof(double))
        {
            return Vector128.EqualsAll(mask.AsUInt64(), Vector128<ulong>.AllBitsSet);
        }

        return Vector128.EqualsAll(mask.AsUInt32(), Vector128<uint>.AllBitsSet);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector128<T> x) => Vector128.Sum(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GetElement(Vector128<T> x, int index) => x.GetElement(index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ShiftLeftBits(Vector128<T> x, int count)
    {
        if (typeof(T) == typeof(double))
        {
            return (x.AsUInt64() << count).As<ulong, T>();
        }

        return (x.AsUInt32() << count).As<uint, T>();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ShiftRightLogicalBits(Vector128<T> x, int count)
    {
        if (typeof(T) == typeof(double))
        {
            return (x.AsUInt64() >>> count).As<ulong, T>();
        }

        return (x.AsUInt32() >>> count).As<uint, T>();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> AddBits(Vector128<T> a, Vector128<T> b)
    {
        if (typeof(T) == typeof(double))
        {
            return (a.AsUInt64() + b.AsUInt64()).As<ulong, T>();
        }

        return (a.AsUInt32() + b.AsUInt32()).As<uint, T>();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> CreateBits(ulong bits)
    {
        if (typeof(T) == typeof(double))
        {
            return Vector128.Create(bits).As<ulong, T>();
        }

        return Vector128.Create((uint)bits).As<uint, T>();
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
