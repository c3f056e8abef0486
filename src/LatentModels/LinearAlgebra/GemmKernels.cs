using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace LatentModels.LinearAlgebra;

/// <summary>The instruction-set family a GEMM runs on; chosen once per process (tests may force one).</summary>
internal enum GemmPath
{
    /// <summary>Portable scalar code.</summary>
    Scalar,

    /// <summary>128-bit vectors (SSE/NEON), FMA when available.</summary>
    Vector128,

    /// <summary>256-bit vectors (AVX2), FMA when available.</summary>
    Vector256,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Vector512,
}

/// <summary>
/// A register-tiled micro-kernel: computes an MR × NR tile of α·A·B over kc steps and stores it into C as
/// C ← tile (β = 0, C not read) or C ← tile + β·C.
/// </summary>
/// <remarks>
/// A is read as broadcasts at <c>a[i·ars + p·aks]</c> (so it may be a packed sliver, ars = 1 and aks = MR, or the
/// caller's own rows); B is a packed sliver holding NR contiguous values per step p.
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
internal unsafe interface IMicroKernel<T>
    where T : unmanaged
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile.</summary>
    static abstract int NR { get; }

    /// <summary>Computes and stores one full MR × NR tile.</summary>
    static abstract void Run(int kc, T* a, nint ars, nint aks, T* b, T* c, nint ldc, T alpha, T beta, bool betaZero);
}

/// <summary>Fused multiply-add helpers that pick the instruction once per element type (branches fold in the JIT).</summary>
internal static class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Fmadd<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c)
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fmadd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
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

        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fmadd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(double))
            {
                return Avx512F.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }

            if (typeof(T) == typeof(float))
            {
                return Avx512F.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }
        }

        return (a * b) + c;
    }
}

/// <summary>6 × (2 × Vector256) micro-kernel: 12 accumulators, 2 B loads and one broadcast per row and step.</summary>
/// <typeparam name="T">double or float.</typeparam>
internal readonly unsafe struct Kernel256<T> : IMicroKernel<T>
    where T : unmanaged, INumber<T>
{
    public static int MR => 6;

    public static int NR => 2 * Vector256<T>.Count;

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint ars, nint aks, T* b, T* c, nint ldc, T alpha, T beta, bool betaZero)
    {
        nint w = Vector256<T>.Count;
        Vector256<T> c00 = Vector256<T>.Zero, c01 = Vector256<T>.Zero, c10 = Vector256<T>.Zero, c11 = Vector256<T>.Zero;
        Vector256<T> c20 = Vector256<T>.Zero, c21 = Vector256<T>.Zero, c30 = Vector256<T>.Zero, c31 = Vector256<T>.Zero;
        Vector256<T> c40 = Vector256<T>.Zero, c41 = Vector256<T>.Zero, c50 = Vector256<T>.Zero, c51 = Vector256<T>.Zero;
        T* a0 = a;
        T* a1 = a0 + ars;
        T* a2 = a1 + ars;
        T* a3 = a2 + ars;
        T* a4 = a3 + ars;
        T* a5 = a4 + ars;
        nint off = 0;
        for (int p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = Vector256.Load(b + w);
            Vector256<T> x = Vector256.Create(a0[off]);
            c00 = VectorMath.Fmadd(x, b0, c00);
            c01 = VectorMath.Fmadd(x, b1, c01);
            x = Vector256.Create(a1[off]);
            c10 = VectorMath.Fmadd(x, b0, c10);
            c11 = VectorMath.Fmadd(x, b1, c11);
            x = Vector256.Create(a2[off]);
            c20 = VectorMath.Fmadd(x, b0, c20);
            c21 = VectorMath.Fmadd(x, b1, c21);
            x = Vector256.Create(a3[off]);
            c30 = VectorMath.Fmadd(x, b0, c30);
            c31 = VectorMath.Fmadd(x, b1, c31);
            x = Vector256.Create(a4[off]);
            c40 = VectorMath.Fmadd(x, b0, c40);
            c41 = VectorMath.Fmadd(x, b1, c41);
            x = Vector256.Create(a5[off]);
            c50 = VectorMath.Fmadd(x, b0, c50);
            c51 = VectorMath.Fmadd(x, b1, c51);
            off += aks;
            b += 2 * w;
        }

        Vector256<T> va = Vector256.Create(alpha);
        Vector256<T> vb = Vector256.Create(beta);
        Store(c, c00, c01, va, vb, betaZero);
        Store(c + ldc, c10, c11, va, vb, betaZero);
        Store(c + (2 * ldc), c20, c21, va, vb, betaZero);
        Store(c + (3 * ldc), c30, c31, va, vb, betaZero);
        Store(c + (4 * ldc), c40, c41, va, vb, betaZero);
        Store(c + (5 * ldc), c50, c51, va, vb, betaZero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, Vector256<T> x0, Vector256<T> x1, Vector256<T> va, Vector256<T> vb, bool betaZero)
    {
        x0 *= va;
        x1 *= va;
        if (!betaZero)
        {
            x0 = VectorMath.Fmadd(vb, Vector256.Load(c), x0);
            x1 = VectorMath.Fmadd(vb, Vector256.Load(c + Vector256<T>.Count), x1);
        }

        x0.Store(c);
        x1.Store(c + Vector256<T>.Count);
    }
}

