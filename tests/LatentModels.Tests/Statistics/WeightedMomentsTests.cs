using System.Text.Json;
using LatentModels.Statistics;

namespace LatentModels.Tests.Statistics;

public class WeightedMomentsTests
{
    private static double[,] RandomData(int n, int d, int seed, double offset = 0)
    {
        var random = new Random(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = offset + (j + 1) * (random.NextDouble() - 0.5) + (j > 0 ? 0.5 * x[i, j - 1] : 0);
            }
        }

        return x;
    }

    // Naive reference: weighted mean, then Σ w (x − m)(x − m)ᵀ with decimal-free double loops.
    private static (double W, double[] Mean, double[,] Scatter) Naive(double[,] x, double[]? w)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        double total = 0;
        var mean = new double[d];
        for (int i = 0; i < n; i++)
        {
            double wi = w?[i] ?? 1;
            total += wi;
            for (int j = 0; j < d; j++)
            {
                mean[j] += wi * x[i, j];
            }
        }

        for (int j = 0; j < d; j++)
        {
            mean[j] /= total;
        }

        var s = new double[d, d];
        for (int i = 0; i < n; i++)
        {
            double wi = w?[i] ?? 1;
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    s[a, b] += wi * (x[i, a] - mean[a]) * (x[i, b] - mean[b]);
                }
            }
        }

        return (total, mean, s);
    }

    private static void ShouldMatch(WeightedMoments m, (double W, double[] Mean, double[,] Scatter) expected, double tolerance)
    {
        int d = m.Dimension;
        m.Weight.Should().BeApproximately(expected.W, 1e-12 * expected.W);
        double[] mean = m.Mean, scatter = m.Scatter;
        for (int a = 0; a < d; a++)
        {
            mean[a].Should().BeApproximately(expected.Mean[a], tolerance);
            for (int b = 0; b < d; b++)
            {
                scatter[a * d + b].Should().BeApproximately(expected.Scatter[a, b], tolerance * Math.Max(1, Math.Abs(expected.Scatter[a, b])));
            }
        }
    }

    [Fact]
    public void FromRows_matches_the_naive_two_pass_statistics()
    {
        double[,] x = RandomData(1000, 4, 1);
        ShouldMatch(WeightedMoments.FromRows(x), Naive(x, null), 1e-10);
    }

    [Fact]
    public void Chan_merge_of_arbitrary_partitions_equals_the_one_pass_statistics()
    {
        double[,] x = RandomData(777, 3, 2);
        var w = new double[777];
        var random = new Random(3);
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = random.NextDouble() * 2;
        }

        var expected = Naive(x, w);
        int[] cuts = [0, 1, 100, 101, 500, 777];
        var merged = new WeightedMoments(3);
        for (int p = 0; p + 1 < cuts.Length; p++)
        {
            var part = new WeightedMoments(3);
            for (int i = cuts[p]; i < cuts[p + 1]; i++)
            {
                part.Add(new[] { x[i, 0], x[i, 1], x[i, 2] }, w[i]);
            }

            merged.Merge(part);
        }

        ShouldMatch(merged, expected, 1e-10);
        ShouldMatch(WeightedMoments.FromRows(x, w), expected, 1e-10);
        ShouldMatch(WeightedMoments.Combine(new WeightedMoments(3), merged), expected, 1e-10);
    }

    [Fact]
    public void Remove_is_the_exact_inverse_of_add()
    {
        double[,] x = RandomData(50, 2, 4);
        var m = WeightedMoments.FromRows(x);
        var before = (m.Weight, m.Mean, m.Scatter);
        m.Add([3.0, -7.0], 2.5);
        m.Remove([3.0, -7.0], 2.5);
        m.Weight.Should().BeApproximately(before.Weight, 1e-12);
        m.Mean.Should().BeEquivalentTo(before.Mean, o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-12)).WhenTypeIs<double>());
        m.Scatter.Should().BeEquivalentTo(before.Scatter, o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-9)).WhenTypeIs<double>());
    }

    [Fact]
    public void Integer_weights_equal_duplicated_rows_and_diagonal_shape_keeps_the_diagonal()
    {
        var weighted = new WeightedMoments(2, fullScatter: false);
        weighted.Add([1.0, 2.0], 3);
        weighted.Add([4.0, -1.0], 1);
        var repeated = new WeightedMoments(2, fullScatter: false);
        foreach (double[] p in new[] { new[] { 1.0, 2.0 }, [1.0, 2.0], [1.0, 2.0], [4.0, -1.0] })
        {
            repeated.Add(p);
        }

        weighted.Weight.Should().Be(4);
        weighted.Mean[0].Should().BeApproximately(1.75, 1e-15);
        weighted.Mean[1].Should().BeApproximately(1.25, 1e-15);
        weighted.Variances()[0].Should().BeApproximately(repeated.Variances()[0], 1e-14);
        weighted.Variances()[0].Should().BeApproximately(1.6875, 1e-14);
        weighted.Variances()[1].Should().BeApproximately(1.6875, 1e-14);
        weighted.Scatter.Should().HaveCount(2);
    }

    [Fact]
    public void Statistics_stay_accurate_far_from_the_origin()
    {
        // Raw Σx² − n·m² would lose every digit here; the centerd statistics keep the variance 2/3 of {−1, 0, 1}.
        var m = new WeightedMoments(1);
        foreach (double v in new[] { 1e9 - 1, 1e9, 1e9 + 1 })
        {
            m.Add([v]);
        }

        m.Covariance()[0, 0].Should().BeApproximately(2.0 / 3.0, 1e-9);
        var right = new WeightedMoments(1);
        right.Add([1e9 + 2]);
        m.Merge(right);
        m.Covariance()[0, 0].Should().BeApproximately(1.25, 1e-9);
    }

    [Fact]
    public void Round_trips_through_json()
    {
        var m = WeightedMoments.FromRows(RandomData(20, 3, 5));
        string json = JsonSerializer.Serialize(m);
        var back = JsonSerializer.Deserialize<WeightedMoments>(json)!;
        back.Weight.Should().Be(m.Weight);
        back.Mean.Should().Equal(m.Mean);
        back.Scatter.Should().Equal(m.Scatter);
        back.FullScatter.Should().BeTrue();
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_parameter_named()
    {
        var m = new WeightedMoments(2);
        var wrongLength = () => m.Add([1.0]);
        wrongLength.Should().Throw<ArgumentException>().And.ParamName.Should().Be("point");
        var negative = () => m.Add([1.0, 2.0], -1);
        negative.Should().Throw<ArgumentOutOfRangeException>().And.ParamName.Should().Be("weight");
        var empty = () => m.Covariance();
        empty.Should().Throw<InvalidOperationException>();
        var mismatch = () => m.Merge(new WeightedMoments(2, fullScatter: false));
        mismatch.Should().Throw<ArgumentException>().And.ParamName.Should().Be("other");
    }
}
