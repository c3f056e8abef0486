using LatentModels.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace LatentModels.Tests.Distributions;

public class MultivariateGaussianTests
{
    private static readonly double[] _mu3 = [1.0, -2.0, 0.5];
    private static readonly double[,] _sigma3 = { { 2.0, 0.6, -0.3 }, { 0.6, 1.0, 0.2 }, { -0.3, 0.2, 0.5 } };

    /// <summary>Naive reference: −½(d log 2π + log det Σ + (x − μ)ᵀ Σ⁻¹ (x − μ)) with an explicit inverse.</summary>
    private static double NaiveLogDensity(double[] mean, double[,] covariance, ReadOnlySpan<double> x)
    {
        Matrix<double> s = Matrix<double>.Build.DenseOfArray(covariance);
        Vector<double> c = Vector<double>.Build.Dense(x.ToArray()) - Vector<double>.Build.Dense(mean);
        return -0.5 * (mean.Length * Math.Log(2 * Math.PI) + Math.Log(s.Determinant()) + c * (s.Inverse() * c));
    }

    private static double[,] RandomSpd(int d, Random random)
    {
        Matrix<double> a = Matrix<double>.Build.Dense(d, d, (_, _) => random.NextDouble() * 2 - 1);
        return (a * a.Transpose() + Matrix<double>.Build.DenseIdentity(d) * 0.1).ToArray();
    }

