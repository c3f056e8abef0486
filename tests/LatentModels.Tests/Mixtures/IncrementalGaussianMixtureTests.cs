using LatentModels.Mixtures;
using LatentModels.Mixtures.Gaussian;
using static LatentModels.Tests.Mixtures.MixtureTestData;

namespace LatentModels.Tests.Mixtures;

public class IncrementalGaussianMixtureTests
{
    private static GaussianMixtureOptions Mixture(int k, CovarianceType type, MixtureInit init = MixtureInit.KMeans, int seed = 0, int dop = 0) => new()
    {
        Components = k,
        Covariance = type,
        Init = init,
        Seed = seed,
        MaxDegreeOfParallelism = dop,
    };

    private static FitResult<GaussianMixtureModel> FitIncremental(double[,] x, GaussianMixtureOptions mixture, int passes) =>
        new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = mixture, Passes = passes }).Fit(x);

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Log_likelihood_after_each_pass_never_decreases(CovarianceType type)
    {
        double[,] x = OldFaithful();
        FitResult<GaussianMixtureModel> fit = FitIncremental(x, Mixture(2, type, MixtureInit.First), 15);
        IReadOnlyList<double> trace = fit.Report.ObjectiveTrace;
        trace.Should().HaveCount(15);
        fit.Report.Iterations.Should().Be(15);
        fit.Report.ObjectiveName.Should().Be("meanLogLikelihood");
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeGreaterThanOrEqualTo(trace[t - 1] - 1e-12, $"pass {t + 1} must not decrease the log-likelihood");
        }

        trace[^1].Should().BeApproximately(fit.Model.Score(x), 1e-12);

        // It ends where batch EM from the same start converges (both have found the same local optimum).
        double batch = new GaussianMixture(Mixture(2, type, MixtureInit.First) with { MaxIterations = 1000, Tolerance = 1e-12 }).Fit(x).Model.Score(x);
        trace[^1].Should().BeApproximately(batch, 1e-4);
        trace[0].Should().BeLessThan(trace[^1]);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Reaches_the_batch_em_optimum_on_separated_data(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(900, new Random(5));
        FitResult<GaussianMixtureModel> batch = new GaussianMixture(Mixture(3, type) with { MaxIterations = 1000, Tolerance = 1e-13 }).Fit(x);
        FitResult<GaussianMixtureModel> incremental = FitIncremental(x, Mixture(3, type), 12);
        incremental.Report.ObjectiveTrace[^1].Should().BeApproximately(batch.Report.ObjectiveTrace[^1], 1e-6);
        var order = Enumerable.Range(0, 3).OrderBy(c => incremental.Model.Means[c, 0] + 2 * incremental.Model.Means[c, 1]).ToArray();
        var batchOrder = Enumerable.Range(0, 3).OrderBy(c => batch.Model.Means[c, 0] + 2 * batch.Model.Means[c, 1]).ToArray();
        for (int c = 0; c < 3; c++)
        {
            incremental.Model.Weights[order[c]].Should().BeApproximately(batch.Model.Weights[batchOrder[c]], 1e-5);
            incremental.Model.Means[order[c], 0].Should().BeApproximately(batch.Model.Means[batchOrder[c], 0], 1e-4);
            incremental.Model.Means[order[c], 1].Should().BeApproximately(batch.Model.Means[batchOrder[c], 1], 1e-4);
        }
    }

    [Fact]
    public void Map_incremental_em_fits_thirty_copies_of_one_point_and_reaches_the_batch_posterior_mode()
    {
        var rows = new double[130, 2];
        var rng = new Random(3);
        for (int i = 0; i < 130; i++)
        {
            (rows[i, 0], rows[i, 1]) = i < 30 ? (5.0, 5.0) : (rng.NextDouble(), rng.NextDouble());
        }

        GaussianMixtureOptions options = Mixture(2, CovarianceType.Full, MixtureInit.First) with { Prior = GaussianMixturePrior.Default };
        FitResult<GaussianMixtureModel> incremental = FitIncremental(rows, options, 30);
        FitResult<GaussianMixtureModel> batch = new GaussianMixture(options with { MaxIterations = 2000, Tolerance = 1e-13 }).Fit(rows);
        incremental.Report.ObjectiveName.Should().Be("meanLogPosterior");
        incremental.Report.ObjectiveTrace[^1].Should().BeApproximately(batch.Report.ObjectiveTrace[^1], 1e-6);
        for (int t = 1; t < 30; t++)
        {
            incremental.Report.ObjectiveTrace[t].Should().BeGreaterThanOrEqualTo(incremental.Report.ObjectiveTrace[t - 1] - 1e-12);
        }
    }

    [Fact]
    public void Warm_started_at_the_batch_optimum_it_stays_there()
    {
        double[,] x = ThreeBlobs().Sample(600, new Random(8));
        GaussianMixtureOptions options = Mixture(3, CovarianceType.Full, seed: 4);
        FitResult<GaussianMixtureModel> batch = new GaussianMixture(options with { MaxIterations = 1000, Tolerance = 1e-13 }).Fit(x);
        FitResult<GaussianMixtureModel> warm = FitIncremental(x, options with { InitialModel = batch.Model }, 1);
        warm.Report.ObjectiveTrace[0].Should().BeApproximately(batch.Report.ObjectiveTrace[^1], 1e-9);
        for (int c = 0; c < 3; c++)
        {
            warm.Model.Means[c, 0].Should().BeApproximately(batch.Model.Means[c, 0], 1e-6);
            warm.Model.Weights[c].Should().BeApproximately(batch.Model.Weights[c], 1e-7);
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void One_pass_with_one_component_is_the_exact_maximum_likelihood_estimate(CovarianceType type)
    {
        double[,] x = OldFaithful();
        int n = x.GetLength(0);
        GaussianMixtureModel model = FitIncremental(x, Mixture(1, type, MixtureInit.First) with { Regularization = 1e-3 }, 1).Model;
        double[] mean = [Enumerable.Range(0, n).Average(i => x[i, 0]), Enumerable.Range(0, n).Average(i => x[i, 1])];
        double[,] cov = new double[2, 2];
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < 2; a++)
            {
                for (int b = 0; b < 2; b++)
                {
                    cov[a, b] += (x[i, a] - mean[a]) * (x[i, b] - mean[b]) / n;
                }
            }
        }

        model.Weights[0].Should().Be(1.0);
        model.Means[0, 0].Should().BeApproximately(mean[0], 1e-12);
        model.Means[0, 1].Should().BeApproximately(mean[1], 1e-10);
        double[,] fitted = model.GetCovariance(0);
        double[,] expected = type switch
        {
            CovarianceType.Full or CovarianceType.Tied => new[,] { { cov[0, 0] + 1e-3, cov[0, 1] }, { cov[1, 0], cov[1, 1] + 1e-3 } },
            CovarianceType.Diagonal => new[,] { { cov[0, 0] + 1e-3, 0 }, { 0, cov[1, 1] + 1e-3 } },
            _ => new[,] { { (cov[0, 0] + cov[1, 1]) / 2 + 1e-3, 0 }, { 0, (cov[0, 0] + cov[1, 1]) / 2 + 1e-3 } },
        };
        for (int a = 0; a < 2; a++)
        {
            for (int b = 0; b < 2; b++)
            {
                fitted[a, b].Should().BeApproximately(expected[a, b], 1e-9 * (1 + Math.Abs(expected[a, b])));
            }
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Incremental_updates_equal_a_naive_recomputation_from_the_stored_responsibilities(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(200, new Random(11));
        int n = x.GetLength(0), d = 2, k = 3;
        GaussianMixtureOptions options = Mixture(k, type, MixtureInit.RandomRows, seed: 2);
        var engine = new GaussianMixtureEngine(x, null, options);
        GaussianMixture.Initialize(engine, x, null, options, new Random(1));
        var state = new IncrementalEmState(engine, x, new Random(2));
        var rng = new Random(7);
        // Part of a first pass, the rest of it, then a second pass in which old responsibilities are replaced.
        for (int step = 0; step < 3 * n; step++)
        {
            int row = step < n ? (step * 37) % n : rng.Next(n);
            state.Visit(row);
            if (step is 5 or 60 or 199 or 450 or 599)
            {
                double[] r = state.Responsibilities;
                double[] shift = engine.Current.Shift;
                for (int c = 0; c < k; c++)
                {
                    double nk = 0;
                    var mean = new double[d];
                    for (int i = 0; i < n; i++)
                    {
                        nk += r[i * k + c];
                        for (int j = 0; j < d; j++)
                        {
                            mean[j] += r[i * k + c] * x[i, j];
                        }
                    }

                    for (int j = 0; j < d; j++)
                    {
                        mean[j] /= nk;
                    }

                    var scatter = new double[d, d];
                    for (int i = 0; i < n; i++)
                    {
                        for (int a = 0; a < d; a++)
                        {
                            for (int b = 0; b < d; b++)
                            {
                                scatter[a, b] += r[i * k + c] * (x[i, a] - mean[a]) * (x[i, b] - mean[b]);
                            }
                        }
                    }

                    state.Statistics.Weight[c].Should().BeApproximately(nk, 1e-10 * n, $"N of component {c} after step {step}");
                    for (int j = 0; j < d; j++)
                    {
                        (state.Statistics.Mean[c * d + j] + shift[j]).Should().BeApproximately(mean[j], 1e-9, $"mean of component {c} after step {step}");
                    }

                    for (int a = 0; a < d; a++)
                    {
                        for (int b = 0; b < d; b++)
                        {
                            if (type == CovarianceType.Diagonal && a != b)
                            {
                                continue;
                            }

                            double stored = type == CovarianceType.Full ? state.Statistics.Scatter[c * d * d + a * d + b] : state.Statistics.Scatter[c * d + a];
                            stored.Should().BeApproximately(scatter[a, b], 1e-8 * (1 + Math.Abs(scatter[a, b])), $"scatter of component {c} after step {step}");
                        }
                    }

                    // After the first pass the parameters are the M-step of exactly these statistics.
                    if (step >= n)
                    {
                        engine.Current.Weights[c].Should().BeApproximately(nk / n, 1e-12);
                        engine.Current.Means[c * d].Should().BeApproximately(mean[0], 1e-9);
                        double variance = type == CovarianceType.Full ? engine.Current.Covariance[c * d * d] : engine.Current.Covariance[c * d];
                        variance.Should().BeApproximately(scatter[0, 0] / nk + options.Regularization, 1e-8 * (1 + variance));
                    }
                }
            }

        }

        state.Seen.Should().Be(n);
        state.Responsibilities.Should().OnlyContain(g => g >= 0 && g <= 1);
    }

    [Fact]
    public void A_visit_never_decreases_the_free_energy_after_the_first_pass()
    {
        // F(q, θ) = Σₘ Σₖ qₘₖ (log πₖ + log 𝒩(xₘ | μₖ, Σₖ) − log qₘₖ): each partial E-step and M-step increases it.
        double[,] x = ThreeBlobs().Sample(150, new Random(21));
        int n = x.GetLength(0), k = 3;
        GaussianMixtureOptions options = Mixture(k, CovarianceType.Full, MixtureInit.RandomRows, seed: 3) with { Regularization = 0 };
        var engine = new GaussianMixtureEngine(x, null, options);
        GaussianMixture.Initialize(engine, x, null, options, new Random(1));
        var state = new IncrementalEmState(engine, x, new Random(2));
        state.Pass();
        double FreeEnergy()
        {
            var model = new GaussianMixtureModel(engine.Current);
            double f = 0;
            for (int i = 0; i < n; i++)
            {
                double[] joint = NaiveLogJoint(model, Row(x, i));
                for (int c = 0; c < k; c++)
                {
                    double q = state.Responsibilities[i * k + c];
                    if (q > 0)
                    {
                        f += q * (joint[c] - Math.Log(q));
                    }
                }
            }

            return f;
        }

        double previous = FreeEnergy();
        var rng = new Random(4);
        for (int step = 0; step < 60; step++)
        {
            state.Visit(rng.Next(n));
            double current = FreeEnergy();
            current.Should().BeGreaterThanOrEqualTo(previous - 1e-9 * Math.Abs(previous), $"visit {step}");
            previous = current;
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void Results_are_bit_identical_for_any_degree_of_parallelism_and_the_same_seed(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(3000, new Random(13));
        GaussianMixtureModel one = FitIncremental(x, Mixture(3, type, seed: 9, dop: 1), 2).Model;
        GaussianMixtureModel two = FitIncremental(x, Mixture(3, type, seed: 9, dop: 2), 2).Model;
        GaussianMixtureModel again = FitIncremental(x, Mixture(3, type, seed: 9, dop: 2), 2).Model;
        two.Weights.Should().Equal(one.Weights);
        two.Means.Should().BeEquivalentTo(one.Means, o => o.WithStrictOrdering());
        two.CovarianceParameters.Should().Equal(one.CovarianceParameters);
        again.CovarianceParameters.Should().Equal(two.CovarianceParameters);
        GaussianMixtureModel other = FitIncremental(x, Mixture(3, type, seed: 10, dop: 2), 1).Model;
        other.CovarianceParameters.Should().NotEqual(FitIncremental(x, Mixture(3, type, seed: 9, dop: 2), 1).Model.CovarianceParameters);
    }

    private static double[] Flat(GaussianMixtureModel m) => [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters];

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Sample_weights_of_one_change_no_bit_a_common_factor_changes_only_rounding_and_weights_reach_the_weighted_batch_optimum(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(600, new Random(31));
        int n = x.GetLength(0);
        var incremental = new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(3, type, MixtureInit.RandomResponsibilities, seed: 4), Passes = 6 });
        FitResult<GaussianMixtureModel> plain = incremental.Fit(x);
        FitResult<GaussianMixtureModel> ones = incremental.Fit(x, Enumerable.Repeat(1.0, n).ToArray());
        Flat(ones.Model).Should().Equal(Flat(plain.Model));
        ones.Report.ObjectiveTrace.Should().Equal(plain.Report.ObjectiveTrace);

        FitResult<GaussianMixtureModel> threes = incremental.Fit(x, Enumerable.Repeat(3.0, n).ToArray());
        double[] expected = Flat(plain.Model), actual = Flat(threes.Model);
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].Should().BeApproximately(expected[i], 1e-10 * Math.Max(1, Math.Abs(expected[i])), $"entry {i}");
        }

        // Uneven weights: the trace (weighted mean log-likelihood) never decreases and ends at the weighted batch optimum.
        var random = new Random(5);
        double[] weights = Enumerable.Range(0, n).Select(_ => random.Next(4) * 0.5).ToArray();
        FitResult<GaussianMixtureModel> weighted = new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(3, type, seed: 4), Passes = 40 }).Fit(x, weights);
        IReadOnlyList<double> trace = weighted.Report.ObjectiveTrace;
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeGreaterThanOrEqualTo(trace[t - 1] - 1e-12 * Math.Abs(trace[t - 1]), $"pass {t + 1}");
        }

        GaussianMixtureModel batch = new GaussianMixture(Mixture(3, type, seed: 4) with { MaxIterations = 500, Tolerance = 0 }).Fit(x, weights).Model;
        double weightedScore = Enumerable.Range(0, n).Sum(i => weights[i] * weighted.Model.LogDensity(Row(x, i).AsSpan())) / weights.Sum();
        double batchScore = Enumerable.Range(0, n).Sum(i => weights[i] * batch.LogDensity(Row(x, i).AsSpan())) / weights.Sum();
        trace[^1].Should().BeApproximately(weightedScore, 1e-9 * Math.Abs(weightedScore), "the trace is the weighted mean log-likelihood");
        weightedScore.Should().BeApproximately(batchScore, 1e-6 * Math.Abs(batchScore));
    }

    [Fact]
    public void Bad_input_and_options_are_rejected_with_the_parameter_named()
    {
        double[,] x = ThreeBlobs().Sample(20, new Random(1));
        var estimator = new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(2, CovarianceType.Full) });
        double[,] nan = (double[,])x.Clone();
        nan[4, 1] = double.NaN;
        FluentActions.Invoking(() => estimator.Fit(nan)).Should().Throw<ArgumentException>().WithParameterName("data").WithMessage("*row 4*");
        FluentActions.Invoking(() => estimator.Fit(new double[0, 2])).Should().Throw<ArgumentException>().WithParameterName("data");
        FluentActions.Invoking(() => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(21, CovarianceType.Full) }).Fit(x))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Components");
        FluentActions.Invoking(() => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(2, CovarianceType.Full), Passes = 0 }).Fit(x))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Passes");
        FluentActions.Invoking(() => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(2, CovarianceType.Full), Tolerance = -1 }).Fit(x))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Tolerance");
        FluentActions.Invoking(() => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(2, CovarianceType.Full) with { Regularization = -1 } }).Fit(x))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Regularization");
        GaussianMixtureModel threeD = GaussianMixtureModel.Create(CovarianceType.Full, [1, 1], new double[,] { { 0, 0, 0 }, { 1, 1, 1 } }, [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
        FluentActions.Invoking(() => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(2, CovarianceType.Full) with { InitialModel = threeD } }).Fit(x))
            .Should().Throw<ArgumentException>().WithParameterName("InitialModel");
        FluentActions.Invoking(() => new IncrementalGaussianMixture(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void A_singular_component_without_regularisation_fails_naming_it_and_progress_and_cancellation_work()
    {
        // Ten copies of one point far away from a cloud: with Regularization = 0 its component collapses.
        var rows = new double[60, 2];
        var rng = new Random(3);
        for (int i = 0; i < 50; i++)
        {
            rows[i, 0] = rng.NextDouble();
            rows[i, 1] = rng.NextDouble();
        }

        for (int i = 50; i < 60; i++)
        {
            rows[i, 0] = 100;
            rows[i, 1] = 100;
        }

        FluentActions.Invoking(() => FitIncremental(rows, Mixture(2, CovarianceType.Full) with { Regularization = 0 }, 3))
            .Should().Throw<FittingException>().Where(e => e.Component != null).WithMessage("*component*Regularization*");

        var seen = new List<FitProgress>();
        double[,] x = ThreeBlobs().Sample(100, new Random(1));
        double[,] copy = (double[,])x.Clone();
        new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(3, CovarianceType.Full), Passes = 4 }).Fit(x, new Progress(seen.Add));
        seen.Select(p => p.Iteration).Should().Equal(1, 2, 3, 4);
        seen.Should().OnlyContain(p => p.MaxIterations == 4 && double.IsFinite(p.Objective));
        x.Should().BeEquivalentTo(copy);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        FluentActions.Invoking(() => new IncrementalGaussianMixture(new IncrementalGaussianMixtureOptions { Mixture = Mixture(3, CovarianceType.Full) }).Fit(x, null, cts.Token))
            .Should().Throw<OperationCanceledException>();
    }

    private sealed class Progress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
