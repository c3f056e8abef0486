using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class MixtureKernelOpsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    [InlineData(63)]
    [InlineData(65)]
    public void Reductions_match_the_naive_loops_on_awkward_lengths(int n)
    {
        var random = new Random(n);
        double[] r = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        RowReductions.Sum(r).Should().BeApproximately(r.Sum(), 1e-12);
        RowReductions.Dot(r, x).Should().BeApproximately(r.Zip(x, (a, b) => a * b).Sum(), 1e-12);
        RowReductions.WeightedSquaredDeviation(r, x, 0.3).Should().BeApproximately(r.Zip(x, (a, b) => a * (b - 0.3) * (b - 0.3)).Sum(), 1e-12);
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(4, 7)]
    [InlineData(8, 64)]
    [InlineData(8, 67)]
    [InlineData(12, 13)]
    [InlineData(5, 9)]
    public void Center_transpose_equals_the_naive_loop_bit_for_bit(int d, int rows)
    {
        const int stride = 80;
        var random = new Random(d * 100 + rows);
        double[] x = Enumerable.Range(0, rows * d).Select(_ => 100 * random.NextDouble() - 50).ToArray();
        double[] shift = Enumerable.Range(0, d).Select(_ => random.NextDouble()).ToArray();
        var fast = new double[d * stride];
        CenterTranspose.Run(x, rows, d, shift, fast, stride);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < d; j++)
            {
                fast[j * stride + i].Should().Be(x[i * d + j] - shift[j]);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 7)]
    [InlineData(8, 64)]
    [InlineData(5, 65)]
    [InlineData(17, 9)]
    public void Gaussian_quadratic_forms_match_the_naive_loops(int d, int rows)
    {
        const int stride = 72;
        var random = new Random(d * 1000 + rows);
        var xt = new double[d * stride];
        for (int i = 0; i < xt.Length; i++)
        {
            xt[i] = 4 * random.NextDouble() - 2;
        }

        // An upper-triangular factor with row stride ps > d (as in the packed full-covariance factor), offsets, scales.
        int ps = d + 3;
        var p = new double[d * ps];
        for (int a = 0; a < d; a++)
        {
            for (int j = a; j < d; j++)
            {
                p[a * ps + j] = a == j ? 0.5 + random.NextDouble() : random.NextDouble() - 0.5;
            }
        }

        double[] offsets = Enumerable.Range(0, d).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] scales = Enumerable.Range(0, d).Select(_ => 0.5 + random.NextDouble()).ToArray();
        var upper = new double[rows];
        var diagonal = new double[rows];
        var spherical = new double[rows];
        TriangularWhitening.LogGaussianUpper(xt, stride, rows, d, p, ps, offsets, 1.5, upper);
        TriangularWhitening.LogGaussianDiagonal(xt, stride, rows, d, scales, offsets, -2, diagonal);
        TriangularWhitening.LogGaussianSpherical(xt, stride, rows, d, 0.7, offsets, 0.25, spherical);
        for (int i = 0; i < rows; i++)
        {
            double su = 0, sd = 0, ss = 0;
            for (int j = 0; j < d; j++)
            {
                double y = -offsets[j];
                for (int a = 0; a < d; a++)
                {
                    y += p[a * ps + j] * xt[a * stride + i];
                }

                su += y * y;
                sd += Math.Pow((xt[j * stride + i] - offsets[j]) * scales[j], 2);
                ss += Math.Pow((xt[j * stride + i] - offsets[j]) * 0.7, 2);
            }

            upper[i].Should().BeApproximately(1.5 - 0.5 * su, 1e-12 * Math.Max(1, su));
            diagonal[i].Should().BeApproximately(-2 - 0.5 * sd, 1e-12 * Math.Max(1, sd));
            spherical[i].Should().BeApproximately(0.25 - 0.5 * ss, 1e-12 * Math.Max(1, ss));
        }
    }

    [Fact]
    public void Column_normalisation_gives_probabilities_and_log_sum_exp_even_for_extreme_values()
    {
        // Three components (rows of the buffer, stride 5) and four data rows (columns); column 3 is all −∞.
        double[] v =
        [
            0, -1000, 800, double.NegativeInfinity, 9,
            0, -1001, 799, double.NegativeInfinity, 9,
            0, double.NegativeInfinity, 700, double.NegativeInfinity, 9,
        ];
        var lse = new double[4];
        ColumnLogSumExp.Normalize(v, 3, 4, 5, lse, new double[4]);
        lse[0].Should().BeApproximately(Math.Log(3), 1e-14);
        lse[1].Should().BeApproximately(-1000 + Math.Log(1 + Math.Exp(-1)), 1e-12);
        lse[2].Should().BeApproximately(800 + Math.Log(1 + Math.Exp(-1) + Math.Exp(-100)), 1e-12);
        lse[3].Should().Be(double.NegativeInfinity);
        v[0].Should().BeApproximately(1.0 / 3, 1e-15);
        v[5 + 1].Should().BeApproximately(Math.Exp(-1) / (1 + Math.Exp(-1)), 1e-15);
        v[10 + 1].Should().Be(0);
        new[] { v[3], v[8], v[13] }.Should().Equal(0, 0, 0);
        v[4].Should().Be(9, "entries past the row count are untouched");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(5, 7)]
    [InlineData(8, 256)]
    [InlineData(13, 61)]
    public void Column_normalisation_matches_the_naive_shifted_form(int k, int rows)
    {
        const int stride = 64 * 5;
        var random = new Random(k * 100 + rows);
        var v = new double[k * stride];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = -300 * random.NextDouble() + 50;
        }

        var original = (double[])v.Clone();
        var lse = new double[rows];
        ColumnLogSumExp.Normalize(v, k, rows, stride, lse, new double[rows]);
        for (int i = 0; i < rows; i++)
        {
            double max = Enumerable.Range(0, k).Max(c => original[c * stride + i]);
            double sum = Enumerable.Range(0, k).Sum(c => Math.Exp(original[c * stride + i] - max));
            lse[i].Should().BeApproximately(max + Math.Log(sum), 1e-12 * Math.Max(1, Math.Abs(max)));
            double total = 0;
            for (int c = 0; c < k; c++)
            {
                double expected = Math.Exp(original[c * stride + i] - max) / sum;
                v[c * stride + i].Should().BeApproximately(expected < 2e-304 ? 0 : expected, 4e-16 * Math.Max(expected, 1e-300));
                total += v[c * stride + i];
            }

            total.Should().BeApproximately(1, 1e-14);
        }

        for (int c = 0; c < k; c++)
        {
            v.AsSpan(c * stride + rows, stride - rows).ToArray().Should().Equal(original.AsSpan(c * stride + rows, stride - rows).ToArray(),
                "entries past the row count are untouched");
        }
    }

    [Fact]
    public void Center_transpose_and_squared_distance_match_the_naive_loops()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        var t = new double[3 * 4];
        CenterTranspose.Run(x, 2, 3, [1, 1, 1], t, 4);
        t.Should().Equal(0, 3, 0, 0, 1, 4, 0, 0, 2, 5, 0, 0);
        double[] a = Enumerable.Range(0, 11).Select(i => i * 0.7).ToArray();
        double[] b = Enumerable.Range(0, 11).Select(i => 3 - i * 0.2).ToArray();
        RowReductions.SquaredDistance(a, b).Should().BeApproximately(Enumerable.Range(0, 11).Sum(i => (a[i] - b[i]) * (a[i] - b[i])), 1e-12);
    }
}
