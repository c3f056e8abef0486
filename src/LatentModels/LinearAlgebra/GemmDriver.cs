using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace LatentModels.LinearAlgebra;

/// <summary>
/// One GEMM call in stride form: op(A)[i, p] = A[i·Ars + p·Aks], op(B)[p, j] = B[p·Bks + j·Bjs], C[i, j] = C[i·Ldc + j].
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal unsafe struct GemmProblem<T>
    where T : unmanaged
{
    public T* A;
    public nint Ars;
    public nint Aks;
    public T* B;
    public nint Bks;
    public nint Bjs;
    public T* C;
    public nint Ldc;
    public int M;
    public int N;
    public int K;
    public T Alpha;
    public T Beta;

    /// <summary>The fused epilogue's bias row (n values, column j gets Bias[j]), or null for a plain GEMM.</summary>
    public T* Bias;

    /// <summary>The fused epilogue's activation (with <see cref="Bias"/>).</summary>
    public Activation Activation;
}

/// <summary>Cache-blocking parameters (element counts). They depend only on the element type and problem shape.</summary>
internal static class GemmBlocking
{
    /// <summary>Depth of a packed panel (the k-block); fixed, so the k-summation order never depends on threads.</summary>
    public const int KC = 256;

    /// <summary>Width of a packed B panel.</summary>
    public const int NC = 4096;

    /// <summary>Rows of a packed A block for 8-byte elements (multiple of every kernel's MR); doubled for float.</summary>
    public const int MC = 72;

    /// <summary>Columns of C per parallel task (multiple of every kernel's NR), so two threads stay balanced.</summary>
    public const int ColumnChunk = 512;

    /// <summary>Rows per parallel block when A is read in place (small k).</summary>
    public const int MCDirect = 192;

    /// <summary>Below this many multiply-adds (m·n·k) the call runs single-threaded.</summary>
    public const long ParallelThreshold = 1L << 17;

    /// <summary>At or below this many multiply-adds a plain loop beats packing.</summary>
    public const long SmallThreshold = 2048;

    /// <summary>Extra elements so a pooled buffer can be aligned to 64 bytes.</summary>
    public const int AlignPad = 64;
}

