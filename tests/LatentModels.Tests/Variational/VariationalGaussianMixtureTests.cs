using LatentModels.Mixtures;
using LatentModels.Variational;
using static LatentModels.Tests.Variational.VariationalTestData;

namespace LatentModels.Tests.Variational;

public class VariationalGaussianMixtureTests
{
    private static VariationalGaussianMixtureOptions First(CovarianceType type, WeightPrior prior, int k, int maxIterations = 20) => new()
    {
        Components = k,
        Covariance = type,
        WeightPrior = prior,
        Init = MixtureInit.First,
        MaxIterations = maxIterations,
        Tolerance = 0,
        Regularization = 1e-6,
    };

    // Numbers from /usr/bin/python3 with scikit-learn 1.2.1 on Formula30() (the same formula in NumPy), K = 4:
    //   class F(BayesianGaussianMixture):
    //       def _initialize_parameters(self, X, random_state):   # hard responsibilities of the nearest of the first K rows
    //           d2 = ((X[:, None, :] - X[:k][None, :, :]) ** 2).sum(-1); r = np.zeros((len(X), k)); r[np.arange(len(X)), d2.argmin(1)] = 1
    //           self._initialize(X, r)
    //   b = F(n_components=4, covariance_type=cov, weight_concentration_prior_type=prior, max_iter=20, tol=0, reg_covar=1e-6,
    //         init_params='random', random_state=0).fit(X);  b.lower_bound_, b.weights_
    [Theory]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletDistribution, -86.20144855919172, 0.3306400086983492, 0.3306108604490499, 0.3306653446340516, 0.008083786218549337)]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletProcess, -85.79716813088389, 0.35251014707928857, 0.33585916453516773, 0.3060578246086215, 0.005572863776922336)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.DirichletDistribution, -86.47216354461837, 0.330455252785513, 0.330774257736085, 0.3306872686086888, 0.008083220869713166)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.DirichletProcess, -86.06821093602738, 0.3523374097393705, 0.3360107532147163, 0.3060791605407341, 0.005572676505179111)]
    [InlineData(CovarianceType.Spherical, WeightPrior.DirichletDistribution, -87.57594633599386, 0.3307101915513094, 0.3305602304211542, 0.3306463974050403, 0.008083180622496158)]
    [InlineData(CovarianceType.Spherical, WeightPrior.DirichletProcess, -87.17150124786531, 0.3525753590105777, 0.3358105491578154, 0.30604160763489185, 0.005572484196715148)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletDistribution, -90.28541542316485, 0.3308352800002675, 0.3304426506510168, 0.33063586396199257, 0.008086205386723158)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletProcess, -89.88076890811489, 0.3527082407579461, 0.33569530999813596, 0.3060227463477526, 0.0055737028961654715)]
    public void Matches_scikit_learn_lower_bound_and_weights(CovarianceType type, WeightPrior prior, double lowerBound, double w0, double w1, double w2, double w3)
    {
        SoftClusteringFitResult<VariationalGaussianMixtureModel> fit = new VariationalGaussianMixture(First(type, prior, 4)).Fit(Formula30());
        fit.Report.Iterations.Should().Be(20);
        fit.Report.Converged.Should().BeFalse();
        fit.Model.LowerBound.Should().BeApproximately(lowerBound, 1e-10 * Math.Abs(lowerBound));
        double[] w = fit.Model.Weights;
        double[] expected = [w0, w1, w2, w3];
        for (int c = 0; c < 4; c++)
        {
            w[c].Should().BeApproximately(expected[c], 1e-9);
        }

        fit.Report.ObjectiveName.Should().Be("elbo");
        fit.Model.Elbo.Should().Be(fit.Report.ObjectiveTrace[^1]);
    }

    [Theory]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Full, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Spherical, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Spherical, WeightPrior.DirichletProcess)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletDistribution)]
    [InlineData(CovarianceType.Tied, WeightPrior.DirichletProcess)]
    public void Full_elbo_never_decreases(CovarianceType type, WeightPrior prior)
    {
        double[,] x = FiveClusters(400, 3);
        foreach (MixtureInit init in new[] { MixtureInit.KMeans, MixtureInit.RandomResponsibilities, MixtureInit.First })
        {
            var options = new VariationalGaussianMixtureOptions
            {
                Components = 8,
                Covariance = type,
                WeightPrior = prior,
                Init = init,
                MaxIterations = 150,
                Tolerance = 0,
                Regularization = 0,
                Seed = 5,
            };
            FitReport report = new VariationalGaussianMixture(options).Fit(x).Report;
            report.ObjectiveTrace.Should().HaveCount(150);
            for (int t = 1; t < report.ObjectiveTrace.Count; t++)
            {
                double previous = report.ObjectiveTrace[t - 1];
                report.ObjectiveTrace[t].Should().BeGreaterThanOrEqualTo(previous - (1e-11 * Math.Abs(previous)), $"{init}: iteration {t + 1} must not decrease the ELBO");
            }
        }
    }

    [Fact]
    public void Full_elbo_is_the_peer_bound_plus_the_constants_it_drops()
    {
        // full − peer = K·lnB'(W₀, ν₀) + (Kd/2) ln β₀ + ln C(α₀) − (N d/2) ln 2π, independent of the fit.
        double[,] x = Formula30();
        VariationalGaussianMixtureModel a = new VariationalGaussianMixture(First(CovarianceType.Full, WeightPrior.DirichletDistribution, 4, 5)).Fit(x).Model;
        VariationalGaussianMixtureModel b = new VariationalGaussianMixture(First(CovarianceType.Full, WeightPrior.DirichletDistribution, 4, 30)).Fit(x).Model;
        (a.Elbo - a.LowerBound).Should().BeApproximately(b.Elbo - b.LowerBound, 1e-9);
        (a.Elbo - a.LowerBound).Should().BeLessThan(0);
    }

    [Fact]
    public void A_small_concentration_keeps_the_five_clusters_of_ten_components()
    {
        double[,] x = FiveClusters(1000, 11);
        foreach (WeightPrior prior in new[] { WeightPrior.DirichletDistribution, WeightPrior.DirichletProcess })
        {
            var options = new VariationalGaussianMixtureOptions
            {
                Components = 10,
                WeightPrior = prior,
                WeightConcentration = 1e-3,
                Init = MixtureInit.KMeans,
                MaxIterations = 500,
                Seed = 2,
            };
            VariationalGaussianMixtureModel model = new VariationalGaussianMixture(options).Fit(x).Model;
            model.EffectiveComponents().Should().Be(5, prior.ToString());
            model.Weights.Where(w => w > 0.01).OrderBy(w => w).ToArray().Should().BeEquivalentTo(
                new[] { 0.1, 0.15, 0.2, 0.25, 0.3 }, o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 0.03)).WhenTypeIs<double>());
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Integer_sample_weights_equal_duplicated_rows(CovarianceType type)
    {
        double[,] x = Formula30();
        int n = x.GetLength(0);
        var weights = new double[n];
        var rows = new List<double[]>();
        for (int i = 0; i < n; i++)
        {
            weights[i] = 1 + (i % 3);
            for (int r = 0; r < weights[i]; r++)
            {
                rows.Add([x[i, 0], x[i, 1]]);
            }
        }

        var duplicated = new double[rows.Count, 2];
        for (int i = 0; i < rows.Count; i++)
        {
            duplicated[i, 0] = rows[i][0];
            duplicated[i, 1] = rows[i][1];
        }

        // "first" seeds with the first K rows: rows 0 and 1 in both sets.
        VariationalGaussianMixtureOptions options = First(type, WeightPrior.DirichletProcess, 2, 30) with { Regularization = 0 };
        var weighted = new VariationalGaussianMixture(options).Fit(x, weights);
        var copies = new VariationalGaussianMixture(options).Fit(duplicated);
        weighted.Model.LowerBound.Should().BeApproximately(copies.Model.LowerBound, 1e-9 * Math.Abs(copies.Model.LowerBound));
        weighted.Model.Elbo.Should().BeApproximately(copies.Model.Elbo, 1e-9 * Math.Abs(copies.Model.Elbo));
        for (int c = 0; c < 2; c++)
        {
            weighted.Model.Weights[c].Should().BeApproximately(copies.Model.Weights[c], 1e-12);
        }
    }

    [Fact]
    public void Same_bits_for_any_thread_count()
    {
        double[,] x = FiveClusters(3000, 4);
        VariationalGaussianMixtureModel Fit(int threads) => new VariationalGaussianMixture(new VariationalGaussianMixtureOptions
        {
            Components = 6,
            WeightPrior = WeightPrior.DirichletProcess,
            Starts = 2,
            MaxIterations = 30,
            Seed = 9,
            MaxDegreeOfParallelism = threads,
        }).Fit(x).Model;
        VariationalGaussianMixtureModel one = Fit(1), many = Fit(4);
        many.Elbo.Should().Be(one.Elbo);
        many.LowerBound.Should().Be(one.LowerBound);
        many.Weights.Should().Equal(one.Weights);
        many.CovarianceParameters.Should().Equal(one.CovarianceParameters);
    }

    [Fact]
    public void The_predictive_density_integrates_to_one_in_one_dimension()
    {
        var x = new double[40, 1];
        for (int i = 0; i < 40; i++)
        {
            x[i, 0] = (i % 2 == 0 ? -3 : 3) + Math.Sin(1.7 * i);
        }

        VariationalGaussianMixtureModel model = new VariationalGaussianMixture(new VariationalGaussianMixtureOptions
        {
            Components = 2,
            Init = MixtureInit.First,
            MaxIterations = 50,
        }).Fit(x).Model;
        double h = 0.01, sum = 0;
        for (double t = -400; t <= 400; t += h)
        {
            sum += Math.Exp(model.LogDensity([t])) * h;
        }

        // Both components hold ~20 points, so ν' ≈ 21: the Student-t tails beyond ±400 hold far less than 1e-6.
        sum.Should().BeApproximately(1, 1e-6);
    }

    [Fact]
    public void The_predictive_density_matches_a_naive_student_t_mixture()
    {
        double[,] x = Formula30();
        VariationalGaussianMixtureModel m = new VariationalGaussianMixture(First(CovarianceType.Full, WeightPrior.DirichletDistribution, 3, 30)).Fit(x).Model;
        double[] point = [1.5, 2.5];
        int d = 2;
        double total = 0;
        for (int c = 0; c < 3; c++)
        {
            // Bishop (10.81)–(10.82): St(x | mₖ, Lₖ, νₖ + 1 − d), Lₖ = (νₖ + 1 − d)βₖ/(1 + βₖ) Wₖ, with Wₖ⁻¹ = νₖ·(νW)⁻¹.
            double nu = m.DegreesOfFreedom[c], beta = m.MeanPrecisions[c], dof = nu + 1 - d;
            double[,] cov = m.GetCovariance(c); // (νW)⁻¹
            double s = dof * beta / ((1 + beta) * nu);
            double det = cov[0, 0] * cov[1, 1] - cov[0, 1] * cov[1, 0];
            double dx = point[0] - m.Means[c, 0], dy = point[1] - m.Means[c, 1];
            double q = (cov[1, 1] * dx * dx - 2 * cov[0, 1] * dx * dy + cov[0, 0] * dy * dy) / det; // (x − m)ᵀ(νW)(x − m)
            double logT = MathNet.Numerics.SpecialFunctions.GammaLn((dof + d) / 2) - MathNet.Numerics.SpecialFunctions.GammaLn(dof / 2)
                - (d / 2.0 * Math.Log(dof * Math.PI)) + (0.5 * (d * Math.Log(s) - Math.Log(det))) - ((dof + d) / 2 * Math.Log(1 + (s * q / dof)));
            total += m.Weights[c] * Math.Exp(logT);
        }

        m.LogDensity(point).Should().BeApproximately(Math.Log(total), 1e-12);
        m.Score(new double[,] { { 1.5, 2.5 } }).Should().BeApproximately(Math.Log(total), 1e-12);
    }

    [Fact]
    public void Responsibilities_of_the_fit_are_the_models_and_sum_to_one()
    {
        double[,] x = Formula30();
        SoftClusteringFitResult<VariationalGaussianMixtureModel> fit = new VariationalGaussianMixture(First(CovarianceType.Full, WeightPrior.DirichletProcess, 4)).Fit(x);
        double[,] r = fit.Model.PredictProbabilities(x);
        r.Should().BeEquivalentTo(fit.Responsibilities);
        fit.Labels.Should().Equal(fit.Model.Predict(x));
        for (int i = 0; i < x.GetLength(0); i++)
        {
            double[] one = fit.Model.PredictProbabilities([x[i, 0], x[i, 1]]);
            one.Sum().Should().BeApproximately(1, 1e-12);
            for (int c = 0; c < 4; c++)
            {
                one[c].Should().BeApproximately(r[i, c], 1e-12);
            }

            fit.Model.Predict([x[i, 0], x[i, 1]]).Should().Be(fit.Labels[i]);
        }
    }

    [Fact]
    public void Samples_follow_the_predictive()
    {
        double[,] x = FiveClusters(500, 8);
        VariationalGaussianMixtureModel m = new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { Components = 5, MaxIterations = 200, Seed = 1 }).Fit(x).Model;
        double[,] s = m.Sample(20000, new Random(3));
        s.GetLength(0).Should().Be(20000);
        double mean0 = 0, mean1 = 0;
        for (int i = 0; i < 20000; i++)
        {
            mean0 += s[i, 0] / 20000;
            mean1 += s[i, 1] / 20000;
        }

        double[] w = m.Weights;
        double[,] means = m.Means;
        double e0 = 0, e1 = 0;
        for (int c = 0; c < 5; c++)
        {
            e0 += w[c] * means[c, 0];
            e1 += w[c] * means[c, 1];
        }

        mean0.Should().BeApproximately(e0, 0.2);
        mean1.Should().BeApproximately(e1, 0.3);
        m.Sample(5, new Random(7)).Should().BeEquivalentTo(m.Sample(5, new Random(7)));
    }

    [Fact]
    public void Bad_input_is_rejected_naming_the_parameter()
    {
        double[,] x = Formula30();
        Action fit(VariationalGaussianMixtureOptions o) => () => new VariationalGaussianMixture(o).Fit(x);
        var ok = new VariationalGaussianMixtureOptions { Components = 3 };
        fit(ok with { Components = 0 }).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Components");
        fit(ok with { WeightConcentration = 0 }).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("WeightConcentration");
        fit(ok with { MeanPrecision = -1 }).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("MeanPrecision");
        fit(ok with { DegreesOfFreedom = 0.5 }).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("DegreesOfFreedom");
        fit(ok with { MeanPrior = [1.0] }).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("MeanPrior");
        fit(ok with { CovariancePrior = [1.0, 0, 0] }).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("CovariancePrior");
        fit(ok with { CovariancePrior = [1.0, 2, 2, 1] }).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("CovariancePrior");
        fit(ok with { Regularization = -1 }).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Regularization");
        fit(ok with { Tolerance = double.NaN }).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Tolerance");
        var bad = (double[,])x.Clone();
        bad[4, 1] = double.NaN;
        FluentActions.Invoking(() => new VariationalGaussianMixture(ok).Fit(bad)).Should().Throw<ArgumentException>().WithMessage("*4*");
        FluentActions.Invoking(() => new VariationalGaussianMixture(ok).Fit(x, new double[3])).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("sampleWeights");
        double[,] copy = (double[,])x.Clone();
        new VariationalGaussianMixture(ok).Fit(x);
        x.Should().BeEquivalentTo(copy);
        VariationalGaussianMixtureModel m = new VariationalGaussianMixture(ok).Fit(x).Model;
        FluentActions.Invoking(() => m.Predict(new double[2, 3])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => m.LogDensity([1.0])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => m.EffectiveComponents(1)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
