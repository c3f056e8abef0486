using LatentModels.Distributions;

namespace LatentModels.Tests.Distributions;

public class IndependentCategoricalTests
{
    private static readonly double[][] _p = [[0.2, 0.8], [0.5, 0.3, 0.2], [0.1, 0.2, 0.3, 0.4]];
    private static readonly double[][] _q = [[0.6, 0.4], [0.1, 0.1, 0.8], [0.25, 0.25, 0.25, 0.25]];

    /// <summary>Every code vector for the given category counts (2·3·4 = 24 rows for the test distribution).</summary>
    internal static double[,] AllCodeVectors(int[] counts)
    {
        int total = counts.Aggregate(1, (a, b) => a * b), d = counts.Length;
        var x = new double[total, d];
        for (int i = 0; i < total; i++)
        {
            int r = i;
            for (int j = 0; j < d; j++)
            {
                x[i, j] = r % counts[j];
                r /= counts[j];
            }
        }

        return x;
    }

    private static double NaiveProbability(double[][] p, double[,] x, int i)
    {
        double product = 1;
        for (int j = 0; j < p.Length; j++)
        {
            product *= p[j][(int)x[i, j]];
        }

        return product;
    }

    [Fact]
    public void Probabilities_of_all_vectors_sum_to_one_and_equal_the_product()
    {
        var dist = new IndependentCategorical(_p);
        dist.Dimension.Should().Be(3);
        dist.CategoryCounts.Should().Equal(2, 3, 4);
        dist.FreeParameters.Should().Be(1 + 2 + 3);
        double[,] all = AllCodeVectors([2, 3, 4]);
        var logP = new double[24];
        dist.LogDensity(all, logP);
        logP.Sum(Math.Exp).Should().BeApproximately(1.0, 1e-15);
        for (int i = 0; i < 24; i++)
        {
            logP[i].Should().BeApproximately(Math.Log(NaiveProbability(_p, all, i)), 1e-14);
            dist.LogDensity(TestRow(all, i)).Should().Be(logP[i]);
        }
    }

    private static double[] TestRow(double[,] x, int i) => Enumerable.Range(0, x.GetLength(1)).Select(j => x[i, j]).ToArray();

    [Fact]
    public void Entropy_and_KL_equal_sums_over_every_vector()
    {
        var p = new IndependentCategorical(_p);
        var q = new IndependentCategorical(_q);
        double[,] all = AllCodeVectors([2, 3, 4]);
        double entropy = 0, kl = 0;
        for (int i = 0; i < 24; i++)
        {
            double pi = NaiveProbability(_p, all, i), qi = NaiveProbability(_q, all, i);
            entropy -= pi * Math.Log(pi);
            kl += pi * Math.Log(pi / qi);
        }

        p.Entropy.Should().BeApproximately(entropy, 1e-13);
        p.KullbackLeibler(q).Should().BeApproximately(kl, 1e-13);
        p.KullbackLeibler(p).Should().Be(0);
        var zero = new IndependentCategorical([[1, 0], [0.5, 0.3, 0.2], [0.1, 0.2, 0.3, 0.4]]);
        p.KullbackLeibler(zero).Should().Be(double.PositiveInfinity);
        zero.KullbackLeibler(p).Should().BeGreaterThan(0).And.BeLessThan(double.PositiveInfinity);
        Action mismatch = () => p.KullbackLeibler(new IndependentCategorical([[0.5, 0.5]]));
        mismatch.Should().Throw<ArgumentException>().WithParameterName("other");
    }

    [Fact]
    public void Weighted_fit_equals_the_fit_to_repeated_rows_and_the_weighted_frequencies()
    {
        var data = new double[,] { { 0, 2, 1 }, { 1, 0, 3 }, { 1, 2, 3 }, { 0, 1, 0 } };
        int[] counts = [2, 3, 4];
        double[] weights = [1, 3, 2, 4];
        IndependentCategorical weighted = IndependentCategorical.Fit(data, weights, counts);
        IndependentCategorical repeated = IndependentCategorical.Fit(TestData.Repeat(data, [1, 3, 2, 4]), [], counts);
        for (int j = 0; j < 3; j++)
        {
            weighted.GetProbabilities(j).Should().Equal(repeated.GetProbabilities(j), (a, b) => Math.Abs(a - b) < 1e-15);
        }

        weighted.GetProbabilities(0).Should().Equal(0.5, 0.5);
        weighted.GetProbabilities(1).Should().Equal(0.3, 0.4, 0.3);
        weighted.GetProbabilities(2).Should().Equal(0.4, 0.1, 0, 0.5);
        TestData.FitGeneric<IndependentCategorical>(data, weights).CategoryCounts.Should().Equal(2, 3, 4); // inferred from the largest codes
        IndependentCategorical.Fit(data).CategoryCounts.Should().Equal(2, 3, 4);
    }

    [Fact]
    public void Samples_reproduce_the_probabilities()
    {
        var dist = new IndependentCategorical(_p);
        const int n = 40_000;
        double[,] x = dist.Sample(n, new Random(5));
        for (int j = 0; j < 3; j++)
        {
            for (int c = 0; c < _p[j].Length; c++)
            {
                double frequency = Enumerable.Range(0, n).Count(i => x[i, j] == c) / (double)n;
                double se = Math.Sqrt(_p[j][c] * (1 - _p[j][c]) / n);
                frequency.Should().BeApproximately(_p[j][c], 5 * se, $"variable {j}, category {c}");
            }
        }

        var degenerate = new IndependentCategorical([[0, 1, 0]]);
        double[,] y = degenerate.Sample(100, new Random(1));
        y.Cast<double>().Should().OnlyContain(v => v == 1);
    }

    [Fact]
    public void Bad_input_is_rejected_naming_row_column_or_variable()
    {
        var dist = new IndependentCategorical(_p);
        var destination = new double[2];
        Action outOfRange = () => dist.LogDensity(new double[,] { { 0, 0, 0 }, { 1, 3, 0 } }, destination);
        outOfRange.Should().Throw<ArgumentException>().WithParameterName("data").Where(e => e.Message.Contains("row 1, column 1"));
        Action fraction = () => dist.LogDensity([0, 0, 1.5]);
        fraction.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("column 2"));
        Action negative = () => IndependentCategorical.Fit(new double[,] { { 0, -1 } });
        negative.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("row 0, column 1"));
        Action sum = () => _ = new IndependentCategorical([[0.5, 0.5], [0.5, 0.6]]);
        sum.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("variable 1"));
        Action empty = () => _ = new IndependentCategorical([[1.0], []]);
        empty.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("Variable 1"));
        Action counts = () => IndependentCategorical.Fit(new double[,] { { 0, 1 } }, [], [2]);
        counts.Should().Throw<ArgumentException>().WithParameterName("categoryCounts");
        Action wrongDimension = () => dist.LogDensity(new double[,] { { 0, 0 } }, destination);
        wrongDimension.Should().Throw<ArgumentException>();
    }
}