/// <summary>6 × (2 × Vector512) micro-kernel (AVX-512 machines).</summary>
/// <typeparam name="T">double or float.</typeparam>
internal readonly unsafe struct Kernel512<T> : IMicroKernel<T>
    where T : unmanaged, INumber<T>
{
    public static int MR => 6;

    public static int NR => 2 * Vector512<T>.Count;

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint ars, nint aks, T* b, T* c, nint ldc, T alpha, T beta, bool betaZero)
    {
        nint w = Vector512<T>.Count;
        Vector512<T> c00 = Vector512<T>.Zero, c01 = Vector512<T>.Zero, c10 = Vector512<T>.Zero, c11 = Vector512<T>.Zero;
        Vector512<T> c20 = Vector512<T>.Zero, c21 = Vector512<T>.Zero, c30 = Vector512<T>.Zero, c31 = Vector512<T>.Zero;
        Vector512<T> c40 = Vector512<T>.Zero, c41 = Vector512<T>.Zero, c50 = Vector512<T>.Zero, c51 = Vector512<T>.Zero;
        T* a0 = a;
        T* a1 = a0 + ars;
        T* a2 = a1 + ars;
        T* a3 = a2 + ars;
        T* a4 = a3 + ars;
        T* a5 = a4 + ars;
        nint off = 0;
        for (int p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + w);
            Vector512<T> x = Vector512.Create(a0[off]);
            c00 = VectorMath.Fmadd(x, b0, c00);
            c01 = VectorMath.Fmadd(x, b1, c01);
            x = Vector512.Create(a1[off]);
            c10 = VectorMath.Fmadd(x, b0, c10);
            c11 = VectorMath.Fmadd(x, b1, c11);
            x = Vector512.Create(a2[off]);
            c20 = VectorMath.Fmadd(x, b0, c20);
            c21 = VectorMath.Fmadd(x, b1, c21);
            x = Vector512.Create(a3[off]);
            c30 = VectorMath.Fmadd(x, b0, c30);
            c31 = VectorMath.Fmadd(x, b1, c31);
            x = Vector512.Create(a4[off]);
            c40 = VectorMath.Fmadd(x, b0, c40);
            c41 = VectorMath.Fmadd(x, b1, c41);
            x = Vector512.Create(a5[off]);
            c50 = VectorMath.Fmadd(x, b0, c50);
            c51 = VectorMath.Fmadd(x, b1, c51);
            off += aks;
            b += 2 * w;
        }

        Vector512<T> va = Vector512.Create(alpha);
        Vector512<T> vb = Vector512.Create(beta);
        Store(c, c00, c01, va, vb, betaZero);
        Store(c + ldc, c10, c11, va, vb, betaZero);
        Store(c + (2 * ldc), c20, c21, va, vb, betaZero);
        Store(c + (3 * ldc), c30, c31, va, vb, betaZero);
        Store(c + (4 * ldc), c40, c41, va, vb, betaZero);
        Store(c + (5 * ldc), c50, c51, va, vb, betaZero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, Vector512<T> x0, Vector512<T> x1, Vector512<T> va, Vector512<T> vb, bool betaZero)
    {
        x0 *= va;
        x1 *= va;
        if (!betaZero)
        {
            x0 = VectorMath.Fmadd(vb, Vector512.Load(c), x0);
            x1 = VectorMath.Fmadd(vb, Vector512.Load(c + Vector512<T>.Count), x1);
        }

        x0.Store(c);
        x1.Store(c + Vector512<T>.Count);
    }
}

