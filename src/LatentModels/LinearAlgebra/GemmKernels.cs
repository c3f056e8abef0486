using System.Numerics;
using System.Runtime.CompilerServices;

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
