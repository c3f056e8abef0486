namespace LatentModels.LinearAlgebra;

/// <summary>Whether a GEMM operand is used as stored or transposed.</summary>
public enum MatrixOp
{
    /// <summary>Use the operand as stored.</summary>
    None,

    /// <summary>Use the transpose of the operand.</summary>
    Transpose,
}

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
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = opA == MatrixOp.None ? a[i * lda + p] : a[p * lda + i];
                    double bv = opB == MatrixOp.None ? b[p * ldb + j] : b[j * ldb + p];
                    s += av * bv;
                }

                c[i * ldc + j] = beta == 0 ? alpha * s : alpha * s + beta * c[i * ldc + j];
            }
        }
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
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = opA == MatrixOp.None ? a[i * lda + p] : a[p * lda + i];
                    float bv = opB == MatrixOp.None ? b[p * ldb + j] : b[j * ldb + p];
                    s += av * bv;
                }

                c[i * ldc + j] = beta == 0 ? alpha * s : alpha * s + beta * c[i * ldc + j];
            }
        }
    }
}