/// <summary>6 × (2 × Vector128) micro-kernel (SSE / NEON machines).</summary>
/// <typeparam name="T">double or float.</typeparam>
internal readonly unsafe struct Kernel128<T> : IMicroKernel<T>
    where T : unmanaged, INumber<T>
{
    public static int MR => 6;

    public static int NR => 2 * Vector128<T>.Count;

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint ars, nint aks, T* b, T* c, nint ldc, T alpha, T beta, bool betaZero)
    {
        nint w = Vector128<T>.Count;
        Vector128<T> c00 = Vector128<T>.Zero, c01 = Vector128<T>.Zero, c10 = Vector128<T>.Zero, c11 = Vector128<T>.Zero;
        Vector128<T> c20 = Vector128<T>.Zero, c21 = Vector128<T>.Zero, c30 = Vector128<T>.Zero, c31 = Vector128<T>.Zero;
        Vector128<T> c40 = Vector128<T>.Zero, c41 = Vector128<T>.Zero, c50 = Vector128<T>.Zero, c51 = Vector128<T>.Zero;
        T* a0 = a;
        T* a1 = a0 + ars;
        T* a2 = a1 + ars;
        T* a3 = a2 + ars;
        T* a4 = a3 + ars;
        T* a5 = a4 + ars;
        nint off = 0;
        for (int p = 0; p < kc; p++)
        {
            Vector128<T> b0 = Vector128.Load(b);
            Vector128<T> b1 = Vector128.Load(b + w);
            Vector128<T> x = Vector128.Create(a0[off]);
            c00 = VectorMath.Fmadd(x, b0, c00);
            c01 = VectorMath.Fmadd(x, b1, c01);
            x = Vector128.Create(a1[off]);
            c10 = VectorMath.Fmadd(x, b0, c10);
            c11 = VectorMath.Fmadd(x, b1, c11);
            x = Vector128.Create(a2[off]);
            c20 = VectorMath.Fmadd(x, b0, c20);
            c21 = VectorMath.Fmadd(x, b1, c21);
            x = Vector128.Create(a3[off]);
            c30 = VectorMath.Fmadd(x, b0, c30);
            c31 = VectorMath.Fmadd(x, b1, c31);
            x = Vector128.Create(a4[off]);
            c40 = VectorMath.Fmadd(x, b0, c40);
            c41 = VectorMath.Fmadd(x, b1, c41);
            x = Vector128.Create(a5[off]);
            c50 = VectorMath.Fmadd(x, b0, c50);
            c51 = VectorMath.Fmadd(x, b1, c51);
            off += aks;
            b += 2 * w;
        }

        Vector128<T> va = Vector128.Create(alpha);
        Vector128<T> vb = Vector128.Create(beta);
        Store(c, c00, c01, va, vb, betaZero);
        Store(c + ldc, c10, c11, va, vb, betaZero);
        Store(c + (2 * ldc), c20, c21, va, vb, betaZero);
        Store(c + (3 * ldc), c30, c31, va, vb, betaZero);
        Store(c + (4 * ldc), c40, c41, va, vb, betaZero);
        Store(c + (5 * ldc), c50, c51, va, vb, betaZero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, Vector128<T> x0, Vector128<T> x1, Vector128<T> va, Vector128<T> vb, bool betaZero)
    {
        x0 *= va;
        x1 *= va;
        if (!betaZero)
        {
            x0 = VectorMath.Fmadd(vb, Vector128.Load(c), x0);
            x1 = VectorMath.Fmadd(vb, Vector128.Load(c + Vector128<T>.Count), x1);
        }

        x0.Store(c);
        x1.Store(c + Vector128<T>.Count);
    }
}

/// <summary>Portable 4 × 4 scalar micro-kernel.</summary>
/// <typeparam name="T">double or float.</typeparam>
internal readonly unsafe struct KernelScalar<T> : IMicroKernel<T>
    where T : unmanaged, INumber<T>
{
    public static int MR => 4;

    public static int NR => 4;

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint ars, nint aks, T* b, T* c, nint ldc, T alpha, T beta, bool betaZero)
    {
        T* acc = stackalloc T[16];
        for (int i = 0; i < 16; i++)
        {
            acc[i] = T.Zero;
        }

        nint off = 0;
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < 4; i++)
            {
                T ai = a[(i * ars) + off];
                T* row = acc + (4 * i);
                row[0] += ai * b[0];
                row[1] += ai * b[1];
                row[2] += ai * b[2];
                row[3] += ai * b[3];
            }

            off += aks;
            b += 4;
        }

        for (int i = 0; i < 4; i++)
        {
            T* cr = c + (i * ldc);
            for (int j = 0; j < 4; j++)
            {
                T x = alpha * acc[(4 * i) + j];
                cr[j] = betaZero ? x : (beta * cr[j]) + x;
            }
        }
    }
}
