using LatentModels.Distributions;

namespace LatentModels.Tests.Distributions;

public class CategoricalTests
{
    private static readonly double[] _p = [0.2, 0.5, 0.0, 0.3];

    [Fact]
    public void Probabilities_sum_to_one_and_moments_equal_closed_forms()
    {
        var c = new Categorical(_p);
        c.Categories.Should().Be(4);
        Enumerable.Range(0, 4).Sum(c.Probability).Should().BeApproximately(1.0, 1e-15);
        c.LogProbability(1).Should().Be(Math.Log(0.5));
        c.LogProbability(2).Should().Be(double.NegativeInfinity);
        c.Mean.Should().BeApproximately(0.5 + 0.9, 1e-15);
        c.Variance.Should().BeApproximately(0.5 + 2.7 - 1.4 * 1.4, 1e-14);
        c.Entropy.Should().BeApproximately(-(0.2 * Math.Log(0.2) + 0.5 * Math.Log(0.5) + 0.3 * Math.Log(0.3)), 1e-15);
        var batch = new double[3];
        c.LogDensity(TestData.Column([3, 0, 2]), batch);
        batch.Should().Equal(Math.Log(0.3), Math.Log(0.2), double.NegativeInfinity);
    }

    [Fact]
    public void Kl_is_zero_for_equal_positive_otherwise_and_matches_monte_carlo()
    {
        var p = new Categorical(_p);
        var q = new Categorical([0.25, 0.25, 0.25, 0.25]);
        p.KullbackLeibler(new Categorical(_p)).Should().Be(0);
        double kl = p.KullbackLeibler(q);
        kl.Should().BeApproximately(0.2 * Math.Log(0.8) + 0.5 * Math.Log(2) + 0.3 * Math.Log(1.2), 1e-15).And.BeGreaterThan(0);
        q.KullbackLeibler(p).Should().Be(double.PositiveInfinity);

        double[,] samples = ((ISampler)p).Sample(100_000, new Random(21));
        var (estimate, se) = TestData.MonteCarloKl(p, q, samples);
        estimate.Should().BeApproximately(kl, 4 * se);
    }

    [Fact]
    public void Sample_frequencies_match_the_probabilities()
    {
        const int N = 100_000;
        int[] x = new Categorical(_p).Sample(N, new Random(2));
        for (int k = 0; k < 4; k++)
        {
            ((double)x.Count(v => v == k) / N).Should().BeApproximately(_p[k], 4 * Math.Sqrt(_p[k] * (1 - _p[k]) / N) + 1e-12);
        }

        new Categorical([0.0, 1.0, 0.0]).Sample(new Random(5)).Should().Be(1);
    }

    [Fact]
    public void Weighted_mle_equals_closed_form_and_repeated_rows()
    {
        double[,] x = TestData.Column([0, 2, 2, 1, 0, 2]);
        Categorical.Fit(x).Probabilities.Should().Equal([2 / 6.0, 1 / 6.0, 3 / 6.0], (a, b) => Math.Abs(a - b) < 1e-15);
        Categorical.Fit(x, 5).Probabilities.Should().Equal([2 / 6.0, 1 / 6.0, 3 / 6.0, 0, 0], (a, b) => Math.Abs(a - b) < 1e-15);
        double[] w = [1, 0.5, 2, 1, 0, 0.5];
        Categorical.Fit(x, w).Probabilities.Should().Equal([1 / 5.0, 1 / 5.0, 3 / 5.0], (a, b) => Math.Abs(a - b) < 1e-15);
        int[] counts = [3, 0, 1, 2, 1, 1];
        Categorical repeated = Categorical.Fit(TestData.Repeat(x, counts));
        Categorical byWeight = TestData.FitGeneric<Categorical>(x, counts.Select(c => (double)c).ToArray());
        repeated.Probabilities.Should().Equal(byWeight.Probabilities, (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void Invalid_parameters_and_codes_throw()
    {
        var sum = () => new Categorical([0.5, 0.4]);
        sum.Should().Throw<ArgumentException>().WithMessage("*sum to 0.9*").Which.ParamName.Should().Be("probabilities");
        var negative = () => new Categorical([0.5, -0.1, 0.6]);
        negative.Should().Throw<ArgumentOutOfRangeException>().WithMessage("probabilities[1]*").Which.ParamName.Should().Be("probabilities");
        new Categorical([0.5, 0.5 + 1e-12]).Categories.Should().Be(2);

        var fraction = () => Categorical.Fit(TestData.Column([0, 1.5, 2]));
        fraction.Should().Throw<ArgumentException>().WithMessage("The code at row 1 is 1.5*").Which.ParamName.Should().Be("data");
        var negativeCode = () => Categorical.Fit(TestData.Column([0, 1, -1]));
        negativeCode.Should().Throw<ArgumentException>().WithMessage("*row 2*");
        var outOfRange = () => new Categorical(_p).LogDensity(TestData.Column([0, 4]), new double[2]);
        outOfRange.Should().Throw<ArgumentException>().WithMessage("*row 1*[0, 4)*").Which.ParamName.Should().Be("data");
        var category = () => new Categorical(_p).LogProbability(4);
        category.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("category");
    }
}
