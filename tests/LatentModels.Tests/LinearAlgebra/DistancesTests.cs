using LatentModels.LinearAlgebra;

namespace LatentModels.Tests.LinearAlgebra;

public class DistancesTests
{
    private static double[] Random(int length, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        var x = new double[length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = ((rng.NextDouble() * 2) - 1) * scale;
        }

        return x;
    }

    private static double NaiveDistance(double[] x, int i, double[] c, int j, int d)
    {
        double s = 0;
        for (int p = 0; p < d; p++)
        {
            double t = x[(i * d) + p] - c[(j * d) + p];
            s += t * t;
        }

        return s;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 2, 3)]
    [InlineData(257, 16, 32)]
    [InlineData(1000, 3, 5)]
    [InlineData(513, 65, 17)]
    public void PairwiseSquared_matches_naive_differences(int n, int d, int k)
    {
        double[] x = Random(n * d, n + d, 3), c = Random(k * d, k, 3);
        var dist = new double[n * k];
        Distances.PairwiseSquared(x, n, d, c, k, dist);

        double[] cn = new double[k];
        Distances.RowSquaredNorms(c, k, d, cn);
        var dist2 = new double[n * k];
        Distances.PairwiseSquared(x, n, d, c, k, cn, dist2);
        dist2.Should().Equal(dist);

        for (int i = 0; i < n; i++)
        {
            double xn = 0;
            for (int p = 0; p < d; p++)
            {
                xn += x[(i * d) + p] * x[(i * d) + p];
            }

            for (int j = 0; j < k; j++)
            {
                // The expansion loses ~eps·(‖x‖² + ‖c‖²) absolutely; that is the documented accuracy.
                dist[(i * k) + j].Should().BeApproximately(NaiveDistance(x, i, c, j, d), 1e-14 * (d + 2) * (xn + cn[j] + 1));
                dist[(i * k) + j].Should().BeGreaterThanOrEqualTo(0);
            }
        }
    }

    [Fact]
    public void Distance_of_a_point_to_itself_is_clamped_to_zero_not_negative()
    {
        // Large offsets make ‖x‖² − 2x·x + ‖x‖² round to a tiny negative number without the clamp.
        double[] x = [1e8 + 0.1, 1e8 + 0.3, -1e8 + 0.7, 3.3e7, 1e8 + 0.11, 1e8 + 0.31, -1e8 + 0.71, 3.3e7 + 1e-3];
        var dist = new double[4];
        Distances.PairwiseSquared(x, 2, 4, x, 2, dist);
        dist[0].Should().Be(0);
        dist[3].Should().Be(0);
    }

    [Theory]
    [InlineData(3001, 5, 9)]
    [InlineData(7, 3, 1)]
    [InlineData(500, 16, 32)]
    public void NearestCenter_matches_pairwise_distances_and_argmin(int n, int d, int k)
    {
        double[] x = Random(n * d, 1), c = Random(k * d, 2);
        double[] cn = new double[k];
        Distances.RowSquaredNorms(c, k, d, cn);
        var dist = new double[n * k];
        Distances.PairwiseSquared(x, n, d, c, k, cn, dist);
        var expectedIndex = new int[n];
        var expectedMin = new double[n];
        Distances.RowArgMin(dist, n, k, expectedIndex, expectedMin);

        var index = new int[n];
        var min = new double[n];
        Distances.NearestCenter(x, n, d, c, k, cn, index, min);
        index.Should().Equal(expectedIndex);
        min.Should().Equal(expectedMin);
        for (int i = 0; i < n; i += 97)
        {
            for (int j = 0; j < k; j++)
            {
                NaiveDistance(x, i, c, index[i], d).Should().BeLessThanOrEqualTo(NaiveDistance(x, i, c, j, d) + 1e-12);
            }
        }

        var indexOnly = new int[n];
        Distances.NearestCenter(x, n, d, c, k, cn, indexOnly, Span<double>.Empty);
        indexOnly.Should().Equal(index);
    }

    [Fact]
    public void NearestCenter_picks_the_first_of_duplicate_centers()
    {
        double[] x = [0, 0, 1, 1, 5, 5, 2, 2, 9, 9];
        double[] c = [3, 3, 1, 1, 1, 1, 5, 5];
        double[] cn = new double[4];
        Distances.RowSquaredNorms(c, 4, 2, cn);
        var index = new int[5];
        var min = new double[5];
        Distances.NearestCenter(x, 5, 2, c, 4, cn, index, min);
        index.Should().Equal(1, 1, 3, 0, 3); // (2, 2) is equally far from (3, 3) and (1, 1): the first wins
        min.Should().Equal(2, 0, 0, 2, 32);
    }

    [Fact]
    public void Distances_are_bitwise_identical_for_one_and_two_threads()
    {
        int n = 5000, d = 16, k = 32;
        double[] x = Random(n * d, 7), c = Random(k * d, 8);
        var d1 = new double[n * k];
        var d2 = new double[n * k];
        Distances.PairwiseSquared(x, n, d, c, k, d1, maxDegreeOfParallelism: 1);
        Distances.PairwiseSquared(x, n, d, c, k, d2, maxDegreeOfParallelism: 2);
        d2.Should().Equal(d1);

        double[] cn = new double[k];
        Distances.RowSquaredNorms(c, k, d, cn);
        int[] i1 = new int[n], i2 = new int[n];
        double[] m1 = new double[n], m2 = new double[n];
        Distances.NearestCenter(x, n, d, c, k, cn, i1, m1, maxDegreeOfParallelism: 1);
        Distances.NearestCenter(x, n, d, c, k, cn, i2, m2, maxDegreeOfParallelism: 2);
        i2.Should().Equal(i1);
        m2.Should().Equal(m1);
    }

    [Fact]
    public void RowArgMin_returns_the_first_index_on_ties_and_skips_nan()
    {
        double[] values =
        [
            3, 1, 2, 1, 5, 1, 9, 9, 9, 9, 9,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            double.NaN, 4, 4, 2, 8, 2, 8, 8, 8, 8, 8,
            9, 9, 9, 9, 9, 9, 9, 9, 9, 9, -1,
            double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
        ];
        var index = new int[5];
        var min = new double[5];
        Distances.RowArgMin(values, 5, 11, index, min);
        index.Should().Equal(1, 0, 3, 10, 0);
        min[..4].Should().Equal(1, 0, 2, -1);
        double.IsNaN(min[4]).Should().BeTrue("a row of NaN has no minimum");

        var shortRows = new int[3];
        Distances.RowArgMin([2.0, 1.0, 1.0, 7, 7, 7, double.PositiveInfinity, double.PositiveInfinity, 3], 3, 3, shortRows, Span<double>.Empty);
        shortRows.Should().Equal(1, 0, 2);
    }

    [Fact]
    public void RowArgMin_matches_a_scalar_scan_on_random_rows()
    {
        var rng = new Random(5);
        foreach (int cols in new[] { 1, 3, 4, 8, 9, 31, 64 })
        {
            int rows = 50;
            var values = new double[rows * cols];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = rng.Next(6);
            }

            var index = new int[rows];
            Distances.RowArgMin(values, rows, cols, index, Span<double>.Empty);
            for (int i = 0; i < rows; i++)
            {
                int best = 0;
                for (int j = 1; j < cols; j++)
                {
                    if (values[(i * cols) + j] < values[(i * cols) + best])
                    {
                        best = j;
                    }
                }

                index[i].Should().Be(best, $"row {i} of width {cols}");
            }
        }
    }

    [Fact]
    public void Bad_lengths_are_rejected_naming_the_argument()
    {
        var act = () => Distances.PairwiseSquared(new double[5], 3, 2, new double[4], 2, new double[6]);
        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("x");
        var dest = () => Distances.PairwiseSquared(new double[6], 3, 2, new double[4], 2, new double[5]);
        dest.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("destination");
    }
}
