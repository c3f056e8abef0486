using LatentModels.Distributions;
using MathNet.Numerics.Distributions;

namespace LatentModels.Tests.Distributions;

public class UnivariateGaussianTests
{
    private static readonly UnivariateGaussian _g = new(1.5, 2.0);

    [Fact]
    public void Log_density_equals_closed_form_and_mathnet()
    {
        var normal = new Normal(1.5, 2.0);
        foreach (double x in new[] { -30.0, -3.0, 0.0, 1.5, 2.0, 7.25, 40.0 })
        {
            double closed = -0.5 * Math.Pow((x - 1.5) / 2.0, 2) - Math.Log(2.0) - 0.5 * Math.Log(2 * Math.PI);
            _g.LogDensity(x).Should().BeApproximately(closed, 1e-12 * Math.Max(1, Math.Abs(closed)));
            _g.LogDensity(x).Should().BeApproximately(normal.DensityLn(x), 1e-12 * Math.Max(1, Math.Abs(closed)));
            _g.Density(x).Should().BeApproximately(normal.Density(x), 1e-15);
        }

        var batch = new double[3];
        _g.LogDensity(new double[,] { { -3 }, { 0 }, { 7.25 } }, batch);
        batch.Should().Equal(_g.LogDensity(-3.0), _g.LogDensity(0.0), _g.LogDensity(7.25));
        _g.LogDensity([2.0]).Should().Be(_g.LogDensity(2.0));
    }

    [Fact]
    public void Density_integrates_to_one_and_cdf_is_its_integral()
    {
        // Composite Simpson on [μ − 12σ, μ + 12σ].
        double a = 1.5 - 24, b = 1.5 + 24;
        Simpson(_g.Density, a, b, 4000).Should().BeApproximately(1.0, 1e-12);
        foreach (double x in new[] { -2.0, 1.5, 3.0, 5.0 })
        {
            _g.Cdf(x).Should().BeApproximately(Simpson(_g.Density, a, x, 4000), 1e-12);
        }
    }

    [Fact]
    public void Cdf_and_quantile_match_mathnet_and_round_trip()
    {
        var normal = new Normal(1.5, 2.0);
        foreach (double p in new[] { 1e-12, 1e-4, 0.025, 0.3, 0.5, 0.8, 0.975, 1 - 1e-9 })
        {
            double q = _g.Quantile(p);
            q.Should().BeApproximately(normal.InverseCumulativeDistribution(p), 1e-9 * Math.Max(1, Math.Abs(q)));
            _g.Cdf(q).Should().BeApproximately(p, 1e-12 * Math.Max(p, 1e-3));
        }

        _g.Quantile(0.5).Should().BeApproximately(1.5, 1e-15);
        _g.Quantile(0.975).Should().BeApproximately(1.5 + 2 * 1.959963984540054, 1e-12);
        _g.Quantile(0).Should().Be(double.NegativeInfinity);
        _g.Quantile(1).Should().Be(double.PositiveInfinity);
        _g.Cdf(-5.0).Should().BeApproximately(normal.CumulativeDistribution(-5.0), 1e-15);
        var bad = () => _g.Quantile(1.5);
        bad.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("probability");
    }

    [Fact]
    public void Moments_entropy_and_samples()
    {
        _g.Variance.Should().Be(4.0);
        _g.Entropy.Should().BeApproximately(0.5 * Math.Log(2 * Math.PI * Math.E * 4.0), 1e-14);
        _g.Entropy.Should().BeApproximately(new Normal(1.5, 2.0).Entropy, 1e-14);

        const int N = 200_000;
        double[] x = _g.Sample(N, new Random(7));
        double mean = x.Average();
        double variance = x.Sum(v => (v - mean) * (v - mean)) / N;
        mean.Should().BeApproximately(1.5, 4 * 2.0 / Math.Sqrt(N));
        variance.Should().BeApproximately(4.0, 4 * 4.0 * Math.Sqrt(2.0 / N));
        double[] again = _g.Sample(N, new Random(7));
        again.Should().Equal(x);
        _g.Sample(new Random(3)).Should().BeApproximately(_g.Sample(new Random(3)), 0);
    }

    [Fact]
    public void Kl_is_zero_for_equal_positive_otherwise_and_matches_monte_carlo()
    {
        _g.KullbackLeibler(new UnivariateGaussian(1.5, 2.0)).Should().Be(0);
        var q = new UnivariateGaussian(-0.5, 3.0);
        double kl = _g.KullbackLeibler(q);
        kl.Should().BeApproximately(Math.Log(3.0 / 2.0) + (4.0 + 4.0) / (2 * 9.0) - 0.5, 1e-14);
        kl.Should().BeGreaterThan(0);
        q.KullbackLeibler(_g).Should().BeGreaterThan(0).And.NotBe(kl);

        // KL as the integral of p log(p/q).
        Simpson(x => _g.Density(x) * (_g.LogDensity(x) - q.LogDensity(x)), 1.5 - 30, 1.5 + 30, 6000).Should().BeApproximately(kl, 1e-10);

        double[,] samples = TestData.Column(_g.Sample(100_000, new Random(11)));
        var (estimate, se) = TestData.MonteCarloKl(_g, q, samples);
        estimate.Should().BeApproximately(kl, 4 * se);
    }

