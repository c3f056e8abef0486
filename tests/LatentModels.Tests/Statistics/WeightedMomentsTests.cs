using System.Text.Json;
using LatentModels.Distributions;
using LatentModels.Persistence;
using LatentModels.Statistics;
using static LatentModels.Tests.Persistence.PersistenceAssert;

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

            merged = merged.Merge(part);
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
        // Raw Σx² − n·m² would lose every digit here; the centered statistics keep the variance 2/3 of {−1, 0, 1}.
        var m = new WeightedMoments(1);
        foreach (double v in new[] { 1e9 - 1, 1e9, 1e9 + 1 })
        {
            m.Add([v]);
        }

        m.Covariance()[0, 0].Should().BeApproximately(2.0 / 3.0, 1e-9);
        var right = new WeightedMoments(1);
        right.Add([1e9 + 2]);
        m.Accumulate(right);
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

    private static double[] Weights(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i => i % 11 == 5 ? 0 : random.NextDouble() * 3).ToArray();
    }

    private static (double[,] Rows, double[] Weights) Slice(double[,] x, double[] w, int start, int end)
    {
        int d = x.GetLength(1);
        var rows = new double[end - start, d];
        x.AsSpan().Slice(start * d, (end - start) * d).CopyTo(rows.AsWritableSpan());
        return (rows, w[start..end]);
    }

    private static double[] Flat(WeightedMoments m) => [m.Weight, .. m.Mean, .. m.Scatter];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Seven_chunk_partitions_merged_in_order_equal_the_single_pass_bit_for_bit_and_give_the_same_covariance(bool full)
    {
        int n = 6 * WeightedMoments.ChunkSize + 77;
        double[,] x = RandomData(n, 3, 11, offset: 1e4);
        double[] w = Weights(n, 12);
        WeightedMoments whole = WeightedMoments.FromRows(x, w, full);
        var parts = new List<WeightedMoments>();
        for (int p = 0; p < 7; p++)
        {
            (double[,] rows, double[] weights) = Slice(x, w, p * WeightedMoments.ChunkSize, Math.Min(n, (p + 1) * WeightedMoments.ChunkSize));
            parts.Add(WeightedMoments.FromRows(rows, weights, full));
        }

        WeightedMoments merged = WeightedMoments.Merge(parts);
        Bits(Flat(merged)).Should().Equal(Bits(Flat(whole)));
        merged.TotalWeight.Should().Be(whole.TotalWeight);
        Bits(merged.Covariance()).Should().Equal(Bits(whole.Covariance()));
        if (full)
        {
            MultivariateGaussian next = merged.ToMultivariateGaussian();
            Bits(next.Covariance).Should().Equal(Bits(whole.ToMultivariateGaussian().Covariance), "the same next model");
            MultivariateGaussian fitted = MultivariateGaussian.Fit(x, w);
            for (int a = 0; a < 3; a++)
            {
                next.Mean[a].Should().BeApproximately(fitted.Mean[a], 1e-12 * Math.Abs(fitted.Mean[a]));
                for (int b = 0; b < 3; b++)
                {
                    next.Covariance[a, b].Should().BeApproximately(fitted.Covariance[a, b], 1e-10 * fitted.Covariance[a, a]);
                }
            }
        }
        else
        {
            Action gaussian = () => merged.ToMultivariateGaussian();
            gaussian.Should().Throw<InvalidOperationException>();
        }

        WeightedMoments folded = whole.Empty();
        foreach (WeightedMoments part in parts)
        {
            folded = folded.Merge(part);
        }

        Bits(Flat(folded)).Should().Equal(Bits(Flat(whole)), "merging pairwise from the empty value gives the same bits");
        if (full)
        {
            ShouldMatch(merged, Naive(x, w), 1e-9);
        }
    }

    [Fact]
    public void Seven_uneven_partitions_agree_with_the_single_pass_to_1e_12()
    {
        int n = 2000;
        double[,] x = RandomData(n, 4, 13, offset: -300);
        double[] w = Weights(n, 14);
        int[] cuts = [0, 1, 300, 301, 999, 1400, 1777, n];
        WeightedMoments whole = WeightedMoments.FromRows(x, w);
        var parts = Enumerable.Range(0, 7).Select(p => Slice(x, w, cuts[p], cuts[p + 1])).Select(s => WeightedMoments.FromRows(s.Rows, s.Weights)).ToList();
        double[] merged = Flat(WeightedMoments.Merge(parts)), expected = Flat(whole);
        for (int i = 0; i < expected.Length; i++)
        {
            merged[i].Should().BeApproximately(expected[i], 1e-12 * Math.Max(1, Math.Abs(expected[i])));
        }
    }

    [Fact]
    public void Merge_is_pure_the_empty_value_is_its_identity_and_it_is_associative()
    {
        double[,] x = RandomData(600, 3, 15);
        double[] w = Weights(600, 16);
        WeightedMoments a = WeightedMoments.FromRows(Slice(x, w, 0, 100).Rows, w[..100]);
        WeightedMoments b = WeightedMoments.FromRows(Slice(x, w, 100, 350).Rows, w[100..350]);
        WeightedMoments c = WeightedMoments.FromRows(Slice(x, w, 350, 600).Rows, w[350..]);
        double[] aBefore = Flat(a), bBefore = Flat(b);

        WeightedMoments ab = a.Merge(b);
        Bits(Flat(a)).Should().Equal(Bits(aBefore), "Merge leaves its operands unchanged");
        Bits(Flat(b)).Should().Equal(Bits(bBefore));
        ab.Should().NotBeSameAs(a);

        WeightedMoments empty = a.Empty();
        empty.TotalWeight.Should().Be(0);
        empty.Dimension.Should().Be(3);
        Bits(Flat(a.Merge(empty))).Should().Equal(Bits(aBefore));
        Bits(Flat(empty.Merge(a))).Should().Equal(Bits(aBefore));

        double[] left = Flat(ab.Merge(c)), right = Flat(a.Merge(b.Merge(c)));
        for (int i = 0; i < left.Length; i++)
        {
            right[i].Should().BeApproximately(left[i], 1e-12 * Math.Max(1, Math.Abs(left[i])));
        }

        WeightedMoments accumulated = a.Clone();
        accumulated.Accumulate(b);
        Bits(Flat(accumulated)).Should().Equal(Bits(Flat(ab)), "the in-place accumulation is the same arithmetic");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Round_trips_through_ModelJson_bit_for_bit(bool full)
    {
        WeightedMoments m = WeightedMoments.FromRows(RandomData(300, 3, 17, offset: 1e6), Weights(300, 18), full);
        WeightedMoments back = RoundTrip(m, "LatentModels.WeightedMoments");
        back.FullScatter.Should().Be(full);
        Bits(Flat(back)).Should().Equal(Bits(Flat(m)));
        Bits(Flat(back.Merge(m))).Should().Equal(Bits(Flat(m.Merge(m))), "loaded statistics merge like the originals");
    }

    [Fact]
    public void Malformed_json_is_rejected_with_a_ModelFormatException_naming_the_field()
    {
        WeightedMoments m = WeightedMoments.FromRows(RandomData(30, 2, 19));
        LoadFails(Tamper(m, r => r["weight"] = -1), "'weight'");
        LoadFails(Tamper(m, r => r["mean"] = new System.Text.Json.Nodes.JsonArray()), "'mean'");
        LoadFails(Tamper(m, r => r["scatter"] = new System.Text.Json.Nodes.JsonArray(1.0, 2.0)), "'scatter'");
        LoadFails(Tamper(m, r => r["scatter"]![1]![1] = -3.0), "'scatter[1][1]'");
        LoadFails(Tamper(m, r => r["fullScatter"] = "yes"), "'fullScatter'");
        WeightedMoments diagonal = WeightedMoments.FromRows(RandomData(30, 2, 19), fullScatter: false);
        LoadFails(Tamper(diagonal, r => r["scatter"] = new System.Text.Json.Nodes.JsonArray(1.0, 2.0, 3.0)), "'scatter'", "3 values");
        LoadFails(Tamper(diagonal, r => r["scatter"]![0] = -1.0), "'scatter[0]'");
    }

    [Fact]
    public void A_partition_without_rows_or_weight_gives_the_empty_statistics()
    {
        double[,] x = RandomData(40, 3, 20);
        WeightedMoments some = WeightedMoments.FromRows(x);
        Bits(Flat(WeightedMoments.FromRows(new double[0, 3]))).Should().Equal(Bits(Flat(some.Empty())));
        Bits(Flat(WeightedMoments.FromRows(x, new double[40]))).Should().Equal(Bits(Flat(some.Empty())));
        Bits(Flat(some.Merge(WeightedMoments.FromRows(x, new double[40])))).Should().Equal(Bits(Flat(some)));
        Action noColumns = () => WeightedMoments.FromRows(new double[0, 0]);
        noColumns.Should().Throw<ArgumentException>().And.ParamName.Should().Be("data");
        Action negative = () => WeightedMoments.FromRows(x, Enumerable.Range(0, 40).Select(i => i == 9 ? -0.5 : 1).ToArray());
        negative.Should().Throw<ArgumentException>().WithMessage("*row 9*").And.ParamName.Should().Be("weights");
    }
}