    private static double[,] RandomRows(int n, int d, Random random, double scale = 3)
    {
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = (random.NextDouble() * 2 - 1) * scale;
            }
        }

        return x;
    }

    [Fact]
    public void Batched_log_density_equals_the_naive_formula_across_blocks()
    {
        var random = new Random(1);
        const int D = 5;
        double[,] sigma = RandomSpd(D, random);
        double[] mu = [0.5, -1, 2, 0, 1];
        var g = new MultivariateGaussian(mu, sigma);
        double[,] x = RandomRows(1000, D, random); // several 256-row blocks, the last one partial
        var batch = new double[1000];
        g.LogDensity(x, batch);
        for (int i = 0; i < 1000; i++)
        {
            double expected = NaiveLogDensity(mu, sigma, x.Row(i));
            batch[i].Should().BeApproximately(expected, 1e-10 * Math.Max(1, Math.Abs(expected)));
            if (i % 97 == 0)
            {
                g.LogDensity(x.Row(i)).Should().BeApproximately(batch[i], 1e-12 * Math.Abs(batch[i]));
            }
        }

        g.Score(x).Should().BeApproximately(batch.Average(), 1e-12 * Math.Abs(batch.Average()));
    }

    [Fact]
    public void Batched_log_density_is_bitwise_identical_for_any_degree_of_parallelism()
    {
        // 3001 × 20: enough work for the parallel path (n·d² ≥ 2²⁰), and a partial last block.
        var random = new Random(2);
        const int D = 20;
        double[,] sigma = RandomSpd(D, random);
        double[] mu = Enumerable.Range(0, D).Select(j => 0.1 * j).ToArray();
        var g = new MultivariateGaussian(mu, sigma);
        double[,] x = RandomRows(3001, D, random);
        var one = new double[3001];
        var two = new double[3001];
        g.LogDensity(x, one, 1);
        g.LogDensity(x, two, 2);
        two.Should().Equal(one);
        foreach (int i in new[] { 0, 255, 256, 1777, 3000 })
        {
            double expected = NaiveLogDensity(mu, sigma, x.Row(i));
            one[i].Should().BeApproximately(expected, 1e-9 * Math.Abs(expected));
        }

        g.Score(x).Should().BeApproximately(one.Average(), 1e-12 * Math.Abs(one.Average()));
    }

    [Fact]
    public void Weighted_mle_on_the_parallel_path_equals_the_closed_form()
    {
        // 20000 × 8 rows: n·d² ≥ 2²⁰, so the scatter is accumulated on blocks in parallel.
        var random = new Random(13);
        const int N = 20000, D = 8;
        double[,] x = RandomRows(N, D, random);
        double[] w = Enumerable.Range(0, N).Select(_ => random.NextDouble()).ToArray();
        double total = w.Sum();
        var mean = new double[D];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < D; j++)
            {
                mean[j] += w[i] * x[i, j] / total;
            }
        }

        MultivariateGaussian fit = MultivariateGaussian.Fit(x, w);
        MultivariateGaussian again = MultivariateGaussian.Fit(x, w);
        double[,] cov = fit.Covariance;
        again.Covariance.Should().BeEquivalentTo(cov, o => o.WithStrictOrdering());
        for (int a = 0; a < D; a++)
        {
            fit.Mean[a].Should().BeApproximately(mean[a], 1e-13);
            for (int b = 0; b < D; b++)
            {
                double expected = 0;
                for (int i = 0; i < N; i++)
                {
                    expected += w[i] * (x[i, a] - mean[a]) * (x[i, b] - mean[b]);
                }

                cov[a, b].Should().BeApproximately(expected / total, 1e-12);
            }
        }
    }

    [Fact]
    public void Two_dimensional_density_integrates_to_one_on_a_grid()
    {
        var g = new MultivariateGaussian([1.0, -1.0], new double[,] { { 2.0, 0.8 }, { 0.8, 1.0 } });
        const double H = 0.05;
        const int Steps = 560; // ±14 around the mean, beyond 9.9 standard deviations in each coordinate
        var grid = new double[Steps * Steps, 2];
        for (int i = 0; i < Steps; i++)
        {
            for (int j = 0; j < Steps; j++)
            {
                grid[i * Steps + j, 0] = 1.0 - 14 + (i + 0.5) * H;
                grid[i * Steps + j, 1] = -1.0 - 14 + (j + 0.5) * H;
            }
        }

        var logDensity = new double[Steps * Steps];
        g.LogDensity(grid, logDensity);
        double integral = logDensity.Sum(Math.Exp) * H * H;
        integral.Should().BeApproximately(1.0, 1e-9);
    }

    [Fact]
    public void Mahalanobis_entropy_and_log_determinant_match_explicit_formulas()
    {
        var g = new MultivariateGaussian(_mu3, _sigma3);
        Matrix<double> s = Matrix<double>.Build.DenseOfArray(_sigma3);
        double[] x = [0.3, 1.1, -2.0];
        Vector<double> c = Vector<double>.Build.Dense(x) - Vector<double>.Build.Dense(_mu3);
        g.Mahalanobis(x).Should().BeApproximately(Math.Sqrt(c * (s.Inverse() * c)), 1e-12);
        g.Mahalanobis(_mu3).Should().Be(0);
        g.LogDeterminant.Should().BeApproximately(Math.Log(s.Determinant()), 1e-13);
        g.Entropy.Should().BeApproximately(0.5 * Math.Log((s * (2 * Math.PI * Math.E)).Determinant()), 1e-13);
        g.Density(x).Should().BeApproximately(Math.Exp(NaiveLogDensity(_mu3, _sigma3, x)), 1e-15);
        g.Mean.Should().Equal(_mu3);
        g.Covariance.Should().BeEquivalentTo(_sigma3);
        Matrix<double> l = Matrix<double>.Build.DenseOfArray(g.CholeskyFactor);
        (l * l.Transpose() - s).FrobeniusNorm().Should().BeLessThan(1e-14);
        l[0, 1].Should().Be(0);
    }

    [Fact]
    public void Kl_is_zero_for_equal_positive_otherwise_and_matches_closed_form_and_monte_carlo()
    {
        var p = new MultivariateGaussian(_mu3, _sigma3);
        double[,] sigmaQ = { { 1.0, -0.2, 0.0 }, { -0.2, 2.0, 0.4 }, { 0.0, 0.4, 1.5 } };
        double[] muQ = [0.0, -1.0, 1.0];
        var q = new MultivariateGaussian(muQ, sigmaQ);

        p.KullbackLeibler(new MultivariateGaussian(_mu3, _sigma3)).Should().BeApproximately(0, 1e-14);
        double kl = p.KullbackLeibler(q);
        kl.Should().BeGreaterThan(0);
        q.KullbackLeibler(p).Should().BeGreaterThan(0);

        Matrix<double> sp = Matrix<double>.Build.DenseOfArray(_sigma3), sq = Matrix<double>.Build.DenseOfArray(sigmaQ);
        Vector<double> dm = Vector<double>.Build.Dense(muQ) - Vector<double>.Build.Dense(_mu3);
        double closed = 0.5 * ((sq.Inverse() * sp).Trace() + dm * (sq.Inverse() * dm) - 3 + Math.Log(sq.Determinant() / sp.Determinant()));
        kl.Should().BeApproximately(closed, 1e-12);

        double[,] samples = p.Sample(100_000, new Random(5));
        var (estimate, se) = TestData.MonteCarloKl(p, q, samples);
        estimate.Should().BeApproximately(kl, 4 * se);

        var wrongDimension = () => p.KullbackLeibler(new MultivariateGaussian([0.0], new double[,] { { 1 } }));
        wrongDimension.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("other");
    }

    [Fact]
    public void Sample_moments_match_the_parameters()
    {
        var g = new MultivariateGaussian(_mu3, _sigma3);
        const int N = 100_000;
        double[,] x = g.Sample(N, new Random(42));
        x.Cast<double>().SequenceEqual(g.Sample(N, new Random(42)).Cast<double>()).Should().BeTrue("the same seed gives the same samples");
        MultivariateGaussian fit = MultivariateGaussian.Fit(x);
        double[,] cov = fit.Covariance;
        for (int i = 0; i < 3; i++)
        {
            fit.Mean[i].Should().BeApproximately(_mu3[i], 4 * Math.Sqrt(_sigma3[i, i] / N));
            for (int j = 0; j < 3; j++)
            {
                double se = Math.Sqrt((_sigma3[i, i] * _sigma3[j, j] + _sigma3[i, j] * _sigma3[i, j]) / N);
                cov[i, j].Should().BeApproximately(_sigma3[i, j], 4 * se);
            }
        }
    }

    [Fact]
    public void Weighted_mle_equals_closed_form_and_repeated_rows()
    {
        var random = new Random(9);
        double[,] x = RandomRows(700, 3, random);
        int[] counts = Enumerable.Range(0, 700).Select(_ => random.Next(0, 4)).ToArray();
        double[] w = counts.Select(c => (double)c).ToArray();

        // Closed form, computed naively.
        double total = w.Sum();
        var mean = new double[3];
        for (int i = 0; i < 700; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                mean[j] += w[i] * x[i, j] / total;
            }
        }

        var cov = new double[3, 3];
        for (int i = 0; i < 700; i++)
        {
            for (int a = 0; a < 3; a++)
            {
                for (int b = 0; b < 3; b++)
                {
                    cov[a, b] += w[i] * (x[i, a] - mean[a]) * (x[i, b] - mean[b]) / total;
                }
            }
        }

        MultivariateGaussian weighted = MultivariateGaussian.Fit(x, w);
        MultivariateGaussian repeated = MultivariateGaussian.Fit(TestData.Repeat(x, counts));
        MultivariateGaussian generic = TestData.FitGeneric<MultivariateGaussian>(x, w);
        for (int a = 0; a < 3; a++)
        {
            weighted.Mean[a].Should().BeApproximately(mean[a], 1e-13);
            repeated.Mean[a].Should().BeApproximately(mean[a], 1e-13);
            generic.Mean[a].Should().Be(weighted.Mean[a]);
            for (int b = 0; b < 3; b++)
            {
                weighted.Covariance[a, b].Should().BeApproximately(cov[a, b], 1e-12);
                repeated.Covariance[a, b].Should().BeApproximately(cov[a, b], 1e-12);
            }
        }
    }

    [Fact]
    public void Mle_on_height_weight_matches_numpy_and_scipy()
    {
        // /usr/bin/python3 -c "import numpy as np; from scipy.stats import multivariate_normal as mvn;
        //   x=np.loadtxt('height_weight.txt'); m=x.mean(0); c=np.cov(x.T, bias=True);
        //   print(m.tolist(), c.tolist(), repr(mvn(m, c).logpdf(x).mean()))"
        double[] numpyMean = [172.70250853668063, 57.642208800960226];
        double[,] numpyCov = { { 23.330517821055594, 12.846850871078285 }, { 12.846850871078285, 27.9754680131512 } };
        const double Scipy = -5.932666373130396;

        double[,] x = TestData.Read("height_weight.txt");
        MultivariateGaussian fit = MultivariateGaussian.Fit(x);
        for (int a = 0; a < 2; a++)
        {
            fit.Mean[a].Should().BeApproximately(numpyMean[a], 1e-12 * numpyMean[a]);
            for (int b = 0; b < 2; b++)
            {
                fit.Covariance[a, b].Should().BeApproximately(numpyCov[a, b], 1e-11 * numpyCov[a, b]);
            }
        }

        fit.Score(x).Should().BeApproximately(Scipy, 1e-12 * Math.Abs(Scipy));
    }

    [Fact]
    public void Fit_is_accurate_far_from_the_origin()
    {
        var x = new double[,] { { 1e8 + 1, -1e8 }, { 1e8 + 2, -1e8 + 2 }, { 1e8 + 3, -1e8 + 1 }, { 1e8 + 4, -1e8 + 5 } };
        double[,] cov = MultivariateGaussian.Fit(x).Covariance;
        cov[0, 0].Should().BeApproximately(1.25, 1e-9);
        cov[0, 1].Should().BeApproximately(1.75, 1e-9);
        cov[1, 1].Should().BeApproximately(3.5, 1e-9);
    }

    [Fact]
    public void Singular_estimates_throw_a_fitting_exception()
    {
        var tooFew = () => MultivariateGaussian.Fit(new double[,] { { 1, 2, 3 }, { 4, 5, 7 }, { 0, 1, 1 } });
        tooFew.Should().Throw<FittingException>().WithMessage("Only 3 rows have positive weight but the dimension is 3*");

        double[,] constant = RandomRows(50, 3, new Random(4));
        for (int i = 0; i < 50; i++)
        {
            constant[i, 1] = 0.1;
        }

        var constantColumn = () => MultivariateGaussian.Fit(constant);
        constantColumn.Should().Throw<FittingException>().WithMessage("Column 1 is constant*");

        double[,] collinear = RandomRows(50, 3, new Random(4));
        for (int i = 0; i < 50; i++)
        {
            collinear[i, 2] = 0.3 * collinear[i, 0] - 2 * collinear[i, 1];
        }

        var linear = () => MultivariateGaussian.Fit(collinear);
        linear.Should().Throw<FittingException>().WithMessage("*pivot 2*");

        // A positive regularisation makes the estimate well defined: Σ + λI.
        MultivariateGaussian regularised = MultivariateGaussian.Fit(constant, [], 1e-3);
        regularised.Covariance[1, 1].Should().BeApproximately(1e-3, 1e-15);
    }

    [Fact]
    public void Invalid_parameters_throw_naming_the_parameter()
    {
        var notSymmetric = () => new MultivariateGaussian([0.0, 0.0], new double[,] { { 1, 0.5 }, { 0.4, 1 } });
        notSymmetric.Should().Throw<ArgumentException>().WithMessage("*not symmetric*[1, 0]*").Which.ParamName.Should().Be("covariance");
        var notPd = () => new MultivariateGaussian([0.0, 0.0], new double[,] { { 1, 2 }, { 2, 1 } });
        notPd.Should().Throw<ArgumentException>().WithMessage("*pivot 1*").Which.ParamName.Should().Be("covariance");
        var shape = () => new MultivariateGaussian([0.0, 0.0, 0.0], new double[,] { { 1, 0 }, { 0, 1 } });
        shape.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("covariance");
        var nanMean = () => new MultivariateGaussian([0.0, double.NaN], new double[,] { { 1, 0 }, { 0, 1 } });
        nanMean.Should().Throw<ArgumentException>().WithMessage("mean[1]*").Which.ParamName.Should().Be("mean");
        var g = new MultivariateGaussian(_mu3, _sigma3);
        var wrongColumns = () => g.LogDensity(new double[4, 2], new double[4]);
        wrongColumns.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("data");
        var nanRow = () => g.Score(new double[,] { { 0, 0, 0 }, { 0, double.NaN, 0 } });
        nanRow.Should().Throw<ArgumentException>().WithMessage("*row 1, column 1*");
        var badWeight = () => MultivariateGaussian.Fit(RandomRows(10, 2, new Random(1)), new double[10] { 1, 1, 1, -1, 1, 1, 1, 1, 1, 1 });
        badWeight.Should().Throw<ArgumentException>().WithMessage("*row 3*").Which.ParamName.Should().Be("weights");
    }

    [Fact]
    public void Inputs_are_never_mutated()
    {
        double[] mean = (double[])_mu3.Clone();
        double[,] sigma = (double[,])_sigma3.Clone();
        var g = new MultivariateGaussian(mean, sigma);
        mean.Should().Equal(_mu3);
        sigma.Should().BeEquivalentTo(_sigma3);
        g.Covariance[0, 0] = 99;
        g.Covariance[0, 0].Should().Be(2.0);

        double[,] x = RandomRows(300, 3, new Random(3));
        double[,] copy = (double[,])x.Clone();
        double[] w = Enumerable.Repeat(0.5, 300).ToArray();
        MultivariateGaussian.Fit(x, w);
        x.Cast<double>().Should().Equal(copy.Cast<double>());
        w.Should().AllBeEquivalentTo(0.5);
    }
}