    [Fact]
    public void Mle_on_height_data_is_the_sample_mean_and_one_over_n_deviation()
    {
        // /usr/bin/python3 -c "import numpy as np; from scipy.stats import norm; h=np.loadtxt('height.txt');
        //   print(repr(h.mean()), repr(h.std()), repr(norm(h.mean(), h.std()).logpdf(h).mean()))"
        const double NumpyMean = 172.70250853667997, NumpyStd = 4.830167473396299, ScipyAvgLogPdf = -2.9938196738490537;
        double[,] h = TestData.Read("height.txt");
        UnivariateGaussian fit = UnivariateGaussian.Fit(h);
        fit.Mean.Should().BeApproximately(NumpyMean, 1e-12 * NumpyMean);
        fit.StandardDeviation.Should().BeApproximately(NumpyStd, 1e-12 * NumpyStd);
        fit.Score(h).Should().BeApproximately(ScipyAvgLogPdf, 1e-12 * Math.Abs(ScipyAvgLogPdf));
    }

    [Fact]
    public void Weighted_mle_equals_closed_form_and_repeated_rows()
    {
        double[] x = [2.0, -1.0, 4.5, 3.25, 0.5, 7.0];
        int[] counts = [3, 0, 1, 2, 5, 1];
        double[] w = counts.Select(c => (double)c).ToArray();
        double total = w.Sum();
        double mean = x.Zip(w, (v, wi) => v * wi).Sum() / total;
        double variance = x.Zip(w, (v, wi) => wi * (v - mean) * (v - mean)).Sum() / total;

        UnivariateGaussian weighted = UnivariateGaussian.Fit(x, w);
        weighted.Mean.Should().BeApproximately(mean, 1e-14);
        weighted.Variance.Should().BeApproximately(variance, 1e-13);

        UnivariateGaussian repeated = UnivariateGaussian.Fit(TestData.Repeat(TestData.Column(x), counts));
        repeated.Mean.Should().BeApproximately(weighted.Mean, 1e-14);
        repeated.StandardDeviation.Should().BeApproximately(weighted.StandardDeviation, 1e-14);

        UnivariateGaussian generic = TestData.FitGeneric<UnivariateGaussian>(TestData.Column(x), w);
        generic.Mean.Should().Be(weighted.Mean);
        generic.StandardDeviation.Should().Be(weighted.StandardDeviation);
    }

    [Fact]
    public void Fit_is_accurate_far_from_the_origin()
    {
        // Σx² − nμ² would lose every digit here; the centered two-pass estimate is exact.
        UnivariateGaussian fit = UnivariateGaussian.Fit([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]);
        fit.Mean.Should().Be(1e9 + 2.5);
        fit.Variance.Should().BeApproximately(1.25, 1e-12);
    }

    [Fact]
    public void Invalid_parameters_and_data_throw()
    {
        var sigma0 = () => new UnivariateGaussian(0, 0);
        sigma0.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("standardDeviation");
        var sigmaInf = () => new UnivariateGaussian(0, double.PositiveInfinity);
        sigmaInf.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("standardDeviation");
        var meanNan = () => new UnivariateGaussian(double.NaN, 1);
        meanNan.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("mean");
        var constant = () => UnivariateGaussian.Fit([3.0, 3.0, 3.0]);
        constant.Should().Throw<FittingException>().WithMessage("*standard deviation is 0*");
        var nan = () => UnivariateGaussian.Fit([1.0, double.NaN]);
        nan.Should().Throw<ArgumentException>().WithMessage("*row 1*").Which.ParamName.Should().Be("values");
        var twoColumns = () => UnivariateGaussian.Fit(new double[,] { { 1, 2 }, { 3, 4 } });
        twoColumns.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("data");
        var badWeights = () => UnivariateGaussian.Fit([1.0, 2.0], [1.0]);
        badWeights.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("weights");
    }

    private static double Simpson(Func<double, double> f, double a, double b, int intervals)
    {
        double h = (b - a) / intervals, s = f(a) + f(b);
        for (int i = 1; i < intervals; i++)
        {
            s += (i % 2 == 1 ? 4 : 2) * f(a + i * h);
        }

        return s * h / 3;
    }
}