/// <summary>
/// The blocked GEMM (Goto/BLIS loop order): jc (NC columns) → pc (KC depth, B panel packed once and shared) →
/// parallel over fixed MC-row blocks of C (A block packed per block) → jr (NR slivers) → ir (MR slivers) → micro-kernel.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="TK">The micro-kernel.</typeparam>
internal static unsafe class GemmDriver<T, TK>
    where T : unmanaged, INumber<T>
    where TK : struct, IMicroKernel<T>
{
    private struct PanelContext
    {
        public GemmProblem<T> P;
        public T* PackedB;
        public int Jc;
        public int Nc;
        public int Pc;
        public int Kc;
        public T Beta;
        public bool BetaZero;
        public bool PackA;
        public int RowBlock;
        public int RowBlocks;
        public int ColumnChunk;
    }

    public static void Run(in GemmProblem<T> p, int maxDegreeOfParallelism)
    {
        int mr = TK.MR, nr = TK.NR;
        long work = (long)p.M * p.N * p.K;
        int dop = work >= GemmBlocking.ParallelThreshold ? maxDegreeOfParallelism : 1;

        // Packing A pays for itself when each A sliver is reused across several B slivers and the depth is real.
        bool packA = p.K > 32 && p.N > 2 * nr;
        int mcBlock = packA ? GemmBlocking.MC * 8 / sizeof(T) : GemmBlocking.MCDirect;
        int kcMax = Math.Min(p.K, GemmBlocking.KC);
        int ncMax = Math.Min(p.N, GemmBlocking.NC);
        int bLength = (((ncMax + nr - 1) / nr) * nr * kcMax) + GemmBlocking.AlignPad;
        T[] bArray = ArrayPool<T>.Shared.Rent(bLength);
        try
        {
            fixed (T* bRaw = bArray)
            {
                T* packedB = Align(bRaw);
                var ctx = new PanelContext { P = p, PackedB = packedB, PackA = packA };
                for (int jc = 0; jc < p.N; jc += GemmBlocking.NC)
                {
                    int nc = Math.Min(GemmBlocking.NC, p.N - jc);
                    for (int pc = 0; pc < p.K; pc += GemmBlocking.KC)
                    {
                        int kc = Math.Min(GemmBlocking.KC, p.K - pc);
                        ctx.Jc = jc;
                        ctx.Nc = nc;
                        ctx.Pc = pc;
                        ctx.Kc = kc;
                        ctx.Beta = pc == 0 ? p.Beta : T.One;
                        ctx.BetaZero = pc == 0 && p.Beta == T.Zero;
                        int slivers = (nc + nr - 1) / nr;
                        int sliversPerBlock = Math.Max(1, 16384 / (kc * nr));
                        ParallelBlocks.For(slivers, sliversPerBlock, (long)kc * nc >= 65536 ? dop : 1, ctx,
                            static (c, _, s0, s1) => PackB(c, s0, s1));
                        ctx.ColumnChunk = Balanced(nc, GemmBlocking.ColumnChunk, nr, 1);
                        int columnBlocks = (nc + ctx.ColumnChunk - 1) / ctx.ColumnChunk;
                        ctx.RowBlock = Balanced(p.M, mcBlock, mr, (ParallelBlocks.Resolve(dop) + columnBlocks - 1) / columnBlocks);
                        ctx.RowBlocks = (p.M + ctx.RowBlock - 1) / ctx.RowBlock;
                        ParallelBlocks.For(ctx.RowBlocks * columnBlocks, 1, dop, ctx, static (c, t, _, _) => RunTask(c, t));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(bArray);
        }
    }

    /// <summary>
    /// The size of equal blocks (a multiple of <paramref name="unit"/>, at most <paramref name="maxBlock"/>) covering
    /// <paramref name="count"/> items in at least <paramref name="minBlocks"/> blocks where the units allow it: e.g. 784
    /// columns in chunks of at most 512 become 416 + 368 rather than 512 + 272, and a mini-batch of 100 rows on two
    /// threads becomes 54 + 46 rows. Blocks are whole MR (rows) or NR (columns) slivers, so each element of C is computed
    /// by the same micro-kernel calls in the same order whatever the blocking: the bits depend on neither the blocks nor
    /// the thread count.
    /// </summary>
    private static int Balanced(int count, int maxBlock, int unit, int minBlocks)
    {
        int blocks = Math.Max((count + maxBlock - 1) / maxBlock, minBlocks);
        int size = (count + blocks - 1) / blocks;
        return Math.Min(maxBlock, Math.Max(unit, (size + unit - 1) / unit * unit));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* Align(T* p) => (T*)(((nint)p + 63) & ~(nint)63);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(PanelContext ctx, int s0, int s1)
    {
        int nr = TK.NR, kc = ctx.Kc;
        ref readonly GemmProblem<T> p = ref ctx.P;
        for (int s = s0; s < s1; s++)
        {
            int j0 = ctx.Jc + (s * nr);
            int width = Math.Min(nr, ctx.Jc + ctx.Nc - j0);
            T* dest = ctx.PackedB + ((nint)s * kc * nr);
            T* src = p.B + (ctx.Pc * p.Bks) + (j0 * p.Bjs);
            if (p.Bjs == 1)
            {
                for (int q = 0; q < kc; q++)
                {
                    T* d = dest + (q * nr);
                    new ReadOnlySpan<T>(src + (q * p.Bks), width).CopyTo(new Span<T>(d, width));
                    new Span<T>(d + width, nr - width).Clear();
                }
            }
            else
            {
                for (int jj = 0; jj < width; jj++)
                {
                    T* col = src + (jj * p.Bjs);
                    for (int q = 0; q < kc; q++)
                    {
                        dest[(q * nr) + jj] = col[q * p.Bks];
                    }
                }

                if (width < nr)
                {
                    for (int q = 0; q < kc; q++)
                    {
                        for (int jj = width; jj < nr; jj++)
                        {
                            dest[(q * nr) + jj] = T.Zero;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Packs rows [r0, r0 + h) of op(A), depth [pc, pc + kc), into one MR sliver (zero-padded to MR rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackASliver(in GemmProblem<T> p, int r0, int h, int pc, int kc, T* dest)
    {
        int mr = TK.MR;
        if (p.Ars == 1)
        {
            for (int q = 0; q < kc; q++)
            {
                T* d = dest + (q * mr);
                new ReadOnlySpan<T>(p.A + ((pc + q) * p.Aks) + r0, h).CopyTo(new Span<T>(d, h));
                new Span<T>(d + h, mr - h).Clear();
            }
        }
        else
        {
            for (int ii = 0; ii < h; ii++)
            {
                T* src = p.A + ((r0 + ii) * p.Ars) + (pc * p.Aks);
                for (int q = 0; q < kc; q++)
                {
                    dest[(q * mr) + ii] = src[q * p.Aks];
                }
            }

            if (h < mr)
            {
                for (int q = 0; q < kc; q++)
                {
                    for (int ii = h; ii < mr; ii++)
                    {
                        dest[(q * mr) + ii] = T.Zero;
                    }
                }
            }
        }
    }

    /// <summary>Task t covers row block t mod RowBlocks and column chunk t / RowBlocks of the current panel.</summary>
    private static void RunTask(PanelContext ctx, int t)
    {
        int ib = t % ctx.RowBlocks, jb = t / ctx.RowBlocks;
        int i0 = ib * ctx.RowBlock, j0 = jb * ctx.ColumnChunk;
        Macro(ctx, i0, Math.Min(ctx.P.M, i0 + ctx.RowBlock), j0, Math.Min(ctx.Nc, j0 + ctx.ColumnChunk));
    }

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro(PanelContext ctx, int i0, int i1, int j0, int j1)
    {
        int mr = TK.MR, nr = TK.NR, kc = ctx.Kc, mc = i1 - i0;
        ref readonly GemmProblem<T> p = ref ctx.P;
        int fullRows = mc / mr * mr;
        int aSlivers = ctx.PackA ? (mc + mr - 1) / mr : (fullRows == mc ? 0 : 1);
        int aLength = (aSlivers * mr * kc) + (mr * nr) + GemmBlocking.AlignPad;
        T[] aArray = ArrayPool<T>.Shared.Rent(aLength);
        fixed (T* aRaw = aArray)
        {
            T* packedA = Align(aRaw);
            T* tile = packedA + (aSlivers * mr * kc);
            if (ctx.PackA)
            {
                for (int s = 0; s < aSlivers; s++)
                {
                    int r0 = s * mr;
                    PackASliver(p, i0 + r0, Math.Min(mr, mc - r0), ctx.Pc, kc, packedA + (s * mr * kc));
                }
            }
            else if (aSlivers == 1)
            {
                PackASliver(p, i0 + fullRows, mc - fullRows, ctx.Pc, kc, packedA);
            }

            for (int jr = j0; jr < j1; jr += nr)
            {
                int width = Math.Min(nr, j1 - jr);
                T* bs = ctx.PackedB + ((nint)(jr / nr) * kc * nr);
                for (int ir = 0; ir < mc; ir += mr)
                {
                    int height = Math.Min(mr, mc - ir);
                    T* a;
                    nint ars, aks;
                    if (ctx.PackA)
                    {
                        a = packedA + ((ir / mr) * mr * kc);
                        ars = 1;
                        aks = mr;
                    }
                    else if (height == mr)
                    {
                        a = p.A + ((i0 + ir) * p.Ars) + (ctx.Pc * p.Aks);
                        ars = p.Ars;
                        aks = p.Aks;
                    }
                    else
                    {
                        a = packedA;
                        ars = 1;
                        aks = mr;
                    }

                    T* c = p.C + ((i0 + ir) * p.Ldc) + ctx.Jc + jr;
                    if (height == mr && width == nr)
                    {
                        TK.Run(kc, a, ars, aks, bs, c, p.Ldc, p.Alpha, ctx.Beta, ctx.BetaZero);
                    }
                    else
                    {
                        TK.Run(kc, a, ars, aks, bs, tile, nr, p.Alpha, T.Zero, true);
                        StoreEdge(tile, nr, c, p.Ldc, height, width, ctx.Beta, ctx.BetaZero);
                    }
                }

                if (p.Bias != null && ctx.Pc + kc == p.K)
                {
                    // Last k-panel: the sliver's values are final and still in L1; apply bias and activation now.
                    Gemm.Epilogue(p, i0, i1, ctx.Jc + jr, width);
                }
            }
        }

        ArrayPool<T>.Shared.Return(aArray);
    }

    /// <summary>Copies the valid height × width corner of a computed tile into C (C ← tile or tile + β·C).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreEdge(T* tile, int nr, T* c, nint ldc, int height, int width, T beta, bool betaZero)
    {
        for (int ii = 0; ii < height; ii++)
        {
            T* cr = c + (ii * ldc);
            T* tr = tile + (ii * nr);
            if (betaZero)
            {
                for (int jj = 0; jj < width; jj++)
                {
                    cr[jj] = tr[jj];
                }
            }
            else
            {
                for (int jj = 0; jj < width; jj++)
                {
                    cr[jj] = (beta * cr[jj]) + tr[jj];
                }
            }
        }
    }
}
