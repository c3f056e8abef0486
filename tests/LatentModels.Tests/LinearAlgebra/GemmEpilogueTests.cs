using System.Runtime.Intrinsics;
using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class GemmEpilogueTests
{
    private static float[] Values(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Math.Max(n, 1)).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
    }

    private static double Activate(double x, Activation f) => f switch
    {
        Activation.Relu => Math.Max(x, 0),
        Activation.Tanh => Math.Tanh(x),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        _ => x,
    };

    public static TheoryData<int, int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int, int>();
        int[][] shapes = [[1, 1, 1], [7, 17, 5], [17, 63, 65], [65, 7, 257], [63, 65, 17], [257, 33, 300], [13, 257, 40]];
        foreach (int[] s in shapes)
        {
            foreach (int path in new[] { 1, 2, 3 })
            {
                data.Add(s[0], s[1], s[2], path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Bias_and_activation_fused_into_every_product_match_the_naive_layer(int m, int n, int k, int pathIndex)
    {
        var path = (GemmPath)pathIndex;
        float[] bias = Values(n, m + n + k);
        foreach (MatrixOp opA in new[] { MatrixOp.None, MatrixOp.Transpose })
        {
            foreach (MatrixOp opB in new[] { MatrixOp.None, MatrixOp.Transpose })
            {
                int lda = opA == MatrixOp.None ? k + 1 : m + 1, ldb = opB == MatrixOp.None ? n + 2 : k + 2, ldc = n + 3;
                float[] a = Values((opA == MatrixOp.None ? m : k) * lda, m * k);
                float[] b = Values((opB == MatrixOp.None ? k : n) * ldb, n * k + 1);
                foreach (Activation f in Enum.GetValues<Activation>())
                {
                    float[] c = Enumerable.Repeat(float.NaN, m * ldc).ToArray();
                    Gemm.Run(path, opA, opB, m, n, k, 0.5f, a, lda, b, ldb, 0f, c, ldc, 0, bias, f);
                    for (int i = 0; i < m; i++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            double s = 0, scale = Math.Abs(bias[j]);
                            for (int p = 0; p < k; p++)
                            {
                                double term = (opA == MatrixOp.None ? a[i * lda + p] : a[p * lda + i]) * (double)(opB == MatrixOp.None ? b[p * ldb + j] : b[j * ldb + p]);
                                s += term;
                                scale += 0.5 * Math.Abs(term);
                            }

                            double expected = Activate(0.5 * s + bias[j], f);
                            double tol = 4 * (k + 4) * 6e-8 * scale + 1e-6 * Math.Abs(expected) + 1e-30;
                            double err = Math.Abs(c[i * ldc + j] - expected);
                            if (!(err <= tol))
                            {
                                ((double)c[i * ldc + j]).Should().BeApproximately(expected, tol, $"({i}, {j}) of {opA}/{opB} {m}×{n}×{k} {f} on {path}");
                            }
                        }

                        for (int j = n; j < ldc; j++)
                        {
                            float.IsNaN(c[i * ldc + j]).Should().BeTrue("the padding of C is not written");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void The_fused_epilogue_is_the_plain_product_followed_by_the_row_epilogue_bit_for_bit_for_any_thread_count()
    {
        const int m = 150, n = 130, k = 600;
        float[] a = Values(m * k, 1), b = Values(k * n, 2), bias = Values(n, 3);
        foreach (Activation f in Enum.GetValues<Activation>())
        {
            var one = new float[m * n];
            var two = new float[m * n];
            var plain = new float[m * n];
            Gemm.Run(Gemm.DefaultPath, MatrixOp.None, MatrixOp.None, m, n, k, 1f, a, k, b, n, 0f, one, n, 1, bias, f);
            Gemm.Run(Gemm.DefaultPath, MatrixOp.None, MatrixOp.None, m, n, k, 1f, a, k, b, n, 0f, two, n, 2, bias, f);
            Gemm.Multiply(MatrixOp.None, MatrixOp.None, m, n, k, 1f, a, k, b, n, 0f, plain, n, 1);
            for (int i = 0; i < m; i++)
            {
                BiasActivation.Apply(plain.AsSpan(i * n, n), bias, f);
            }

            two.Should().Equal(one);
            one.Should().Equal(plain);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(257)]
    public void The_row_epilogue_is_the_same_at_every_width(int n)
    {
        float[] x = Values(n, n).Select(v => 8 * v).ToArray(), bias = Values(n, n + 1);
        foreach (Activation f in Enum.GetValues<Activation>())
        {
            float[] r128 = (float[])x.Clone(), r256 = (float[])x.Clone(), r512 = (float[])x.Clone();
            BiasActivation.Apply<Vector128<float>, Simd128<float>>(r128, bias, f);
            BiasActivation.Apply<Vector256<float>, Simd256<float>>(r256, bias, f);
            BiasActivation.Apply<Vector512<float>, Simd512<float>>(r512, bias, f);
            r256.Should().Equal(r128);
            r512.Should().Equal(r128);
            for (int j = 0; j < n; j++)
            {
                ((double)r128[j]).Should().BeApproximately(Activate((double)(x[j] + bias[j]), f), 1e-6 * (1 + Math.Abs(x[j] + bias[j])));
            }
        }
    }

    [Fact]
    public void Bad_bias_or_activation_is_rejected_naming_the_parameter()
    {
        var c = new float[4];
        new Action(() => Gemm.MultiplyAddBias(MatrixOp.None, MatrixOp.None, 2, 2, 1, 1f, new float[2], 1, new float[2], 2, new float[1], Activation.Relu, c, 2))
            .Should().Throw<ArgumentException>().And.ParamName.Should().Be("bias");
        new Action(() => Gemm.MultiplyAddBias(MatrixOp.None, MatrixOp.None, 2, 2, 1, 1f, new float[2], 1, new float[2], 2, new float[2], (Activation)9, c, 2))
            .Should().Throw<ArgumentOutOfRangeException>().And.ParamName.Should().Be("activation");
        Gemm.MultiplyAddBias(MatrixOp.None, MatrixOp.None, 2, 2, 1, 1f, [1f, -1f], 1, [1f, 2f], 2, [0.5f, -3f], Activation.Relu, c, 2);
        c.Should().Equal(1.5f, 0f, 0f, 0f);
    }
}
