using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class GemmTests
{
    /// <summary>Stored shape of an operand: rows × cols with row stride ld.</summary>
    private static (int Rows, int Cols) Stored(MatrixOp op, int rows, int cols) => op == MatrixOp.None ? (rows, cols) : (cols, rows);

    private static double[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var x = new double[length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (rng.NextDouble() * 2) - 1;
        }

        return x;
    }

    /// <summary>Naive reference in double: returns α·op(A)·op(B) + β·C and, per entry, the error scale |α|Σ|a||b| + |β||c|.</summary>
    private static (double[] Value, double[] Scale) Reference(MatrixOp opA, MatrixOp opB, int m, int n, int k, double alpha,
        double[] a, int lda, double[] b, int ldb, double beta, double[] c, int ldc)
    {
        var value = new double[m * n];
        var scale = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0, t = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = opA == MatrixOp.None ? a[(i * lda) + p] : a[(p * lda) + i];
                    double bv = opB == MatrixOp.None ? b[(p * ldb) + j] : b[(j * ldb) + p];
                    s += av * bv;
                    t += Math.Abs(av * bv);
                }

                double cOld = beta == 0 ? 0 : c[(i * ldc) + j];
                value[(i * n) + j] = (alpha * s) + (beta * cOld);
                scale[(i * n) + j] = (Math.Abs(alpha) * t) + Math.Abs(beta * cOld);
            }
        }

        return (value, scale);
    }

    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int s in new[] { 1, 2, 7, 17, 63, 64, 65, 257 })
        {
            data.Add(s, s, s);
        }

        data.Add(1, 257, 7);
        data.Add(257, 1, 65);
        data.Add(17, 63, 257);
        data.Add(65, 7, 2);
        data.Add(63, 65, 64);
        data.Add(300, 33, 16);
        data.Add(2, 3, 700);
        data.Add(7, 4100, 5);
        data.Add(100, 70, 520);
        return data;
    }

    private static readonly MatrixOp[] _ops = [MatrixOp.None, MatrixOp.Transpose];

    private static readonly (double Alpha, double Beta)[] _scalings = [(1, 0), (2.5, 0), (1, 1), (-0.5, 0.75)];

    /// <summary>Every α/β variant on small shapes; on big ones (slow naive reference) the two that cover the rest.</summary>
    private static (double Alpha, double Beta)[] Scalings(int m, int n, int k) =>
        (long)m * n * k > 1_000_000 ? [(2.5, 0), (-0.5, 0.75)] : _scalings;

    private static void CheckDouble(GemmPath? path, MatrixOp opA, MatrixOp opB, int m, int n, int k, double alpha, double beta, int pad, int seed)
    {
        (int ar, int ac) = Stored(opA, m, k);
        (int br, int bc) = Stored(opB, k, n);
        int lda = ac + pad, ldb = bc + pad, ldc = n + pad;
        double[] a = Random(Math.Max(1, ar * lda), seed);
        double[] b = Random(Math.Max(1, br * ldb), seed + 1);
        double[] c = Random(Math.Max(1, m * ldc), seed + 2);
        if (beta == 0)
        {
            Array.Fill(c, double.NaN);
        }

        double[] c0 = (double[])c.Clone();
        var (expected, scale) = Reference(opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c0, ldc);
        if (path is { } p)
        {
            Gemm.Run(p, opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 0);
        }
        else
        {
            Gemm.Multiply(opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double tol = 4 * (k + 2) * 1.1e-16 * scale[(i * n) + j];
                double err = Math.Abs(c[(i * ldc) + j] - expected[(i * n) + j]);
                if (!(err <= tol))
                {
                    c[(i * ldc) + j].Should().BeApproximately(expected[(i * n) + j], tol,
                        $"entry ({i}, {j}) of {opA}/{opB} {m}×{n}×{k} α={alpha} β={beta} path={path}");
                }
            }

            for (int j = n; j < ldc && (i * ldc) + j < c.Length; j++)
            {
                c[(i * ldc) + j].Should().Be(c0[(i * ldc) + j], "padding beyond the n columns must not be touched");
            }
        }
    }

    private static void CheckSingle(GemmPath? path, MatrixOp opA, MatrixOp opB, int m, int n, int k, float alpha, float beta, int pad, int seed)
    {
        (int ar, int ac) = Stored(opA, m, k);
        (int br, int bc) = Stored(opB, k, n);
        int lda = ac + pad, ldb = bc + pad, ldc = n + pad;
        float[] a = Array.ConvertAll(Random(Math.Max(1, ar * lda), seed), x => (float)x);
        float[] b = Array.ConvertAll(Random(Math.Max(1, br * ldb), seed + 1), x => (float)x);
        float[] c = Array.ConvertAll(Random(Math.Max(1, m * ldc), seed + 2), x => (float)x);
        if (beta == 0)
        {
            Array.Fill(c, float.NaN);
        }

        float[] c0 = (float[])c.Clone();
        var (expected, scale) = Reference(opA, opB, m, n, k, alpha, Array.ConvertAll(a, x => (double)x), lda,
            Array.ConvertAll(b, x => (double)x), ldb, beta, Array.ConvertAll(c0, x => (double)x), ldc);
        if (path is { } p)
        {
            Gemm.Run(p, opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 0);
        }
        else
        {
            Gemm.Multiply(opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double tol = 4 * (k + 2) * 6e-8 * scale[(i * n) + j];
                double err = Math.Abs(c[(i * ldc) + j] - expected[(i * n) + j]);
                if (!(err <= tol))
                {
                    ((double)c[(i * ldc) + j]).Should().BeApproximately(expected[(i * n) + j], tol,
                        $"entry ({i}, {j}) of {opA}/{opB} {m}×{n}×{k} α={alpha} β={beta} path={path}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Double_matches_naive_loops_for_every_transpose_and_scaling(int m, int n, int k)
    {
        int seed = (m * 31) + (n * 7) + k;
        foreach (MatrixOp opA in _ops)
        {
            foreach (MatrixOp opB in _ops)
            {
                foreach (var (alpha, beta) in Scalings(m, n, k))
                {
                    CheckDouble(null, opA, opB, m, n, k, alpha, beta, pad: 0, seed++);
                }

                CheckDouble(null, opA, opB, m, n, k, 1.5, 0.5, pad: 3, seed++);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Single_matches_naive_loops_for_every_transpose_and_scaling(int m, int n, int k)
    {
        int seed = (m * 37) + (n * 5) + k;
        foreach (MatrixOp opA in _ops)
        {
            foreach (MatrixOp opB in _ops)
            {
                foreach (var (alpha, beta) in Scalings(m, n, k))
                {
                    CheckSingle(null, opA, opB, m, n, k, (float)alpha, (float)beta, pad: 0, seed++);
                }

                CheckSingle(null, opA, opB, m, n, k, 1.5f, 0.5f, pad: 5, seed++);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_instruction_set_path_matches_naive_loops(int pathIndex)
    {
        var path = (GemmPath)pathIndex;
        int seed = 11;
        foreach (var (m, n, k) in new[] { (7, 17, 65), (65, 63, 17), (13, 40, 300), (1, 33, 2) })
        {
            foreach (MatrixOp opA in _ops)
            {
                foreach (MatrixOp opB in _ops)
                {
                    CheckDouble(path, opA, opB, m, n, k, 1.25, 0.5, pad: 2, seed++);
                    CheckDouble(path, opA, opB, m, n, k, -1, 0, pad: 0, seed++);
                    CheckSingle(path, opA, opB, m, n, k, 1.25f, 0.5f, pad: 1, seed++);
                    CheckSingle(path, opA, opB, m, n, k, -1f, 0f, pad: 0, seed++);
                }
            }
        }
    }

    [Theory]
    [InlineData(MatrixOp.None, MatrixOp.None, 300, 260, 530)]
    [InlineData(MatrixOp.Transpose, MatrixOp.None, 300, 260, 530)]
    [InlineData(MatrixOp.None, MatrixOp.Transpose, 5000, 32, 16)]
    [InlineData(MatrixOp.Transpose, MatrixOp.Transpose, 1000, 100, 40)]
    [InlineData(MatrixOp.None, MatrixOp.None, 100, 200, 784)] // a mini-batch of 100: narrower column chunks with two threads
    [InlineData(MatrixOp.None, MatrixOp.Transpose, 100, 200, 784)]
    [InlineData(MatrixOp.Transpose, MatrixOp.None, 200, 785, 100)]
    public void Results_are_bitwise_identical_for_one_and_two_threads(MatrixOp opA, MatrixOp opB, int m, int n, int k)
    {
        (int ar, int ac) = Stored(opA, m, k);
        (int br, int bc) = Stored(opB, k, n);
        double[] a = Random(ar * ac, 1), b = Random(br * bc, 2), c1 = Random(m * n, 3);
        double[] c2 = (double[])c1.Clone();
        Gemm.Multiply(opA, opB, m, n, k, 0.7, a, ac, b, bc, 0.3, c1, n, maxDegreeOfParallelism: 1);
        Gemm.Multiply(opA, opB, m, n, k, 0.7, a, ac, b, bc, 0.3, c2, n, maxDegreeOfParallelism: 2);
        c2.Should().Equal(c1);

        float[] fa = Array.ConvertAll(a, x => (float)x), fb = Array.ConvertAll(b, x => (float)x);
        var f1 = new float[m * n];
        var f2 = new float[m * n];
        Gemm.Multiply(opA, opB, m, n, k, 1f, fa, ac, fb, bc, 0f, f1, n, maxDegreeOfParallelism: 1);
        Gemm.Multiply(opA, opB, m, n, k, 1f, fa, ac, fb, bc, 0f, f2, n, maxDegreeOfParallelism: 2);
        f2.Should().Equal(f1);
    }

    [Fact]
    public void Zero_depth_or_zero_alpha_only_scales_c_and_beta_zero_clears_nans()
    {
        double[] c = [1, 2, double.NaN, 4];
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, 2, 2, 0, 1.0, [], 1, [], 2, 0.0, c, 2);
        c.Should().Equal(0, 0, 0, 0);

        double[] c2 = [1, 2, 3, 4];
        Gemm.Multiply(MatrixOp.None, MatrixOp.None, 2, 2, 1, 0.0, [double.NaN, 1], 1, [1, 1], 2, 2.0, c2, 2);
        c2.Should().Equal(2, 4, 6, 8);
    }

    [Fact]
    public void Bad_shapes_are_rejected_naming_the_operand()
    {
        var a = new double[6];
        var b = new double[6];
        var c = new double[4];
        var shortA = () => Gemm.Multiply(MatrixOp.None, MatrixOp.None, 2, 2, 4, 1.0, a, 4, b, 2, 0.0, c, 2);
        shortA.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("a");
        var smallLd = () => Gemm.Multiply(MatrixOp.None, MatrixOp.None, 2, 2, 3, 1.0, a, 2, b, 2, 0.0, c, 2);
        smallLd.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("lda");
        var shortC = () => Gemm.Multiply(MatrixOp.None, MatrixOp.Transpose, 2, 3, 3, 1.0, a, 3, new double[9], 3, 0.0, c, 3);
        shortC.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("c");
        var negative = () => Gemm.Multiply(MatrixOp.None, MatrixOp.None, -1, 2, 3, 1.0, a, 3, b, 2, 0.0, c, 2);
        negative.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("m");
    }
}
