using System.Numerics;
using System.Runtime.CompilerServices;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// The GEMM micro-kernel for every vector width: a 6 × (2 × <typeparamref name="TVec"/>) register tile, 12 vector
/// accumulators, two B loads and one broadcast per row and step (6 × 8 doubles on AVX2, 6 × 16 on AVX-512, 6 × 4 on
/// SSE/NEON; twice as many floats).
/// </summary>
/// <remarks>
/// One body instead of the former Vector128/256/512 copies: the members of <typeparamref name="TOps"/> inline to the
/// width's own instructions, so each instantiation compiles to the register-blocked loop the hand-written kernel had
/// (checked in the JIT disassembly: 12 accumulators in registers, a broadcast and two <c>vfmadd231</c> per row and step).
/// <see cref="IVectorOps{TVec, T}.MultiplyAdd"/> is fused wherever the hardware has FMA, as before.
/// </remarks>
/// <typeparam name="T">double or float.</typeparam>
/// <typeparam name="TVec">The register type.</typeparam>
/// <typeparam name="TOps">Its operations (the vector width).</typeparam>
internal readonly unsafe struct RegisterTileKernel<T, TVec, TOps> : IMicroKernel<T>
    where T : unmanaged, INumber<T>
    where TVec : struct
    where TOps : struct, IVectorOps<TVec, T>
{
    public static int MR => 6;

    public static int NR => 2 * TOps.Count;

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, T* a, nint ars, nint aks, T* b, T* c, nint ldc, T alpha, T beta, bool betaZero)
    {
        nint w = TOps.Count;
        TVec c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero;
        TVec c20 = TOps.Zero, c21 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero;
        TVec c40 = TOps.Zero, c41 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero;
        T* a0 = a;
        T* a1 = a0 + ars;
        T* a2 = a1 + ars;
        T* a3 = a2 + ars;
        T* a4 = a3 + ars;
        T* a5 = a4 + ars;
        nint off = 0;
        for (int p = 0; p < kc; p++)
        {
            TVec b0 = TOps.Load(ref *b, 0);
            TVec b1 = TOps.Load(ref *b, (nuint)w);
            TVec x = TOps.Create(a0[off]);
            c00 = TOps.MultiplyAdd(x, b0, c00);
            c01 = TOps.MultiplyAdd(x, b1, c01);
            x = TOps.Create(a1[off]);
            c10 = TOps.MultiplyAdd(x, b0, c10);
            c11 = TOps.MultiplyAdd(x, b1, c11);
            x = TOps.Create(a2[off]);
            c20 = TOps.MultiplyAdd(x, b0, c20);
            c21 = TOps.MultiplyAdd(x, b1, c21);
            x = TOps.Create(a3[off]);
            c30 = TOps.MultiplyAdd(x, b0, c30);
            c31 = TOps.MultiplyAdd(x, b1, c31);
            x = TOps.Create(a4[off]);
            c40 = TOps.MultiplyAdd(x, b0, c40);
            c41 = TOps.MultiplyAdd(x, b1, c41);
            x = TOps.Create(a5[off]);
            c50 = TOps.MultiplyAdd(x, b0, c50);
            c51 = TOps.MultiplyAdd(x, b1, c51);
            off += aks;
            b += 2 * w;
        }

        TVec va = TOps.Create(alpha);
        TVec vb = TOps.Create(beta);
        Store(c, c00, c01, va, vb, betaZero);
        Store(c + ldc, c10, c11, va, vb, betaZero);
        Store(c + (2 * ldc), c20, c21, va, vb, betaZero);
        Store(c + (3 * ldc), c30, c31, va, vb, betaZero);
        Store(c + (4 * ldc), c40, c41, va, vb, betaZero);
        Store(c + (5 * ldc), c50, c51, va, vb, betaZero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, TVec x0, TVec x1, TVec va, TVec vb, bool betaZero)
    {
        x0 = TOps.Multiply(x0, va);
        x1 = TOps.Multiply(x1, va);
        if (!betaZero)
        {
            x0 = TOps.MultiplyAdd(vb, TOps.Load(ref *c, 0), x0);
            x1 = TOps.MultiplyAdd(vb, TOps.Load(ref *c, (nuint)TOps.Count), x1);
        }

        TOps.Store(x0, ref *c, 0);
        TOps.Store(x1, ref *c, (nuint)TOps.Count);
    }
}
