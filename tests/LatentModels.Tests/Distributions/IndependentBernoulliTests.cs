using LatentModels.Distributions;

namespace LatentModels.Tests.Distributions;

public class IndependentBernoulliTests
{
    private static readonly double[] _p = [0.1, 0.5, 0.8, 0.35];

    /// <summary>All 2^d binary vectors of length d, one per row (bit j of the row index in column j).</summary>
    internal static double[,] AllBinaryVectors(int d)
    {
        var x = new double[1 << d, d];
        for (int i = 0; i < 1 << d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = (i >> j) & 1;
            }
        }

        return x;
    }

    [Fact]
    public void Probabilities_of_all_vectors_sum_to_one_and_equal_the_product()
    {
        var b = new IndependentBernoulli(_p);
        double[,] all = AllBinaryVectors(4);
        var logP = new double[16];
        b.LogDensity(all, logP);
        logP.Sum(Math.Exp).Should().BeApproximately(1.0, 1e-15);
        for (int i = 0; i < 16; i++)
        {
            double product = 1;
            for (int j = 0; j < 4; j++)
            {
                product *= all[i, j] == 1 ? _p[j] : 1 - _p[j];
            }

            logP[i].Should().BeApproximately(Math.Log(product), 1e-14);
        }

        b.Score(all).Should().BeApproximately(logP.Average(), 1e-15);
    }

    [Fact]
    public void Zero_and_one_probabilities_give_zero_log_zero_and_minus_infinity()
    {
        var b = new IndependentBernoulli([0.0, 1.0, 0.3]);
        b.LogDensity([0.0, 1.0, 1.0]).Should().BeApproximately(Math.Log(0.3), 1e-15);
        b.LogDensity([1.0, 1.0, 1.0]).Should().Be(double.NegativeInfinity);
        b.LogDensity([0.0, 0.0, 1.0]).Should().Be(double.NegativeInfinity);
        b.Entropy.Should().BeApproximately(new Bernoulli(0.3).Entropy, 1e-15);
    }

    [Fact]
    public void Entropy_and_kl_are_sums_of_the_coordinates_and_kl_matches_monte_carlo()
    {
        var p = new IndependentBernoulli(_p);
        double[] qp = [0.3, 0.5, 0.6, 0.05];
        var q = new IndependentBernoulli(qp);
        p.Entropy.Should().BeApproximately(_p.Sum(v => new Bernoulli(v).Entropy), 1e-14);
        p.KullbackLeibler(new IndependentBernoulli(_p)).Should().Be(0);
        double kl = p.KullbackLeibler(q);
        kl.Should().BeApproximately(_p.Zip(qp, (a, c) => new Bernoulli(a).KullbackLeibler(new Bernoulli(c))).Sum(), 1e-14).And.BeGreaterThan(0);

        double[,] samples = p.Sample(100_000, new Random(12));
        var (estimate, se) = TestData.MonteCarloKl(p, q, samples);
        estimate.Should().BeApproximately(kl, 4 * se);
    }

    [Fact]
    public void Sample_column_means_match_the_probabilities()
    {
        const int N = 100_000;
        IndependentBernoulli fit = IndependentBernoulli.Fit(new IndependentBernoulli(_p).Sample(N, new Random(3)));
        for (int j = 0; j < 4; j++)
        {
            fit.Probabilities[j].Should().BeApproximately(_p[j], 4 * Math.Sqrt(_p[j] * (1 - _p[j]) / N));
        }

        new IndependentBernoulli(_p).Variances().Should().Equal(_p.Select(v => v * (1 - v)));
    }

    [Fact]
    public void Weighted_mle_equals_closed_form_and_repeated_rows()
    {
        double[,] x = { { 1, 0, 1 }, { 0, 0, 1 }, { 1, 1, 0 }, { 0, 1, 1 } };
        double[] w = [1, 2, 3, 0.5];
        IndependentBernoulli weighted = IndependentBernoulli.Fit(x, w);
        weighted.Probabilities.Should().Equal([4 / 6.5, 3.5 / 6.5, 3.5 / 6.5], (a, b) => Math.Abs(a - b) < 1e-15);
        int[] counts = [1, 2, 3, 0];
        IndependentBernoulli repeated = IndependentBernoulli.Fit(TestData.Repeat(x, counts));
        IndependentBernoulli byWeight = TestData.FitGeneric<IndependentBernoulli>(x, counts.Select(c => (double)c).ToArray());
        repeated.Probabilities.Should().Equal(byWeight.Probabilities, (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void Invalid_parameters_and_data_throw()
    {
        var bad = () => new IndependentBernoulli([0.5, 1.2]);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("probabilities[1]*").Which.ParamName.Should().Be("probabilities");
        var empty = () => new IndependentBernoulli([]);
        empty.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("probabilities");
        var notBinary = () => IndependentBernoulli.Fit(new double[,] { { 0, 1 }, { 2, 0 } });
        notBinary.Should().Throw<ArgumentException>().WithMessage("*row 1, column 0*").Which.ParamName.Should().Be("data");
    }
}
