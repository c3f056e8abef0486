using System.Runtime.Intrinsics;
using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

/// <summary>The VAE's kernel ops (activation derivatives, column sums, fused Adam, cross-entropy with logits) at every width against naive loops.</summary>
public class NeuralKernelTests
{
    public static TheoryData<int, int> WidthsAndSizes()
    {
        var data = new TheoryData<int, int>();
        foreach (int width in new[] { 128, 256, 512 })
        {
            foreach (int n in new[] { 1, 7, 17, 63, 65, 257 })
            {
                data.Add(width, n);
            }
        }

        return data;
    }

    private static float[] Values(int n, int seed, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(low + ((high - low) * random.NextDouble()))).ToArray();
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Activation_derivatives_from_the_outputs_match_the_naive_loop_bit_for_bit(int width, int n)
    {
        foreach (Activation f in Enum.GetValues<Activation>())
        {
            float[] output = f switch
            {
                Activation.Sigmoid => Values(n, n, 0, 1),
                Activation.Tanh => Values(n, n, -1, 1),
                _ => Values(n, n, -1, 1),
            };
            float[] gradient = Values(n, n + 1);
            float[] expected = gradient.Select((g, i) => f switch
            {
                Activation.Relu => output[i] > 0 ? g : 0f,
                Activation.Tanh => g * (1f - (output[i] * output[i])),
                Activation.Sigmoid => g * (output[i] * (1f - output[i])),
                _ => g,
            }).ToArray();
            if (f == Activation.Identity)
            {
                DenseBackward.ActivationGradient(gradient, output, f);
            }
            else
            {
                switch (width)
                {
                    case 128:
                        DenseBackward.ActivationGradient<Vector128<float>, Simd128<float>>(gradient, output, f);
                        break;
                    case 256:
                        DenseBackward.ActivationGradient<Vector256<float>, Simd256<float>>(gradient, output, f);
                        break;
                    default:
                        DenseBackward.ActivationGradient<Vector512<float>, Simd512<float>>(gradient, output, f);
                        break;
                }
            }

            gradient.Should().Equal(expected, $"{f}");
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Column_sums_add_the_rows_in_order_in_every_lane(int width, int columns)
    {
        const int rows = 9;
        float[] m = Values(rows * columns, columns);
        var sums = new float[columns];
        switch (width)
        {
            case 128:
                DenseBackward.ColumnSums<Vector128<float>, Simd128<float>>(m, rows, columns, sums);
                break;
            case 256:
                DenseBackward.ColumnSums<Vector256<float>, Simd256<float>>(m, rows, columns, sums);
                break;
            default:
                DenseBackward.ColumnSums<Vector512<float>, Simd512<float>>(m, rows, columns, sums);
                break;
        }

        for (int j = 0; j < columns; j++)
        {
            float s = 0f;
            for (int i = 0; i < rows; i++)
            {
                s += m[(i * columns) + j];
            }

            sums[j].Should().Be(s, $"column {j}");
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Adam_matches_the_textbook_update_in_double_and_is_the_same_bits_at_every_width(int width, int n)
    {
        float[] p = Values(n, n), m = new float[n], v = new float[n];
        double[] pd = p.Select(x => (double)x).ToArray(), md = new double[n], vd = new double[n];
        float[] reference = (float[])p.Clone(), rm = new float[n], rv = new float[n];
        for (int t = 1; t <= 3; t++)
        {
            float[] g = Values(n, (100 * t) + n);
            var c = new AdamUpdate.Coefficients(1e-2f, 0.9f, 0.999f, 1e-8f, t, 0.1f);
            switch (width)
            {
                case 128:
                    AdamUpdate.Step<Vector128<float>, Simd128<float>>(p, g, m, v, c);
                    break;
                case 256:
                    AdamUpdate.Step<Vector256<float>, Simd256<float>>(p, g, m, v, c);
                    break;
                default:
                    AdamUpdate.Step<Vector512<float>, Simd512<float>>(p, g, m, v, c);
                    break;
            }

            AdamUpdate.Step(reference, g, rm, rv, c); // the default width
            for (int i = 0; i < n; i++)
            {
                pd[i] *= 1 - (1e-2 * 0.1);
                md[i] = (0.9 * md[i]) + (0.1 * g[i]);
                vd[i] = (0.999 * vd[i]) + (0.001 * g[i] * g[i]);
                double mHat = md[i] / (1 - Math.Pow(0.9, t)), vHat = vd[i] / (1 - Math.Pow(0.999, t));
                pd[i] -= 1e-2 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }

        p.Should().Equal(reference, "every width gives the same bits");
        for (int i = 0; i < n; i++)
        {
            ((double)p[i]).Should().BeApproximately(pd[i], 1e-6, $"parameter {i}");
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Cross_entropy_with_logits_matches_the_double_formula_at_every_width(int width, int n)
    {
        float[] logits = Values(n, n, -30, 30), x = Values(n, n + 1, 0, 1);
        var gradient = new float[n];
        double loss = width switch
        {
            128 => LogisticLoss.Row<Vector128<float>, Simd128<float>>(logits, x, gradient, 0.25f),
            256 => LogisticLoss.Row<Vector256<float>, Simd256<float>>(logits, x, gradient, 0.25f),
            _ => LogisticLoss.Row<Vector512<float>, Simd512<float>>(logits, x, gradient, 0.25f),
        };
        double expected = 0, magnitude = 0;
        for (int j = 0; j < n; j++)
        {
            double l = logits[j];
            double term = Math.Max(l, 0) + Math.Log(1 + Math.Exp(-Math.Abs(l))) - (x[j] * l);
            expected += term;
            magnitude += Math.Abs(term) + Math.Abs(x[j] * l);
            ((double)gradient[j]).Should().BeApproximately(((1 / (1 + Math.Exp(-l))) - x[j]) * 0.25, 2e-7, $"gradient {j}");
        }

        loss.Should().BeApproximately(expected, 1e-6 * magnitude);
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void A_mini_batch_layer_with_its_fused_epilogue_is_the_same_bits_on_one_and_two_threads(Activation activation)
    {
        const int m = 100, n = 784, k = 200;
        float[] a = Values(m * k, 1), b = Values(k * n, 2), bias = Values(n, 3), c1 = new float[m * n], c2 = new float[m * n];
        Gemm.MultiplyAddBias(MatrixOp.None, MatrixOp.None, m, n, k, 1f, a, k, b, n, bias, activation, c1, n, 1);
        Gemm.MultiplyAddBias(MatrixOp.None, MatrixOp.None, m, n, k, 1f, a, k, b, n, bias, activation, c2, n, 2);
        c2.Should().Equal(c1);
    }
}
