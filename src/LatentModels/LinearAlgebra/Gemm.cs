using System.Numerics;
using System.Runtime.Intrinsics;

namespace LatentModels.LinearAlgebra;

/// <summary>General matrix multiply, C ← α·op(A)·op(B) + β·C, on row-major storage.</summary>
public static class Gemm
{
    /// <summary>
    /// Computes C ← α·op(A)·op(B) + β·C where op(A) is m × k, op(B) is k × n and C is m × n, all row-major.
    /// When β = 0, C is not read (NaNs in it do not propagate).
    /// </summary>
    /// <param name="opA">How A is used.</param>
    /// <param name="opB">How B is used.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A: m × k (lda ≥ k) when not transposed, k × m (lda ≥ m) when transposed.</param>
    /// <param name="lda">Row stride of A.</param>
    /// <param name="b">B: k × n (ldb ≥ n) when not transposed, n × k (ldb ≥ k) when transposed.</param>
    /// <param name="ldb">Row stride of B.</param>
    /// <param name="beta">Scale of the existing C.</param>
    /// <param name="c">C: m × n with row stride ldc ≥ n.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results are identical for every value.</param>
    public static void Multiply(MatrixOp opA, MatrixOp opB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc,
        int maxDegreeOfParallelism = 0)
    {
        Run(DefaultPath, opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxDegreeOfParallelism);
    }

    /// <summary>Single-precision counterpart of <see cref="Multiply(MatrixOp, MatrixOp, int, int, int, double, ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, double, Span{double}, int, int)"/>.</summary>
    /// <param name="opA">How A is used.</param>
    /// <param name="opB">How B is used.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A, row-major.</param>
    /// <param name="lda">Row stride of A.</param>
    /// <param name="b">B, row-major.</param>
    /// <param name="ldb">Row stride of B.</param>
    /// <param name="beta">Scale of the existing C.</param>
    /// <param name="c">C, row-major.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores.</param>
    public static void Multiply(MatrixOp opA, MatrixOp opB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        int maxDegreeOfParallelism = 0)
    {
        Run(DefaultPath, opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxDegreeOfParallelism);
    }

    /// <summary>
    /// The dense-layer product with its epilogue fused into the output write: C ← f(α·op(A)·op(B) + 1·biasᵀ), i.e.
    /// C[i, j] = f(α·Σₚ op(A)[i, p]·op(B)[p, j] + bias[j]). The bias and the activation are applied to each block of C as
    /// soon as its last k-panel has been accumulated (while it is in cache), not in a second pass. C is not read.
    /// </summary>
    /// <param name="opA">How A is used.</param>
    /// <param name="opB">How B is used.</param>
    /// <param name="m">Rows of op(A) and C (the batch).</param>
    /// <param name="n">Columns of op(B) and C (the layer's outputs).</param>
    /// <param name="k">Columns of op(A), rows of op(B) (the layer's inputs).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A: m × k (lda ≥ k) when not transposed, k × m (lda ≥ m) when transposed.</param>
    /// <param name="lda">Row stride of A.</param>
    /// <param name="b">B: k × n (ldb ≥ n) when not transposed, n × k (ldb ≥ k) when transposed.</param>
    /// <param name="ldb">Row stride of B.</param>
    /// <param name="bias">n biases, one per column of C.</param>
    /// <param name="activation">The activation f.</param>
    /// <param name="c">C: m × n with row stride ldc ≥ n.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="maxDegreeOfParallelism">Thread cap; ≤ 0 means all cores. Results are identical for every value.</param>
    public static void MultiplyAddBias(MatrixOp opA, MatrixOp opB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias, Activation activation,
        Span<float> c, int ldc, int maxDegreeOfParallelism = 0)
    {
        if (bias.Length < n)
        {
            throw new ArgumentException($"bias needs {n} values (one per column of C) but has {bias.Length}.", nameof(bias));
        }

        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }

        Run(DefaultPath, opA, opB, m, n, k, alpha, a, lda, b, ldb, 0f, c, ldc, maxDegreeOfParallelism, bias, activation);
    }

    /// <summary>The instruction-set path chosen once for this process.</summary>
    internal static readonly GemmPath DefaultPath =
        Vector512.IsHardwareAccelerated ? GemmPath.Vector512
        : Vector256.IsHardwareAccelerated ? GemmPath.Vector256
        : Vector128.IsHardwareAccelerated ? GemmPath.Vector128
        : GemmPath.Scalar;

    /// <summary>GEMM on an explicit instruction-set path (tests use it to exercise every path).</summary>
    internal static unsafe void Run<T>(GemmPath path, MatrixOp opA, MatrixOp opB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, int maxDegreeOfParallelism)
        where T : unmanaged, INumber<T> =>
        Run(path, opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxDegreeOfParallelism, default, Activation.Identity);

    /// <summary>GEMM on an explicit path, with the fused bias + activation epilogue when <paramref name="bias"/> is not empty (float only).</summary>
    internal static unsafe void Run<T>(GemmPath path, MatrixOp opA, MatrixOp opB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc, int maxDegreeOfParallelism,
        ReadOnlySpan<T> bias, Activation activation)
        where T : unmanaged, INumber<T>
    {
        Validate(opA, opB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (!bias.IsEmpty && typeof(T) != typeof(float))
        {
            throw new NotSupportedException("The fused bias + activation epilogue is implemented for float.");
        }

        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        fixed (T* pbias = bias)
        {
            var p = new GemmProblem<T>
            {
                A = pa,
                Ars = opA == MatrixOp.None ? lda : 1,
                Aks = opA == MatrixOp.None ? 1 : lda,
                B = pb,
                Bks = opB == MatrixOp.None ? ldb : 1,
                Bjs = opB == MatrixOp.None ? 1 : ldb,
                C = pc,
                Ldc = ldc,
                M = m,
                N = n,
                K = k,
                Alpha = alpha,
                Beta = beta,
                Bias = bias.IsEmpty ? null : pbias,
                Activation = activation,
            };

            if (k == 0 || alpha == T.Zero)
            {
                ScaleC(p);
                EpilogueAll(p);
            }
            else if ((long)m * n * k <= GemmBlocking.SmallThreshold)
            {
                Small(p);
                EpilogueAll(p);
            }
            else
            {
                switch (path)
                {
                    case GemmPath.Vector512:
                        GemmDriver<T, RegisterTileKernel<T, Vector512<T>, Simd512<T>>>.Run(p, maxDegreeOfParallelism);
                        break;
                    case GemmPath.Vector256:
                        GemmDriver<T, RegisterTileKernel<T, Vector256<T>, Simd256<T>>>.Run(p, maxDegreeOfParallelism);
                        break;
                    case GemmPath.Vector128:
                        GemmDriver<T, RegisterTileKernel<T, Vector128<T>, Simd128<T>>>.Run(p, maxDegreeOfParallelism);
                        break;
                    default:
                        GemmDriver<T, KernelScalar<T>>.Run(p, maxDegreeOfParallelism);
                        break;
                }
            }
        }
    }

    /// <summary>
    /// The fused epilogue on rows [i0, i1) and columns [j0, j0 + width) of C: C[i, j] ← f(C[i, j] + bias[j]). No-op
    /// without a bias.
    /// </summary>
    internal static unsafe void Epilogue<T>(in GemmProblem<T> p, int i0, int i1, int j0, int width)
        where T : unmanaged
    {
        if (p.Bias == null || typeof(T) != typeof(float))
        {
            return;
        }

        var bias = new ReadOnlySpan<float>((float*)p.Bias + j0, width);
        for (int i = i0; i < i1; i++)
        {
            BiasActivation.Apply(new Span<float>((float*)(p.C + (i * p.Ldc) + j0), width), bias, p.Activation);
        }
    }

    private static unsafe void EpilogueAll<T>(in GemmProblem<T> p)
        where T : unmanaged => Epilogue(p, 0, p.M, 0, p.N);

    private static unsafe void ScaleC<T>(in GemmProblem<T> p)
        where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < p.M; i++)
        {
            T* row = p.C + (i * p.Ldc);
            for (int j = 0; j < p.N; j++)
            {
                row[j] = p.Beta == T.Zero ? T.Zero : p.Beta * row[j];
            }
        }
    }

    /// <summary>Direct triple loop for tiny products, where packing would cost more than it saves.</summary>
    private static unsafe void Small<T>(in GemmProblem<T> p)
        where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < p.M; i++)
        {
            T* arow = p.A + (i * p.Ars);
            T* crow = p.C + (i * p.Ldc);
            for (int j = 0; j < p.N; j++)
            {
                T* bcol = p.B + (j * p.Bjs);
                T s = T.Zero;
                for (int q = 0; q < p.K; q++)
                {
                    s += arow[q * p.Aks] * bcol[q * p.Bks];
                }

                T x = p.Alpha * s;
                crow[j] = p.Beta == T.Zero ? x : (p.Beta * crow[j]) + x;
            }
        }
    }

    private static void Validate(MatrixOp opA, MatrixOp opB, int m, int n, int k, int aLength, int lda, int bLength,
        int ldb, int cLength, int ldc)
    {
        if (opA is not (MatrixOp.None or MatrixOp.Transpose))
        {
            throw new ArgumentOutOfRangeException(nameof(opA), opA, "Unknown matrix operation.");
        }

        if (opB is not (MatrixOp.None or MatrixOp.Transpose))
        {
            throw new ArgumentOutOfRangeException(nameof(opB), opB, "Unknown matrix operation.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckOperand("a", "lda", opA == MatrixOp.None ? m : k, opA == MatrixOp.None ? k : m, aLength, lda);
        CheckOperand("b", "ldb", opB == MatrixOp.None ? k : n, opB == MatrixOp.None ? n : k, bLength, ldb);
        CheckOperand("c", "ldc", m, n, cLength, ldc);
    }

    private static void CheckOperand(string name, string strideName, int rows, int cols, int length, int stride)
    {
        if (stride < Math.Max(1, cols))
        {
            throw new ArgumentOutOfRangeException(strideName, stride,
                $"The row stride of {name} must be at least its {cols} columns (and at least 1).");
        }

        long needed = rows == 0 || cols == 0 ? 0 : ((long)(rows - 1) * stride) + cols;
        if (length < needed)
        {
            throw new ArgumentException(
                $"Operand {name} is {rows} × {cols} with row stride {stride} and needs {needed} values, but has {length}.", name);
        }
    }
}
