using LatentModels.Distributions;

namespace LatentModels.Tests.Distributions;

public class BernoulliTests
{
    [Fact]
    public void Probabilities_sum_to_one_and_equal_closed_forms()
    {
        foreach (double p in new[] { 0.0, 0.1, 0.5, 0.73, 1.0 })
        {
            var b = new Bernoulli(p);
            (b.Probability(0) + b.Probability(1)).Should().BeApproximately(1.0, 1e-15);
            b.LogProbability(1).Should().Be(Math.Log(p));
            b.LogProbability(true).Should().Be(Math.Log(p));
            b.LogProbability(0).Should().Be(Math.Log(1 - p));
            b.Mean.Should().Be(p);
            b.Variance.Should().Be(p * (1 - p));
        }

        new Bernoulli(0.5).Entropy.Should().BeApproximately(Math.Log(2), 1e-15);
        new Bernoulli(0.2).Entropy.Should().BeApproximately(-(0.2 * Math.Log(0.2) + 0.8 * Math.Log(0.8)), 1e-15);
        new Bernoulli(0).Entropy.Should().Be(0);
        new Bernoulli(1).Entropy.Should().Be(0);

        var batch = new double[3];
        new Bernoulli(0).LogDensity(new double[,] { { 0 }, { 1 }, { 0 } }, batch);
        batch.Should().Equal(0.0, double.NegativeInfinity, 0.0);
    }

    [Fact]
    public void Kl_is_zero_for_equal_positive_otherwise_and_matches_monte_carlo()
    {
        var p = new Bernoulli(0.3);
        var q = new Bernoulli(0.6);
        p.KullbackLeibler(new Bernoulli(0.3)).Should().Be(0);
        double kl = p.KullbackLeibler(q);
        kl.Should().BeApproximately(0.3 * Math.Log(0.3 / 0.6) + 0.7 * Math.Log(0.7 / 0.4), 1e-15).And.BeGreaterThan(0);
        new Bernoulli(0.3).KullbackLeibler(new Bernoulli(0)).Should().Be(double.PositiveInfinity);
        new Bernoulli(0).KullbackLeibler(new Bernoulli(0.5)).Should().BeApproximately(Math.Log(2), 1e-15);

        double[,] samples = ((ISampler)p).Sample(200_000, new Random(8));
        var (estimate, se) = TestData.MonteCarloKl(p, q, samples);
        estimate.Should().BeApproximately(kl, 4 * se);
    }

    [Fact]
    public void Sample_frequency_matches_p()
    {
        const int N = 100_000;
        int[] x = new Bernoulli(0.3).Sample(N, new Random(1));
        x.Should().OnlyContain(v => v == 0 || v == 1);
        ((double)x.Sum() / N).Should().BeApproximately(0.3, 4 * Math.Sqrt(0.3 * 0.7 / N));
        new Bernoulli(1).Sample(new Random(1)).Should().Be(1);
        new Bernoulli(0).Sample(new Random(1)).Should().Be(0);
    }

    [Fact]
    public void Weighted_mle_equals_closed_form_and_repeated_rows()
    {
        double[,] x = TestData.Column([1, 0, 0, 1, 1, 0]);
        double[] w = [2, 1, 0, 3, 0.5, 1];
        Bernoulli.Fit(x, w).P.Should().BeApproximately(5.5 / 7.5, 1e-15);
        Bernoulli.Fit(x).P.Should().BeApproximately(0.5, 1e-15);
        int[] counts = [2, 1, 0, 3, 1, 4];
        Bernoulli.Fit(TestData.Repeat(x, counts)).P.Should().BeApproximately(
            Bernoulli.Fit(x, counts.Select(c => (double)c).ToArray()).P, 1e-15);
        TestData.FitGeneric<Bernoulli>(x, w).P.Should().Be(Bernoulli.Fit(x, w).P);
        Bernoulli.Fit(TestData.Column([0, 0, 0])).P.Should().Be(0);
    }

    [Fact]
    public void Invalid_parameters_and_data_throw()
    {
        foreach (double p in new[] { -0.1, 1.5, double.NaN })
        {
            var act = () => new Bernoulli(p);
            act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("p");
        }

        var notBinary = () => Bernoulli.Fit(TestData.Column([0, 1, 0.5]));
        notBinary.Should().Throw<ArgumentException>().WithMessage("*row 2*").Which.ParamName.Should().Be("data");
        var outcome = () => new Bernoulli(0.5).LogProbability(2);
        outcome.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("value");
    }
}
