using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

/// <summary>
/// Every kernel operation with a generic width body, run at each width (Vector128, Vector256, Vector512 — the machine
/// may emulate the widest one in software, which changes nothing in the results) against naive loops on awkward sizes.
/// </summary>
public class KernelWidthTests
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

    private static double[] Values(int n, int seed, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => low + (high - low) * random.NextDouble()).ToArray();
    }

    private static double Tolerance(IEnumerable<double> terms) => 1e-14 * (1 + terms.Sum(Math.Abs));

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Row_reductions_match_the_naive_loops(int width, int n)
    {
        double[] r = Values(n, n, 0, 1), x = Values(n, n + 1), y = Values(n, n + 2);
        (double sum, double dot, double dev, double dist) = width switch
        {
            128 => (RowReductions.Sum<Vector128<double>, Simd128<double>>(r), RowReductions.Dot<Vector128<double>, Simd128<double>>(r, x),
                RowReductions.WeightedSquaredDeviation<Vector128<double>, Simd128<double>>(r, x, 0.3),
                RowReductions.SquaredDistance<Vector128<double>, Simd128<double>>(ref x[0], ref y[0], n)),
            256 => (RowReductions.Sum<Vector256<double>, Simd256<double>>(r), RowReductions.Dot<Vector256<double>, Simd256<double>>(r, x),
                RowReductions.WeightedSquaredDeviation<Vector256<double>, Simd256<double>>(r, x, 0.3),
                RowReductions.SquaredDistance<Vector256<double>, Simd256<double>>(ref x[0], ref y[0], n)),
            _ => (RowReductions.Sum<Vector512<double>, Simd512<double>>(r), RowReductions.Dot<Vector512<double>, Simd512<double>>(r, x),
                RowReductions.WeightedSquaredDeviation<Vector512<double>, Simd512<double>>(r, x, 0.3),
                RowReductions.SquaredDistance<Vector512<double>, Simd512<double>>(ref x[0], ref y[0], n)),
        };
        sum.Should().BeApproximately(r.Sum(), Tolerance(r));
        dot.Should().BeApproximately(r.Zip(x, (a, b) => a * b).Sum(), Tolerance(r.Zip(x, (a, b) => a * b)));
        dev.Should().BeApproximately(r.Zip(x, (a, b) => a * (b - 0.3) * (b - 0.3)).Sum(), Tolerance(r));
        dist.Should().BeApproximately(x.Zip(y, (a, b) => (a - b) * (a - b)).Sum(), Tolerance(x.Zip(y, (a, b) => (a - b) * (a - b))));
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Row_updates_match_the_naive_loops_bit_for_bit(int width, int n)
    {
        double[] x = Values(n, n), m = Values(n, n + 1), start = Values(n, n + 2);
        double[] scaled = (double[])start.Clone(), added = (double[])start.Clone(), centered = (double[])start.Clone();
        switch (width)
        {
            case 128:
                RowReductions.AddScaled<Vector128<double>, Simd128<double>>(ref scaled[0], ref x[0], 0.7, n);
                RowReductions.Add<Vector128<double>, Simd128<double>>(ref added[0], ref x[0], n);
                RowReductions.AddCentered<Vector128<double>, Simd128<double>>(ref centered[0], ref x[0], ref m[0], 0.7, n);
                break;
            case 256:
                RowReductions.AddScaled<Vector256<double>, Simd256<double>>(ref scaled[0], ref x[0], 0.7, n);
                RowReductions.Add<Vector256<double>, Simd256<double>>(ref added[0], ref x[0], n);
                RowReductions.AddCentered<Vector256<double>, Simd256<double>>(ref centered[0], ref x[0], ref m[0], 0.7, n);
                break;
            default:
                RowReductions.AddScaled<Vector512<double>, Simd512<double>>(ref scaled[0], ref x[0], 0.7, n);
                RowReductions.Add<Vector512<double>, Simd512<double>>(ref added[0], ref x[0], n);
                RowReductions.AddCentered<Vector512<double>, Simd512<double>>(ref centered[0], ref x[0], ref m[0], 0.7, n);
                break;
        }

        scaled.Should().Equal(start.Select((s, i) => s + 0.7 * x[i]));
        added.Should().Equal(start.Select((s, i) => s + x[i]));
        centered.Should().Equal(start.Select((s, i) => s + 0.7 * (x[i] - m[i])));
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Weighted_sums_and_scatter_tiles_match_the_naive_loops(int width, int n)
    {
        foreach (int d in new[] { 1, 3, 5, 8 })
        {
            int stride = n + 3;
            double[] r = Values(n, n * d, 0, 1), xt = Values(d * stride, n * d + 1, -2, 3), mean = Values(d, n * d + 2);
            var sums = new double[d];
            var s = new double[d * d];
            var diag = new double[d];
            double w;
            switch (width)
            {
                case 128:
                    w = ScatterTiles.WeightedSums<Vector128<double>, Simd128<double>>(r, xt, stride, d, sums);
                    ScatterTiles.Full<Vector128<double>, Simd128<double>>(r, xt, stride, d, mean, s);
                    break;
                case 256:
                    w = ScatterTiles.WeightedSums<Vector256<double>, Simd256<double>>(r, xt, stride, d, sums);
                    ScatterTiles.Full<Vector256<double>, Simd256<double>>(r, xt, stride, d, mean, s);
                    break;
                default:
                    w = ScatterTiles.WeightedSums<Vector512<double>, Simd512<double>>(r, xt, stride, d, sums);
                    ScatterTiles.Full<Vector512<double>, Simd512<double>>(r, xt, stride, d, mean, s);
                    break;
            }

            ScatterTiles.Diagonal(r, xt, stride, d, mean, diag);
            w.Should().BeApproximately(r.Sum(), 1e-12);
            for (int a = 0; a < d; a++)
            {
                double expected = Enumerable.Range(0, n).Sum(i => r[i] * xt[a * stride + i]);
                sums[a].Should().BeApproximately(expected, 1e-12 * (1 + n));
                for (int b = 0; b < d; b++)
                {
                    double e = Enumerable.Range(0, n).Sum(i => r[i] * (xt[a * stride + i] - mean[a]) * (xt[b * stride + i] - mean[b]));
                    s[a * d + b].Should().BeApproximately(e, 1e-12 * (1 + n), $"scatter ({a}, {b}), d = {d}");
                }

                diag[a].Should().BeApproximately(s[a * d + a], 1e-12 * (1 + n));
            }
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Column_log_sum_exp_matches_the_naive_form_and_is_the_same_at_every_width(int width, int rows)
    {
        foreach (int k in new[] { 1, 3, 9 })
        {
            int stride = rows + 5;
            double[] v = Values(k * stride, rows * k, -40, 10);
            v[0] = double.NegativeInfinity;
            double[] fast = (double[])v.Clone(), lse = new double[rows];
            switch (width)
            {
                case 128:
                    ColumnLogSumExp.Normalize<Vector128<double>, Simd128<double>>(fast, k, rows, stride, lse, new double[4 * k]);
                    break;
                case 256:
                    ColumnLogSumExp.Normalize<Vector256<double>, Simd256<double>>(fast, k, rows, stride, lse, new double[4 * k]);
                    break;
                default:
                    ColumnLogSumExp.Normalize<Vector512<double>, Simd512<double>>(fast, k, rows, stride, lse, new double[4 * k]);
                    break;
            }

            double[] reference = (double[])v.Clone(), referenceLse = new double[rows];
            ColumnLogSumExp.Normalize(reference, k, rows, stride, referenceLse, new double[4 * k]);
            fast.Should().Equal(reference, "every width gives the bits of the default width");
            lse.Should().Equal(referenceLse);
            for (int i = 0; i < rows; i++)
            {
                double max = Enumerable.Range(0, k).Max(c => v[c * stride + i]);
                double sum = Enumerable.Range(0, k).Sum(c => Math.Exp(v[c * stride + i] - max));
                if (double.IsNegativeInfinity(max))
                {
                    lse[i].Should().Be(double.NegativeInfinity);
                    continue;
                }

                lse[i].Should().BeApproximately(max + Math.Log(sum), 1e-13 * (1 + Math.Abs(max)));
                for (int c = 0; c < k; c++)
                {
                    fast[c * stride + i].Should().BeApproximately(Math.Exp(v[c * stride + i] - max) / sum, 1e-14);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndSizes))]
    public void Triangular_whitening_matches_the_naive_loops_and_is_the_same_at_every_width(int width, int rows)
    {
        foreach (int d in new[] { 1, 2, 5, 9 })
        {
            int stride = rows + 2;
            double[] xt = Values(d * stride, rows + d, -3, 3), offsets = Values(d, d), p = Values(d * d, d + 1, 0.1, 1);
            foreach (TriangularWhitening.Form form in Enum.GetValues<TriangularWhitening.Form>())
            {
                var q = new double[rows];
                switch (width)
                {
                    case 128:
                        TriangularWhitening.LogGaussian<Vector128<double>, Simd128<double>>(form, xt, stride, rows, d, p, d, 0.7, offsets, 1.5, q);
                        break;
                    case 256:
                        TriangularWhitening.LogGaussian<Vector256<double>, Simd256<double>>(form, xt, stride, rows, d, p, d, 0.7, offsets, 1.5, q);
                        break;
                    default:
                        TriangularWhitening.LogGaussian<Vector512<double>, Simd512<double>>(form, xt, stride, rows, d, p, d, 0.7, offsets, 1.5, q);
                        break;
                }

                var reference = new double[rows];
                TriangularWhitening.LogGaussian<Vector256<double>, Simd256<double>>(form, xt, stride, rows, d, p, d, 0.7, offsets, 1.5, reference);
                q.Should().Equal(reference, "a row's value is the same lane arithmetic at every width");
                for (int i = 0; i < rows; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < d; j++)
                    {
                        double y = form switch
                        {
                            TriangularWhitening.Form.Upper => Enumerable.Range(0, j + 1).Sum(a => p[a * d + j] * xt[a * stride + i]) - offsets[j],
                            TriangularWhitening.Form.Diagonal => (xt[j * stride + i] - offsets[j]) * p[j],
                            _ => (xt[j * stride + i] - offsets[j]) * 0.7,
                        };
                        sum += y * y;
                    }

                    q[i].Should().BeApproximately(1.5 - 0.5 * sum, 1e-12 * (1 + sum), $"{form}, d = {d}, row {i}");
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(257)]
    public void Double_exp_and_log_vectors_give_the_same_bits_at_every_width(int n)
    {
        double[] x = Values(n + (8 - n % 8) % 8, n, -700, 700);
        double[] positive = x.Select(v => Math.Exp(v / 3)).ToArray();
        var e128 = new double[x.Length];
        var e512 = new double[x.Length];
        var l128 = new double[x.Length];
        var l512 = new double[x.Length];
        for (int i = 0; i < x.Length; i += 8)
        {
            for (int h = 0; h < 8; h += 2)
            {
                ElementwiseMath.Exp<Vector128<double>, Simd128<double>>(Vector128.Create(x[i + h], x[i + h + 1])).CopyTo(e128, i + h);
                ElementwiseMath.Log<Vector128<double>, Simd128<double>>(Vector128.Create(positive[i + h], positive[i + h + 1])).CopyTo(l128, i + h);
            }

            ElementwiseMath.Exp<Vector512<double>, Simd512<double>>(Vector512.Create(x.AsSpan(i, 8))).CopyTo(e512, i);
            ElementwiseMath.Log<Vector512<double>, Simd512<double>>(Vector512.Create(positive.AsSpan(i, 8))).CopyTo(l512, i);
        }

        var e = new double[x.Length];
        var l = new double[x.Length];
        ElementwiseMath.Exp(x, e);
        ElementwiseMath.Log(positive, l);
        e128.Should().Equal(e);
        e512.Should().Equal(e);
        l128.Should().Equal(l);
        l512.Should().Equal(l);
        MemoryMarshal.Cast<double, long>(e).ToArray().Should().Equal(MemoryMarshal.Cast<double, long>(e128).ToArray());
    }
}
