using LatentModels.Mixtures;
using static LatentModels.Tests.Mixtures.MixtureTestData;

namespace LatentModels.Tests.Mixtures;

public class GaussianMixtureTests
{
    private static FitResult<GaussianMixtureModel> FitFirst(double[,] x, CovarianceType type, int k = 2, int maxIterations = 100, double tolerance = 0, double reg = 1e-6) =>
        new GaussianMixture(new GaussianMixtureOptions
        {
            Components = k,
            Covariance = type,
            Init = MixtureInit.First,
            MaxIterations = maxIterations,
            Tolerance = tolerance,
            Regularization = reg,
        }).Fit(x);

    private static void ShouldNeverDecrease(IReadOnlyList<double> trace, double slack)
    {
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeGreaterThanOrEqualTo(trace[t - 1] - slack, $"iteration {t + 1} must not decrease the objective");
        }
    }

    // Numbers from /usr/bin/python3 with scikit-learn 1.2.1:
    //   x = np.loadtxt('old_faithful.txt'); c = np.cov(x.T, bias=True); k = 2
    //   GaussianMixture(k, covariance_type=cov, max_iter=100, tol=0, reg_covar=1e-6, weights_init=[.5, .5], means_init=x[:2],
    //                   precisions_init=inv(c) per component | 1/diag(c) | 1/mean(diag(c)) | inv(c)).fit(x).score(x)
    [Theory]
    [InlineData(CovarianceType.Full, -4.15538220659224, 0.6441271015101397, 4.289662060915975, 0.16996932659605402)]
    [InlineData(CovarianceType.Diagonal, -4.219876296118824, 0.6434832561060997, 4.291070505914269, 0.16815210151242152)]
    [InlineData(CovarianceType.Spherical, -6.285034125652295, 0.6329494185646826, 4.293913404608631, 15.998829902311725)]
    [InlineData(CovarianceType.Tied, -4.191863086184554, 0.6407521509986708, 4.296032239508629, 0.13277762629349818)]
    public void Matches_scikit_learn_on_old_faithful_from_the_first_rows(CovarianceType type, double score, double weight0, double mean00, double covariance0)
    {
        double[,] x = OldFaithful();
        FitResult<GaussianMixtureModel> fit = FitFirst(x, type);
        fit.Report.Iterations.Should().Be(100);
        fit.Report.ObjectiveName.Should().Be("meanLogLikelihood");
        fit.Report.ObjectiveTrace[^1].Should().BeApproximately(score, 1e-9);
        fit.Model.Score(x).Should().BeApproximately(score, 1e-9);
        fit.Model.Weights[0].Should().BeApproximately(weight0, 1e-7);
        fit.Model.Means[0, 0].Should().BeApproximately(mean00, 1e-7);
        fit.Model.CovarianceParameters[0].Should().BeApproximately(covariance0, 1e-6 * Math.Abs(covariance0));
        ShouldNeverDecrease(fit.Report.ObjectiveTrace, 1e-12);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void One_m_step_equals_the_empirical_responsibility_weighted_statistics(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(500, new Random(3));
        var start = GaussianMixtureModel.Create(CovarianceType.Full, [0.4, 0.6], new double[,] { { 1, 1 }, { 4, 6 } }, [4, 1, 1, 4, 9, 0, 0, 9]);
        double[,] gamma = start.PredictProbabilities(x);
        double reg = 1e-3;
        GaussianMixtureModel initial = type switch
        {
            CovarianceType.Full => start,
            CovarianceType.Diagonal => GaussianMixtureModel.Create(type, [0.4, 0.6], start.Means, [4, 4, 9, 9]),
            CovarianceType.Spherical => GaussianMixtureModel.Create(type, [0.4, 0.6], start.Means, [4, 9]),
            _ => GaussianMixtureModel.Create(type, [0.4, 0.6], start.Means, [4, 1, 1, 4]),
        };
        gamma = initial.PredictProbabilities(x);
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            Covariance = type,
            InitialModel = initial,
            MaxIterations = 1,
            Regularization = reg,
        }).Fit(x).Model;

        int n = x.GetLength(0);
        var tied = new double[2, 2];
        for (int c = 0; c < 2; c++)
        {
            double nk = Enumerable.Range(0, n).Sum(i => gamma[i, c]);
            model.Weights[c].Should().BeApproximately(nk / n, 1e-12);
            double[] mean = [Enumerable.Range(0, n).Sum(i => gamma[i, c] * x[i, 0]) / nk, Enumerable.Range(0, n).Sum(i => gamma[i, c] * x[i, 1]) / nk];
            model.Means[c, 0].Should().BeApproximately(mean[0], 1e-10);
            model.Means[c, 1].Should().BeApproximately(mean[1], 1e-10);
            var cov = new double[2, 2];
            for (int a = 0; a < 2; a++)
            {
                for (int b = 0; b < 2; b++)
                {
                    double s = Enumerable.Range(0, n).Sum(i => gamma[i, c] * (x[i, a] - mean[a]) * (x[i, b] - mean[b]));
                    tied[a, b] += s / n;
                    cov[a, b] = s / nk;
                }
            }

            double[,] fitted = model.GetCovariance(c);
            switch (type)
            {
                case CovarianceType.Full:
                    fitted[0, 0].Should().BeApproximately(cov[0, 0] + reg, 1e-10);
                    fitted[0, 1].Should().BeApproximately(cov[0, 1], 1e-10);
                    fitted[1, 1].Should().BeApproximately(cov[1, 1] + reg, 1e-10);
                    break;
                case CovarianceType.Diagonal:
                    fitted[0, 0].Should().BeApproximately(cov[0, 0] + reg, 1e-10);
                    fitted[1, 1].Should().BeApproximately(cov[1, 1] + reg, 1e-10);
                    fitted[0, 1].Should().Be(0);
                    break;
                case CovarianceType.Spherical:
                    fitted[0, 0].Should().BeApproximately((cov[0, 0] + cov[1, 1]) / 2 + reg, 1e-10);
                    break;
            }
        }

        if (type == CovarianceType.Tied)
        {
            double[,] fitted = model.GetCovariance(1);
            fitted[0, 0].Should().BeApproximately(tied[0, 0] + reg, 1e-10);
            fitted[0, 1].Should().BeApproximately(tied[0, 1], 1e-10);
            fitted[1, 1].Should().BeApproximately(tied[1, 1] + reg, 1e-10);
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Log_likelihood_trace_never_decreases(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(2000, new Random(11));
        foreach (MixtureInit init in Enum.GetValues<MixtureInit>())
        {
            FitResult<GaussianMixtureModel> fit = new GaussianMixture(new GaussianMixtureOptions
            {
                Components = 4,
                Covariance = type,
                Init = init,
                Regularization = 0,
                Tolerance = 1e-10,
                MaxIterations = 60,
                Seed = 5,
            }).Fit(x);
            fit.Report.ObjectiveTrace.Should().NotBeEmpty();
            ShouldNeverDecrease(fit.Report.ObjectiveTrace, 1e-12);
        }
    }

    [Fact]
    public void Recovers_known_weights_means_and_covariances()
    {
        GaussianMixtureModel truth = ThreeBlobs();
        double[,] x = truth.Sample(6000, new Random(21));
        GaussianMixtureModel fitted = new GaussianMixture(new GaussianMixtureOptions { Components = 3, Seed = 2, Starts = 2 }).Fit(x).Model;
        double[,] means = fitted.Means;
        for (int c = 0; c < 3; c++)
        {
            // Match each true component to the nearest fitted mean.
            int m = Enumerable.Range(0, 3).MinBy(j => Math.Pow(means[j, 0] - truth.Means[c, 0], 2) + Math.Pow(means[j, 1] - truth.Means[c, 1], 2));
            fitted.Weights[m].Should().BeApproximately(truth.Weights[c], 0.02);
            means[m, 0].Should().BeApproximately(truth.Means[c, 0], 0.08);
            means[m, 1].Should().BeApproximately(truth.Means[c, 1], 0.08);
            double[,] expected = truth.GetCovariance(c), actual = fitted.GetCovariance(m);
            for (int a = 0; a < 2; a++)
            {
                for (int b = 0; b < 2; b++)
                {
                    actual[a, b].Should().BeApproximately(expected[a, b], 0.12 * Math.Sqrt(expected[a, a] * expected[b, b]));
                }
            }
        }
    }

    [Fact]
    public void In_one_dimension_every_covariance_type_gives_the_same_bic()
    {
        double[,] x = new double[300, 1];
        var random = new Random(4);
        for (int i = 0; i < 300; i++)
        {
            x[i, 0] = (i % 3 == 0 ? 5 : 0) + random.NextDouble() + random.NextDouble();
        }

        double[] twoComponents = new[] { CovarianceType.Full, CovarianceType.Diagonal, CovarianceType.Spherical }
            .Select(t => FitFirst(x, t, 2, 200).Model.Bic(x)).ToArray();
        twoComponents[1].Should().BeApproximately(twoComponents[0], 1e-8);
        twoComponents[2].Should().BeApproximately(twoComponents[0], 1e-8);
        double[] one = Enum.GetValues<CovarianceType>().Select(t => FitFirst(x, t, 1, 5).Model.Bic(x)).ToArray();
        one.Should().AllSatisfy(b => b.Should().BeApproximately(one[0], 1e-8));
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Translating_the_data_shifts_only_the_means(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(800, new Random(8));
        double[,] shifted = (double[,])x.Clone();
        for (int i = 0; i < x.GetLength(0); i++)
        {
            shifted[i, 0] += 1000;
            shifted[i, 1] -= 250;
        }

        var options = new GaussianMixtureOptions { Components = 3, Covariance = type, Init = MixtureInit.First, Tolerance = 0, MaxIterations = 30 };
        FitResult<GaussianMixtureModel> a = new GaussianMixture(options).Fit(x), b = new GaussianMixture(options).Fit(shifted);
        b.Report.ObjectiveTrace[^1].Should().BeApproximately(a.Report.ObjectiveTrace[^1], 1e-9);
        for (int c = 0; c < 3; c++)
        {
            b.Model.Weights[c].Should().BeApproximately(a.Model.Weights[c], 1e-9);
            b.Model.Means[c, 0].Should().BeApproximately(a.Model.Means[c, 0] + 1000, 1e-8);
            b.Model.Means[c, 1].Should().BeApproximately(a.Model.Means[c, 1] - 250, 1e-8);
            b.Model.CovarianceParameters.Should().Equal(a.Model.CovarianceParameters, (p, q) => Math.Abs(p - q) < 1e-8);
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Results_are_bit_identical_for_any_degree_of_parallelism(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(5000, new Random(12));
        FitResult<GaussianMixtureModel> Fit(int dop) => new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 3,
            Covariance = type,
            Seed = 9,
            Starts = 2,
            MaxDegreeOfParallelism = dop,
            Tolerance = 0,
            MaxIterations = 15,
        }).Fit(x);
        FitResult<GaussianMixtureModel> one = Fit(1), two = Fit(2), four = Fit(4);
        two.Report.ObjectiveTrace.Should().Equal(one.Report.ObjectiveTrace);
        two.Model.CovarianceParameters.Should().Equal(one.Model.CovarianceParameters);
        four.Report.ObjectiveTrace.Should().Equal(one.Report.ObjectiveTrace);
        four.Model.Means.Should().BeEquivalentTo(one.Model.Means, o => o.WithStrictOrdering());
        four.Model.CovarianceParameters.Should().Equal(one.Model.CovarianceParameters);
        four.Model.Weights.Should().Equal(one.Model.Weights);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Integer_sample_weights_equal_duplicated_rows(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(200, new Random(13));
        var weights = Enumerable.Range(0, 200).Select(i => (double)(i % 3)).ToArray();
        var duplicated = Enumerable.Range(0, 200).SelectMany(i => Enumerable.Repeat(Row(x, i), i % 3)).ToArray().ToMatrix();
        var options = new GaussianMixtureOptions { Components = 3, Covariance = type, Init = MixtureInit.RandomResponsibilities, Seed = 1, Tolerance = 0, MaxIterations = 20 };

        // Random responsibilities are drawn per row, so start both fits from the same explicit model instead.
        GaussianMixtureModel start = new GaussianMixture(options with { MaxIterations = 1 }).Fit(duplicated).Model;
        GaussianMixtureModel weighted = new GaussianMixture(options with { InitialModel = start }).Fit(x, weights).Model;
        GaussianMixtureModel repeated = new GaussianMixture(options with { InitialModel = start }).Fit(duplicated).Model;
        weighted.Means.Should().BeEquivalentTo(repeated.Means, o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-9)).WhenTypeIs<double>());
        weighted.CovarianceParameters.Should().Equal(repeated.CovarianceParameters, (p, q) => Math.Abs(p - q) < 1e-9);
        weighted.Score(duplicated).Should().BeApproximately(repeated.Score(duplicated), 1e-10);
    }

    private static double[,] ThirtyCopiesAndACloud()
    {
        var random = new Random(17);
        var x = new double[130, 2];
        for (int i = 0; i < 130; i++)
        {
            // Row 0 and rows 2…30 are the copies, so that "first" starts one component on them and one in the cloud.
            if (i != 1 && i <= 30)
            {
                x[i, 0] = 5;
                x[i, 1] = 5;
            }
            else
            {
                x[i, 0] = random.NextDouble() * 2 - 1;
                x[i, 1] = random.NextDouble() * 2 - 1;
            }
        }

        return x;
    }

    [Fact]
    public void A_collapsed_component_without_regularisation_fails_naming_the_component_and_the_remedies()
    {
        double[,] x = ThirtyCopiesAndACloud();
        var act = () => new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            Init = MixtureInit.First,
            Regularization = 0,
        }).Fit(x);
        act.Should().Throw<FittingException>()
            .WithMessage("The covariance of component 0 is not positive definite*Regularization*Prior*")
            .Which.Component.Should().Be(0);
    }

    [Fact]
    public void Map_em_with_the_default_prior_fits_thirty_copies_of_one_point()
    {
        double[,] x = ThirtyCopiesAndACloud();
        FitResult<GaussianMixtureModel> fit = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            Init = MixtureInit.First,
            Regularization = 0,
            Prior = GaussianMixturePrior.Default,
            Tolerance = 1e-12,
            MaxIterations = 200,
        }).Fit(x);
        fit.Report.ObjectiveName.Should().Be("meanLogPosterior");
        ShouldNeverDecrease(fit.Report.ObjectiveTrace, 1e-12);
        double[,] cov = fit.Model.GetCovariance(0);
        fit.Model.Means[0, 0].Should().BeApproximately(5, 0.05);
        fit.Model.Weights[0].Should().BeApproximately(30.0 / 130, 1e-6);

        // Posterior-mode covariance of the collapsed component, in closed form (its scatter S is zero, N = 30):
        // Σ = (Λ + κN/(κ+N)(p − μ₀)(p − μ₀)ᵀ) / (ν + N + d + 2), with the mclust defaults μ₀ = data mean, κ = 0.01,
        // ν = d + 2 and Λ = cov(data)/K^(2/d) (n − 1 denominator), computed here from the rows.
        int n = x.GetLength(0);
        double[] mu0 = new double[2];
        for (int i = 0; i < n; i++)
        {
            mu0[0] += x[i, 0] / n;
            mu0[1] += x[i, 1] / n;
        }

        double[,] lambda = new double[2, 2];
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < 2; a++)
            {
                for (int b = 0; b < 2; b++)
                {
                    lambda[a, b] += (x[i, a] - mu0[a]) * (x[i, b] - mu0[b]) / (n - 1) / 2.0;
                }
            }
        }

        const double kappa = 0.01, count = 30, nu = 4, d = 2;
        double[] p = [5 - mu0[0], 5 - mu0[1]];
        for (int a = 0; a < 2; a++)
        {
            for (int b = 0; b < 2; b++)
            {
                double expected = (lambda[a, b] + kappa * count / (kappa + count) * p[a] * p[b]) / (nu + count + d + 2);
                cov[a, b].Should().BeApproximately(expected, 1e-6 * Math.Abs(lambda[0, 0]), $"Σ[{a},{b}] in closed form");
            }
        }
    }

    [Fact]
    public void Map_em_matches_the_closed_form_posterior_mode_for_one_component()
    {
        // K = 1, full: μ = (N x̄ + κ μ₀)/(N + κ), Σ = (Λ + S + κN/(κ+N)(x̄ − μ₀)(x̄ − μ₀)ᵀ)/(ν + N + d + 2), reached in one M-step.
        double[,] x = ThreeBlobs().Sample(50, new Random(30));
        var prior = new GaussianMixturePrior { Mean = [1, 2], MeanShrinkage = 3, DegreesOfFreedom = 6, Scale = new double[,] { { 2, 0.5 }, { 0.5, 1 } } };
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions { Components = 1, Prior = prior, MaxIterations = 3, Init = MixtureInit.First }).Fit(x).Model;
        var stats = LatentModels.Statistics.WeightedMoments.FromRows(x);
        double n = 50, kappa = 3;
        double[] mean = stats.Mean, s = stats.Scatter;
        double[] expectedMean = [(n * mean[0] + kappa * 1) / (n + kappa), (n * mean[1] + kappa * 2) / (n + kappa)];
        model.Means[0, 0].Should().BeApproximately(expectedMean[0], 1e-12);
        model.Means[0, 1].Should().BeApproximately(expectedMean[1], 1e-12);
        double shrink = kappa * n / (kappa + n);
        double[] delta = [mean[0] - 1, mean[1] - 2];
        double[,] scale = { { 2, 0.5 }, { 0.5, 1 } };
        double[,] cov = model.GetCovariance(0);
        for (int a = 0; a < 2; a++)
        {
            for (int b = 0; b < 2; b++)
            {
                cov[a, b].Should().BeApproximately((scale[a, b] + s[a * 2 + b] + shrink * delta[a] * delta[b]) / (6 + n + 2 + 2), 1e-12);
            }
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Map_log_posterior_trace_never_decreases(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(1500, new Random(31));
        FitResult<GaussianMixtureModel> fit = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 4,
            Covariance = type,
            Prior = GaussianMixturePrior.Default with { WeightConcentration = 2 },
            Tolerance = 1e-12,
            MaxIterations = 80,
            Seed = 3,
        }).Fit(x);
        fit.Report.ObjectiveTrace.Count.Should().BeGreaterThan(2);
        ShouldNeverDecrease(fit.Report.ObjectiveTrace, 1e-12);
    }

    [Fact]
    public void A_component_that_loses_all_its_points_is_reseeded()
    {
        double[,] x = ThreeBlobs().Sample(600, new Random(14));

        // Component 2 sits a million units away: every responsibility underflows to zero in the first E-step.
        var start = GaussianMixtureModel.Create(CovarianceType.Spherical, [0.45, 0.45, 0.1], new double[,] { { 0, 0 }, { 5, 5 }, { 1e6, 1e6 } }, [4, 4, 1]);
        FitResult<GaussianMixtureModel> fit = new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 3,
            Covariance = CovarianceType.Spherical,
            InitialModel = start,
            Tolerance = 1e-8,
        }).Fit(x);
        fit.Model.Means[2, 0].Should().BeLessThan(100);
        fit.Model.Weights[2].Should().BeGreaterThan(0.05);
        fit.Model.Score(x).Should().BeGreaterThan(new GaussianMixture(new GaussianMixtureOptions
        {
            Components = 2,
            Covariance = CovarianceType.Spherical,
            Init = MixtureInit.First,
        }).Fit(x).Model.Score(x));
    }

    [Theory]
    [InlineData(MixtureInit.RandomRows)]
    [InlineData(MixtureInit.RandomResponsibilities)]
    public void More_starts_keep_the_best_and_the_first_start_does_not_depend_on_their_number(MixtureInit init)
    {
        double[,] x = ThreeBlobs().Sample(400, new Random(41));
        var options = new GaussianMixtureOptions { Components = 5, Init = init, Seed = 11, Tolerance = 1e-6, MaxIterations = 60 };
        double[] finals = Enumerable.Range(1, 6).Select(s => new GaussianMixture(options with { Starts = s }).Fit(x).Model.Score(x)).ToArray();
        for (int s = 1; s < finals.Length; s++)
        {
            finals[s].Should().BeGreaterThanOrEqualTo(finals[s - 1], $"{s + 1} starts include the first {s}");
        }

        finals[^1].Should().BeGreaterThan(finals[0] + 1e-6, "some later start finds a better optimum than the first");
    }

    [Fact]
    public void Bic_selects_the_true_number_of_components()
    {
        double[,] x = ThreeBlobs().Sample(1500, new Random(15));
        GaussianMixtureSelection selection = GaussianMixture.SelectComponentsByBic(x, [1, 2, 3, 4, 5], new GaussianMixtureOptions { Seed = 1, Starts = 2 });
        selection.Best.Components.Should().Be(3);
        selection.Candidates.Should().HaveCount(5);
        selection.Candidates[2].Bic.Should().Be(selection.Candidates.Min(c => c.Bic));
    }

    [Fact]
    public void Options_are_validated_with_the_parameter_named()
    {
        double[,] x = ThreeBlobs().Sample(10, new Random(1));
        var tooMany = () => new GaussianMixture(new GaussianMixtureOptions { Components = 11 }).Fit(x);
        tooMany.Should().Throw<ArgumentOutOfRangeException>().And.ParamName.Should().Be("Components");
        var negativeReg = () => new GaussianMixture(new GaussianMixtureOptions { Regularization = -1 }).Fit(x);
        negativeReg.Should().Throw<ArgumentOutOfRangeException>().And.ParamName.Should().Be("Regularization");
        var badPrior = () => new GaussianMixture(new GaussianMixtureOptions { Prior = new GaussianMixturePrior { Mean = [1.0] } }).Fit(x);
        badPrior.Should().Throw<ArgumentException>().And.ParamName.Should().Be("Mean");
        var wrongModel = () => new GaussianMixture(new GaussianMixtureOptions { Components = 3, InitialModel = ThreeBlobs(), Covariance = CovarianceType.Tied }).Fit(x);
        wrongModel.Should().Throw<ArgumentException>().And.ParamName.Should().Be("InitialModel");
        x[4, 1] = double.NaN;
        var nan = () => new GaussianMixture(new GaussianMixtureOptions()).Fit(x);
        nan.Should().Throw<ArgumentException>().WithMessage("*row 4, column 1*");
    }

    [Fact]
    public void Fit_reports_progress_honours_cancellation_and_leaves_the_data_alone()
    {
        double[,] x = ThreeBlobs().Sample(300, new Random(16));
        double[,] copy = (double[,])x.Clone();
        var seen = new List<FitProgress>();
        var progress = new SynchronousProgress(seen.Add);
        FitResult<GaussianMixtureModel> fit = new GaussianMixture(new GaussianMixtureOptions { Components = 3, Tolerance = 0, MaxIterations = 7 }).Fit(x, progress);
        seen.Select(p => p.Iteration).Should().Equal(1, 2, 3, 4, 5, 6, 7);
        seen[^1].Objective.Should().Be(fit.Report.ObjectiveTrace[^1]);
        x.Should().BeEquivalentTo(copy, o => o.WithStrictOrdering());
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var cancelled = () => new GaussianMixture(new GaussianMixtureOptions { Components = 3 }).Fit(x, null, cts.Token);
        cancelled.Should().Throw<OperationCanceledException>();
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
