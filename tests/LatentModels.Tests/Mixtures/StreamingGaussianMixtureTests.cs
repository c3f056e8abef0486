using LatentModels.Mixtures;
using static LatentModels.Tests.Mixtures.MixtureTestData;

namespace LatentModels.Tests.Mixtures;

public class StreamingGaussianMixtureTests
{
    private static StreamingGaussianMixtureOptions Options(int k, CovarianceType type = CovarianceType.Full, int seed = 0, int dop = 0) => new()
    {
        Mixture = new GaussianMixtureOptions { Components = k, Covariance = type, Seed = seed, MaxDegreeOfParallelism = dop },
    };

    /// <summary>Components of a fitted model matched to the true ones by nearest mean.</summary>
    private static int[] Match(GaussianMixtureModel fitted, GaussianMixtureModel truth)
    {
        double[,] f = fitted.Means, t = truth.Means;
        return Enumerable.Range(0, truth.Components)
            .Select(c => Enumerable.Range(0, fitted.Components).MinBy(j => Math.Pow(f[j, 0] - t[c, 0], 2) + Math.Pow(f[j, 1] - t[c, 1], 2)))
            .ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    public void Recovers_the_true_mixture_and_comes_within_two_percent_of_batch_em(int batchSize)
    {
        GaussianMixtureModel truth = ThreeBlobs();
        double[,] x = truth.Sample(20000, new Random(17));
        double[,] heldOut = truth.Sample(5000, new Random(18));
        var online = new StreamingGaussianMixture(Options(3));
        online.UpdateAll(x, batchSize);
        online.Count.Should().Be(20000);
        GaussianMixtureModel model = online.Snapshot();
        int[] m = Match(model, truth);
        // With α = 0.6 the statistics average over roughly the last t^0.6 ≈ 400 points, so the tolerances are a few of
        // their standard errors (mean ±0.25 ≈ 3.5σ for the heaviest component).
        m.Distinct().Should().HaveCount(3);
        for (int c = 0; c < 3; c++)
        {
            model.Weights[m[c]].Should().BeApproximately(truth.Weights[c], 0.06, $"weight of component {c}");
            model.Means[m[c], 0].Should().BeApproximately(truth.Means[c, 0], 0.25);
            model.Means[m[c], 1].Should().BeApproximately(truth.Means[c, 1], 0.25);
            double[,] cov = model.GetCovariance(m[c]), expected = truth.GetCovariance(c);
            for (int a = 0; a < 2; a++)
            {
                for (int b = 0; b < 2; b++)
                {
                    cov[a, b].Should().BeApproximately(expected[a, b], 0.3 * Math.Max(expected[a, a], expected[b, b]), $"covariance ({a}, {b}) of component {c}");
                }
            }
        }

        double batch = new GaussianMixture(Options(3).Mixture).Fit(x).Model.Score(x);
        double streaming = model.Score(x);
        Math.Abs(streaming - batch).Should().BeLessThan(0.02 * Math.Abs(batch));
        streaming.Should().BeLessThanOrEqualTo(batch + 1e-9, "the batch optimum is the maximum");
        model.Score(heldOut).Should().BeGreaterThan(truth.Score(heldOut) - 0.02 * Math.Abs(truth.Score(heldOut)));
    }

    [Fact]
    public void With_step_one_over_t_the_initialisation_batch_gives_one_batch_em_iteration()
    {
        // ηₜ = 1/t weighs the n buffered points equally (cᵢ = 1/n), so the first M-step is batch EM's first iteration from
        // the batch initialiser's start.
        double[,] x = OldFaithful();
        int n = x.GetLength(0);
        foreach (MixtureInit init in new[] { MixtureInit.KMeans, MixtureInit.First, MixtureInit.RandomResponsibilities })
        {
            var mixture = new GaussianMixtureOptions { Components = 2, Init = init, Seed = 5 };
            var online = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions { Mixture = mixture, StepExponent = 1, InitializationSize = n });
            online.UpdateAll(x, 100);
            GaussianMixtureModel streamed = online.Snapshot();
            GaussianMixtureModel batch = new GaussianMixture(mixture with { MaxIterations = 1 }).Fit(x).Model;
            for (int c = 0; c < 2; c++)
            {
                streamed.Weights[c].Should().BeApproximately(batch.Weights[c], 1e-12, $"{init}");
                streamed.Means[c, 0].Should().BeApproximately(batch.Means[c, 0], 1e-11);
                streamed.Means[c, 1].Should().BeApproximately(batch.Means[c, 1], 1e-10);
            }

            streamed.CovarianceParameters.Zip(batch.CovarianceParameters).Should().OnlyContain(p => Math.Abs(p.First - p.Second) <= 1e-9 * (1 + Math.Abs(p.Second)));
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Statistics_follow_the_naive_stochastic_approximation_of_the_raw_moments(CovarianceType type)
    {
        // While the parameters are frozen (before InitializationSize points), s = (1 − η)s + η s̄(x; θ₀) can be followed
        // with raw moments E[γ], E[γx], E[γxxᵀ] computed naively, point by point.
        GaussianMixtureModel start = GaussianMixtureModel.Create(type, [0.4, 0.6], new double[,] { { 1, 1 }, { 8, 2 } },
            type == CovarianceType.Full ? [4, 1, 1, 3, 2, -0.5, -0.5, 5] : [4, 3, 2, 5]);
        double[,] x = ThreeBlobs().Sample(300, new Random(4));
        const double t0 = 3, alpha = 0.7;
        var online = new StreamingGaussianMixture(new StreamingGaussianMixtureOptions
        {
            Mixture = new GaussianMixtureOptions { Components = 2, Covariance = type, InitialModel = start },
            StepExponent = alpha,
            StepOffset = t0,
            InitializationSize = 1000,
        });
        var w = new double[2];
        var m1 = new double[2, 2];
        var m2 = new double[2, 2, 2];
        for (int c = 0; c < 2; c++)
        {
            double[,] cov = start.GetCovariance(c);
            w[c] = start.Weights[c];
            for (int a = 0; a < 2; a++)
            {
                m1[c, a] = w[c] * start.Means[c, a];
                for (int b = 0; b < 2; b++)
                {
                    m2[c, a, b] = w[c] * (cov[a, b] + start.Means[c, a] * start.Means[c, b]);
                }
            }
        }

        int t = 0;
        foreach (int rows in new[] { 1, 7, 100, 1, 191 })
        {
            var batch = new double[rows, 2];
            for (int i = 0; i < rows; i++)
            {
                batch[i, 0] = x[t + i, 0];
                batch[i, 1] = x[t + i, 1];
            }

            if (rows == 1)
            {
                online.Update(Row(batch, 0));
            }
            else
            {
                online.Update(batch);
            }

            for (int i = 0; i < rows; i++, t++)
            {
                double eta = Math.Pow(t + 1 + t0, -alpha);
                double[] joint = NaiveLogJoint(start, Row(x, t));
                double max = joint.Max();
                double[] gamma = joint.Select(v => Math.Exp(v - max)).ToArray();
                double sum = gamma.Sum();
                for (int c = 0; c < 2; c++)
                {
                    double g = gamma[c] / sum;
                    w[c] = (1 - eta) * w[c] + eta * g;
                    for (int a = 0; a < 2; a++)
                    {
                        m1[c, a] = (1 - eta) * m1[c, a] + eta * g * x[t, a];
                        for (int b = 0; b < 2; b++)
                        {
                            m2[c, a, b] = (1 - eta) * m2[c, a, b] + eta * g * x[t, a] * x[t, b];
                        }
                    }
                }
            }

            online.Count.Should().Be(t);
            online.NextStepSize.Should().BeApproximately(Math.Pow(t + 1 + t0, -alpha), 1e-15);
            MixtureStatistics s = online.Statistics!;
            double[] shift = online.Parameters!.Shift;
            for (int c = 0; c < 2; c++)
            {
                s.Weight[c].Should().BeApproximately(w[c], 1e-12, $"weight {c} after {t} points");
                var mean = new double[2];
                for (int a = 0; a < 2; a++)
                {
                    mean[a] = m1[c, a] / w[c];
                    (s.Mean[c * 2 + a] + shift[a]).Should().BeApproximately(mean[a], 1e-9, $"mean {c} after {t} points");
                }

                for (int a = 0; a < 2; a++)
                {
                    for (int b = 0; b < 2; b++)
                    {
                        if (type == CovarianceType.Diagonal && a != b)
                        {
                            continue;
                        }

                        double covariance = m2[c, a, b] / w[c] - mean[a] * mean[b];
                        double stored = (type == CovarianceType.Full ? s.Scatter[c * 4 + a * 2 + b] : s.Scatter[c * 2 + a]) / s.Weight[c];
                        stored.Should().BeApproximately(covariance, 1e-8 * (1 + Math.Abs(covariance)), $"covariance {c} ({a}, {b}) after {t} points");
                    }
                }
            }

            // No M-step yet: the snapshot is the start.
            online.Snapshot().Means.Should().BeEquivalentTo(start.Means);
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Diagonal)]
    public void Results_are_bit_identical_for_any_degree_of_parallelism_and_the_same_seed(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(9000, new Random(23));
        GaussianMixtureModel Run(int dop, int seed, MixtureInit init = MixtureInit.KMeans)
        {
            StreamingGaussianMixtureOptions o = Options(3, type, seed, dop);
            var online = new StreamingGaussianMixture(o with { Mixture = o.Mixture with { Init = init }, InitializationSize = 2500 });
            online.UpdateAll(x, 3000);
            return online.Snapshot();
        }

        GaussianMixtureModel one = Run(1, 7), two = Run(2, 7), again = Run(2, 7);
        two.Weights.Should().Equal(one.Weights);
        two.Means.Should().BeEquivalentTo(one.Means, o => o.WithStrictOrdering());
        two.CovarianceParameters.Should().Equal(one.CovarianceParameters);
        again.CovarianceParameters.Should().Equal(two.CovarianceParameters);
        Run(2, 8, MixtureInit.RandomResponsibilities).Weights.Should().NotEqual(Run(1, 7, MixtureInit.RandomResponsibilities).Weights);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Warm_streaming_allocates_nothing_per_point_and_nothing_per_repeated_mini_batch(CovarianceType type)
    {
        double[,] x = ThreeBlobs().Sample(2000, new Random(8));
        var online = new StreamingGaussianMixture(Options(3, type, seed: 1, dop: 1));
        online.UpdateAll(x, 100); // initialisation, JIT and the workspace sized for these batches
        var point = new double[2];
        var batch = new double[100, 2];
        for (int i = 0; i < 100; i++)
        {
            batch[i, 0] = x[i, 0];
            batch[i, 1] = x[i, 1];
        }

        online.Update(x.AsSpan()[..2]);
        online.Update(batch);
        long perPoint = AllocationProbe.Minimum(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                point[0] = x[i, 0];
                point[1] = x[i, 1];
                online.Update(point);
            }
        });
        long perBatch = AllocationProbe.Minimum(() =>
        {
            for (int i = 0; i < 2; i++)
            {
                online.Update(batch);
            }
        });
        perPoint.Should().Be(0, "a point reuses the kept workspace: no engine, no batch array, no rule per point");
        perBatch.Should().Be(0, "a mini-batch of one block reuses the same workspace");
        online.Count.Should().BeInRange(2000 + 1 + 100 + 200 + 200, 2000 + 1 + 100 + 5 * 200 + 5 * 200);
    }

    [Fact]
    public void A_point_is_a_one_row_mini_batch()
    {
        double[,] x = ThreeBlobs().Sample(400, new Random(2));
        var byPoint = new StreamingGaussianMixture(Options(3));
        var byRow = new StreamingGaussianMixture(Options(3));
        byPoint.UpdateAll(x, 1);
        for (int i = 0; i < 400; i++)
        {
            byRow.Update(new[,] { { x[i, 0], x[i, 1] } });
        }

        byRow.Snapshot().CovarianceParameters.Should().Equal(byPoint.Snapshot().CovarianceParameters);
        byRow.Snapshot().Weights.Should().Equal(byPoint.Snapshot().Weights);
    }

    [Fact]
    public void Before_initialisation_points_are_buffered_and_snapshot_fails()
    {
        var online = new StreamingGaussianMixture(Options(2) with { InitializationSize = 10 });
        online.IsInitialized.Should().BeFalse();
        online.InitializationSize.Should().Be(10);
        new StreamingGaussianMixture(Options(4)).InitializationSize.Should().Be(80);
        double[,] x = ThreeBlobs().Sample(10, new Random(1));
        for (int i = 0; i < 9; i++)
        {
            online.Update(Row(x, i));
        }

        online.Count.Should().Be(9);
        FluentActions.Invoking(() => online.Snapshot()).Should().Throw<InvalidOperationException>().WithMessage("*9 points*10*");
        online.Update(Row(x, 9));
        online.IsInitialized.Should().BeTrue();
        online.Count.Should().Be(10);
        online.Snapshot().Components.Should().Be(2);
    }

    [Fact]
    public void Bad_input_and_options_are_rejected_with_the_parameter_named()
    {
        StreamingGaussianMixture Make(StreamingGaussianMixtureOptions o) => new(o);
        FluentActions.Invoking(() => Make(Options(2) with { StepExponent = 0.5 })).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("options").WithMessage("*StepExponent*");
        FluentActions.Invoking(() => Make(Options(2) with { StepExponent = 1.01 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*StepExponent*");
        FluentActions.Invoking(() => Make(Options(2) with { StepOffset = -1 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*StepOffset*");
        FluentActions.Invoking(() => Make(Options(3) with { InitializationSize = 2 })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*InitializationSize*");
        FluentActions.Invoking(() => Make(Options(0))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Components*");
        FluentActions.Invoking(() => Make(Options(2) with { Mixture = new GaussianMixtureOptions { Components = 2, Regularization = double.NaN } })).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Regularization*");
        FluentActions.Invoking(() => Make(Options(2) with { Mixture = new GaussianMixtureOptions { Components = 2, Prior = GaussianMixturePrior.Default } })).Should().Throw<ArgumentException>().WithMessage("*Prior*");
        FluentActions.Invoking(() => Make(Options(3) with { Mixture = new GaussianMixtureOptions { Components = 3, InitialModel = ThreeBlobs(), Covariance = CovarianceType.Diagonal } }))
            .Should().Throw<ArgumentException>().WithMessage("*initial model*");
        FluentActions.Invoking(() => Make(null!)).Should().Throw<ArgumentNullException>();

        var online = new StreamingGaussianMixture(Options(3) with { Mixture = new GaussianMixtureOptions { Components = 3, InitialModel = ThreeBlobs() } });
        FluentActions.Invoking(() => online.Update(new double[] { 1, 2, 3 })).Should().Throw<ArgumentException>().WithParameterName("point").WithMessage("*3 values*dimension 2*");
        FluentActions.Invoking(() => online.Update(new double[4, 3])).Should().Throw<ArgumentException>().WithParameterName("batch").WithMessage("*3 columns*");
        var bad = new double[5, 2];
        bad[3, 1] = double.PositiveInfinity;
        FluentActions.Invoking(() => online.Update(bad)).Should().Throw<ArgumentException>().WithParameterName("batch").WithMessage("*row 3*");
        FluentActions.Invoking(() => online.Update(new[] { double.NaN, 0 })).Should().Throw<ArgumentException>().WithParameterName("point");
        online.Count.Should().Be(0, "rejected input is not consumed");
        online.Update(new double[0, 2]);
        online.Count.Should().Be(0);
    }
}
