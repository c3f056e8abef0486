using LatentModels.Clustering;

namespace LatentModels.Tests.Clustering;

public class KMeansTests
{
    private static KMeansOptions Exact(int k, KMeansAlgorithm algorithm = KMeansAlgorithm.Lloyd) =>
        new() { Clusters = k, Init = KMeansInit.First, Tolerance = 0, Algorithm = algorithm };

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd)]
    [InlineData(KMeansAlgorithm.Accelerated)]
    public void Hand_computed_local_optimum_from_the_first_rows(KMeansAlgorithm algorithm)
    {
        // Centers (0,0) and (0,1) pull (10,0) and (10,1) apart: means (5,0) and (5,1), every row 5 away → J = 4·25.
        var x = new double[,] { { 0, 0 }, { 0, 1 }, { 10, 0 }, { 10, 1 } };
        var fit = new KMeans(Exact(2, algorithm)).Fit(x);
        fit.Model.Centers.Should().BeEquivalentTo(new double[,] { { 5, 0 }, { 5, 1 } });
        fit.Model.Inertia.Should().Be(100);
        fit.Report.Iterations.Should().Be(2);
        fit.Report.Converged.Should().BeTrue();
        // Trace: inertia of each step's labels against the centers they were assigned to (10² + 10², then 4·5²).
        fit.Report.ObjectiveTrace.Should().Equal(200.0, 100.0);
        fit.Model.Predict(x).Should().Equal(0, 1, 0, 1);
    }

    [Fact]
    public void Hand_computed_global_optimum_from_explicit_centers()
    {
        var x = new double[,] { { 0, 0 }, { 0, 1 }, { 10, 0 }, { 10, 1 } };
        var options = new KMeansOptions { Clusters = 2, Init = KMeansInit.Explicit, InitialCenters = new double[,] { { 1, 0 }, { 9, 0 } } };
        var fit = new KMeans(options).Fit(x);
        fit.Model.Centers.Should().BeEquivalentTo(new double[,] { { 0, 0.5 }, { 10, 0.5 } });
        fit.Model.Inertia.Should().Be(1.0);
        fit.Model.Transform(new double[,] { { 0, 0.5 } }).Should().BeEquivalentTo(new double[,] { { 0, 10 } });
        fit.Model.Score(x).Should().Be(-1.0);
    }

    // Reference: /usr/bin/python3 -c "import numpy as np; from sklearn.cluster import KMeans; x=np.loadtxt('old_faithful.txt');
    //   km=KMeans(k, init=x[:k].copy(), n_init=1, max_iter=300, tol=0, algorithm='lloyd').fit(x); print(km.inertia_, km.n_iter_)"
    // (scikit-learn 1.2.1).
    [Theory]
    [InlineData(2, 8901.768720947211, 3, KMeansAlgorithm.Lloyd)]
    [InlineData(3, 5364.969477043591, 4, KMeansAlgorithm.Lloyd)]
    [InlineData(5, 2150.911188963062, 3, KMeansAlgorithm.Lloyd)]
    [InlineData(5, 2150.911188963062, 3, KMeansAlgorithm.Accelerated)]
    public void Matches_scikit_learn_on_old_faithful(int k, double inertia, int iterations, KMeansAlgorithm algorithm)
    {
        var fit = new KMeans(Exact(k, algorithm)).Fit(ClusteringTestData.OldFaithful());
        fit.Model.Inertia.Should().BeApproximately(inertia, 1e-9 * inertia);
        fit.Report.Iterations.Should().Be(iterations);
        fit.Report.Converged.Should().BeTrue();
    }

    [Fact]
    public void Matches_scikit_learn_centers_and_relative_tolerance_on_old_faithful()
    {
        var x = ClusteringTestData.OldFaithful();
        var fit = new KMeans(Exact(2)).Fit(x);
        fit.Model[0, 0].Should().BeApproximately(4.29793023255814, 1e-12);
        fit.Model[0, 1].Should().BeApproximately(80.28488372093021, 1e-12);
        fit.Model[1, 0].Should().BeApproximately(2.0943300000000002, 1e-12);
        fit.Model[1, 1].Should().BeApproximately(54.74999999999998, 1e-12);

        // Same python line with k=3, tol=1e-2: sklearn stops on the shift test after 2 iterations, inertia 5367.402925666354.
        var loose = new KMeans(Exact(3) with { Tolerance = 1e-2 }).Fit(x);
        loose.Report.Iterations.Should().Be(2);
        loose.Report.Converged.Should().BeTrue();
        loose.Model.Inertia.Should().BeApproximately(5367.402925666354, 1e-9 * 5367.4);
    }

    [Fact]
    public void Iteration_cap_reports_not_converged_and_reassigns_before_the_final_inertia()
    {
        var (x, _, _) = ClusteringTestData.Blobs(600, 3, 6, 3.0, seed: 11);
        var fit = new KMeans(Exact(6) with { MaxIterations = 2 }).Fit(x);
        fit.Report.Iterations.Should().Be(2);
        fit.Report.Converged.Should().BeFalse();
        int[] labels = ClusteringTestData.Nearest(x, fit.Model.Centers);
        fit.Model.Inertia.Should().BeApproximately(ClusteringTestData.Inertia(x, fit.Model.Centers, labels), 1e-9 * fit.Model.Inertia);
    }

    [Fact]
    public void Lloyd_and_accelerated_agree_exactly_on_many_random_problems()
    {
        var random = new Random(5);
        for (int problem = 0; problem < 40; problem++)
        {
            int n = random.Next(20, 700), d = random.Next(1, 10), k = random.Next(1, Math.Min(14, n));
            var (x, _, _) = ClusteringTestData.Blobs(n, d, random.Next(1, 10), random.NextDouble() * 5, seed: problem);
            var options = new KMeansOptions { Clusters = k, Seed = problem, Tolerance = 0, MaxIterations = 100, Init = problem % 2 == 0 ? KMeansInit.KMeansPlusPlus : KMeansInit.RandomRows };
            var lloyd = new KMeans(options with { Algorithm = KMeansAlgorithm.Lloyd }).Fit(x);
            var fast = new KMeans(options with { Algorithm = KMeansAlgorithm.Accelerated }).Fit(x);
            fast.Model.Inertia.Should().Be(lloyd.Model.Inertia, $"problem {problem} (n={n}, d={d}, k={k})");
            fast.Report.Iterations.Should().Be(lloyd.Report.Iterations);
            fast.Report.ObjectiveTrace.Should().Equal(lloyd.Report.ObjectiveTrace);
            fast.Model.Centers.Should().BeEquivalentTo(lloyd.Model.Centers);
            fast.Model.Predict(x).Should().Equal(lloyd.Model.Predict(x));
        }
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd)]
    [InlineData(KMeansAlgorithm.Accelerated)]
    public void Inertia_never_increases(KMeansAlgorithm algorithm)
    {
        for (int seed = 0; seed < 10; seed++)
        {
            var (x, _, _) = ClusteringTestData.Blobs(800, 4, 12, 2.0, seed);
            var fit = new KMeans(new KMeansOptions { Clusters = 12, Init = KMeansInit.RandomRows, Seed = seed, Tolerance = 0, Algorithm = algorithm }).Fit(x);
            IReadOnlyList<double> trace = fit.Report.ObjectiveTrace;
            trace.Count.Should().BeGreaterThan(2);
            for (int t = 1; t < trace.Count; t++)
            {
                trace[t].Should().BeLessThanOrEqualTo(trace[t - 1] * (1 + 1e-12), $"seed {seed}, iteration {t}");
            }

            fit.Model.Inertia.Should().BeLessThanOrEqualTo(trace[^1] * (1 + 1e-12));
        }
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd)]
    [InlineData(KMeansAlgorithm.Accelerated)]
    public void Weighted_fit_equals_fit_on_rows_repeated_by_their_weights(KMeansAlgorithm algorithm)
    {
        var (x, _, _) = ClusteringTestData.Blobs(300, 3, 5, 3.0, seed: 21);
        var random = new Random(3);
        var weights = new double[300];
        var repeated = new List<int>();
        for (int i = 0; i < 300; i++)
        {
            weights[i] = random.Next(0, 4);
            for (int r = 0; r < weights[i]; r++)
            {
                repeated.Add(i);
            }
        }

        var expanded = new double[repeated.Count, 3];
        for (int r = 0; r < repeated.Count; r++)
        {
            for (int p = 0; p < 3; p++)
            {
                expanded[r, p] = x[repeated[r], p];
            }
        }

        var init = new double[,] { { x[0, 0], x[0, 1], x[0, 2] }, { x[1, 0], x[1, 1], x[1, 2] }, { x[2, 0], x[2, 1], x[2, 2] }, { 0, 0, 0 }, { 1, 1, 1 } };
        var options = new KMeansOptions { Clusters = 5, Init = KMeansInit.Explicit, InitialCenters = init, Tolerance = 1e-6, Algorithm = algorithm };
        var weighted = new KMeans(options).Fit(x, weights);
        var plain = new KMeans(options).Fit(expanded);
        weighted.Report.Iterations.Should().Be(plain.Report.Iterations);
        weighted.Model.Inertia.Should().BeApproximately(plain.Model.Inertia, 1e-10 * plain.Model.Inertia);
        double[,] a = weighted.Model.Centers, b = plain.Model.Centers;
        for (int j = 0; j < 5; j++)
        {
            for (int p = 0; p < 3; p++)
            {
                a[j, p].Should().BeApproximately(b[j, p], 1e-10);
            }
        }
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd)]
    [InlineData(KMeansAlgorithm.Accelerated)]
    public void Empty_cluster_takes_the_farthest_point(KMeansAlgorithm algorithm)
    {
        // Center 100 wins nothing. Squared distances to the old centers are 0,1,4 | 1,0,1: row 2 (x = 2) is farthest,
        // so it becomes center 2 and leaves {0, 1} with mean 0.5. The second step moves row 2's label but no center, so
        // the zero-shift test stops it (scikit-learn 1.2.1 agrees: inertia 2.5, n_iter 2, labels 0 0 2 1 1 1).
        var x = new double[,] { { 0 }, { 1 }, { 2 }, { 10 }, { 11 }, { 12 } };
        var options = new KMeansOptions { Clusters = 3, Init = KMeansInit.Explicit, InitialCenters = new double[,] { { 0 }, { 11 }, { 100 } }, Tolerance = 0, Algorithm = algorithm };
        var fit = new KMeans(options).Fit(x);
        fit.Model.Centers.Should().BeEquivalentTo(new double[,] { { 0.5 }, { 11 }, { 2 } });
        fit.Model.Inertia.Should().Be(2.5);
        fit.Report.Iterations.Should().Be(2);
        fit.Model.Predict(x).Should().Equal(0, 0, 2, 1, 1, 1);
    }

    [Fact]
    public void Duplicate_rows_and_more_clusters_than_distinct_points_give_zero_inertia()
    {
        var x = new double[,] { { 3, 4 }, { 3, 4 }, { 3, 4 }, { 3, 4 } };
        var fit = new KMeans(new KMeansOptions { Clusters = 3, Seed = 1 }).Fit(x);
        fit.Model.Inertia.Should().Be(0);
        fit.Model.Centers.Should().BeEquivalentTo(new double[,] { { 3, 4 }, { 3, 4 }, { 3, 4 } });
    }

    [Fact]
    public void One_cluster_is_the_mean_and_n_clusters_are_the_rows()
    {
        var x = new double[,] { { 1, 2 }, { 3, 6 }, { 5, 1 } };
        var one = new KMeans(new KMeansOptions { Clusters = 1 }).Fit(x);
        one.Model.Centers.Should().BeEquivalentTo(new double[,] { { 3, 3 } });
        one.Model.Inertia.Should().BeApproximately(4 + 1 + 0 + 9 + 4 + 4, 1e-12);

        var all = new KMeans(new KMeansOptions { Clusters = 3, Seed = 4 }).Fit(x);
        all.Model.Inertia.Should().Be(0);
        all.Model.Predict(x).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Constant_columns_are_kept()
    {
        var (blobs, _, _) = ClusteringTestData.Blobs(200, 2, 3, 4.0, seed: 8);
        var x = new double[200, 3];
        for (int i = 0; i < 200; i++)
        {
            x[i, 0] = blobs[i, 0];
            x[i, 1] = 7.25;
            x[i, 2] = blobs[i, 1];
        }

        var fit = new KMeans(new KMeansOptions { Clusters = 3, Seed = 2 }).Fit(x);
        for (int j = 0; j < 3; j++)
        {
            fit.Model[j, 1].Should().Be(7.25);
        }
    }

    [Fact]
    public void Same_seed_gives_bit_identical_results_for_one_and_two_threads()
    {
        var (x, _, _) = ClusteringTestData.Blobs(5000, 5, 9, 2.0, seed: 13);
        foreach (KMeansAlgorithm algorithm in new[] { KMeansAlgorithm.Lloyd, KMeansAlgorithm.Accelerated })
        {
            var options = new KMeansOptions { Clusters = 9, Seed = 77, Starts = 3, Algorithm = algorithm };
            var one = new KMeans(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
            var two = new KMeans(options with { MaxDegreeOfParallelism = 2 }).Fit(x);
            two.Model.Inertia.Should().Be(one.Model.Inertia);
            two.Model.Centers.Should().BeEquivalentTo(one.Model.Centers);
            two.Report.ObjectiveTrace.Should().Equal(one.Report.ObjectiveTrace);
        }

        var other = new KMeans(new KMeansOptions { Clusters = 9, Seed = 78, Init = KMeansInit.RandomRows }).Fit(x);
        var again = new KMeans(new KMeansOptions { Clusters = 9, Seed = 78, Init = KMeansInit.RandomRows }).Fit(x);
        again.Model.Centers.Should().BeEquivalentTo(other.Model.Centers);
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd)]
    [InlineData(KMeansAlgorithm.Accelerated)]
    public void Trace_from_cluster_statistics_matches_the_exact_inertia_far_from_the_origin(KMeansAlgorithm algorithm)
    {
        // The per-iteration inertia comes from statistics about the data mean, not from a pass over the rows. Far from
        // the origin (1e6) a raw-moment formula would lose ~12 digits; at strict convergence (labels unchanged) the last
        // trace value and the final inertia, computed row by row, are the same quantity.
        var (blobs, _, _) = ClusteringTestData.Blobs(2000, 3, 5, 4.0, seed: 8);
        var x = (double[,])blobs.Clone();
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++)
            {
                x[i, j] += 1e6;
            }
        }

        var fit = new KMeans(new KMeansOptions { Clusters = 5, Seed = 2, Tolerance = 0, MaxIterations = 300, Algorithm = algorithm }).Fit(x);
        fit.Report.Converged.Should().BeTrue();
        fit.Report.ObjectiveTrace[^1].Should().BeApproximately(fit.Model.Inertia, 1e-9 * fit.Model.Inertia);
        var centered = new KMeans(new KMeansOptions { Clusters = 5, Seed = 2, Tolerance = 0, MaxIterations = 300, Algorithm = algorithm }).Fit(blobs);
        fit.Model.Inertia.Should().BeApproximately(centered.Model.Inertia, 1e-6 * centered.Model.Inertia);
    }

    [Fact]
    public void More_starts_never_do_worse_and_recover_blobs()
    {
        var (x, centers, _) = ClusteringTestData.Blobs(3000, 2, 6, 10.0, seed: 30);
        var single = new KMeans(new KMeansOptions { Clusters = 6, Seed = 1, Init = KMeansInit.RandomRows }).Fit(x);
        var several = new KMeans(new KMeansOptions { Clusters = 6, Seed = 1, Init = KMeansInit.RandomRows, Starts = 5 }).Fit(x);
        several.Model.Inertia.Should().BeLessThanOrEqualTo(single.Model.Inertia);

        // Every true center has a fitted center within 0.2 (noise is unit-variance, ~500 points per blob).
        var fitted = several.Model.Centers;
        for (int j = 0; j < 6; j++)
        {
            double nearest = double.PositiveInfinity;
            for (int q = 0; q < 6; q++)
            {
                nearest = Math.Min(nearest, Math.Sqrt(Math.Pow(fitted[q, 0] - centers[j, 0], 2) + Math.Pow(fitted[q, 1] - centers[j, 1], 2)));
            }

            nearest.Should().BeLessThan(0.2);
        }
    }

    [Fact]
    public void Progress_and_cancellation()
    {
        var (x, _, _) = ClusteringTestData.Blobs(500, 2, 4, 3.0, seed: 1);
        var reports = new List<FitProgress>();
        var fit = new KMeans(new KMeansOptions { Clusters = 4, Seed = 3 }).Fit(x, new SyncProgress(reports.Add));
        reports.Select(r => r.Objective).Should().Equal(fit.Report.ObjectiveTrace);
        reports[^1].Iteration.Should().Be(fit.Report.Iterations);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var act = () => new KMeans(4).Fit(x, cancellationToken: cts.Token);
        act.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Bad_input_gives_argument_errors_naming_the_parameter()
    {
        var x = new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } };
        new Action(() => new KMeans(4).Fit(x)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("*exceeds the number of rows (N = 3)*").And.ParamName.Should().Be("options");
        new Action(() => new KMeans(0).Fit(x)).Should().Throw<ArgumentOutOfRangeException>().And.ParamName.Should().Be("options");
        new Action(() => new KMeans(new KMeansOptions { Clusters = 2, Tolerance = -1 }).Fit(x)).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("*Tolerance*");
        new Action(() => new KMeans(new KMeansOptions { Clusters = 2, Init = KMeansInit.Explicit, InitialCenters = new double[2, 3] }).Fit(x))
            .Should().Throw<ArgumentException>().WithMessage("*InitialCenters is 2 × 3 but must be 2 × 2*");
        new Action(() => new KMeans(new KMeansOptions { Clusters = 2, Init = KMeansInit.Explicit }).Fit(x))
            .Should().Throw<ArgumentException>().WithMessage("*InitialCenters is null*");
        new Action(() => new KMeans(new KMeansOptions { Clusters = 2, MaxIterations = -1 }).Fit(x)).Should().Throw<ArgumentOutOfRangeException>();

        var nan = new double[,] { { 1, 2 }, { 3, double.PositiveInfinity }, { 5, 6 } };
        new Action(() => new KMeans(2).Fit(nan)).Should().Throw<ArgumentException>().WithMessage("*row 1, column 1*").And.ParamName.Should().Be("data");
        new Action(() => new KMeans(1).Fit(new double[0, 2])).Should().Throw<ArgumentException>().And.ParamName.Should().Be("data");
        new Action(() => new KMeans(1).Fit(x, new double[] { 1, -1, 1 })).Should().Throw<ArgumentException>().And.ParamName.Should().Be("sampleWeights");
        new Action(() => new KMeans(1).Fit(x, new double[] { 1, 1 })).Should().Throw<ArgumentException>().And.ParamName.Should().Be("sampleWeights");

        var model = new KMeans(2).Fit(x).Model;
        new Action(() => model.Predict(new double[,] { { 1, 2, 3 } })).Should().Throw<ArgumentException>().And.ParamName.Should().Be("data");
        new Action(() => model.Predict(new double[] { 1.0 })).Should().Throw<ArgumentException>().And.ParamName.Should().Be("point");
        new Action(() => model.Transform(new double[,] { { double.NaN, 2 } })).Should().Throw<ArgumentException>().WithMessage("*row 0, column 0*");
    }

    [Fact]
    public void Fit_never_mutates_inputs_and_the_model_is_a_copy()
    {
        var x = new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 8, 8 } };
        var init = new double[,] { { 1, 1 }, { 7, 7 } };
        var xCopy = (double[,])x.Clone();
        var initCopy = (double[,])init.Clone();
        var model = new KMeans(new KMeansOptions { Clusters = 2, Init = KMeansInit.Explicit, InitialCenters = init }).Fit(x).Model;
        x.Should().BeEquivalentTo(xCopy);
        init.Should().BeEquivalentTo(initCopy);
        double[,] centers = model.Centers;
        centers[0, 0] = 1e9;
        model[0, 0].Should().NotBe(1e9);
        model.Predict(new double[] { 7.9, 8.1 }).Should().Be(model.Predict(new double[,] { { 7.9, 8.1 } })[0]);
    }

    private sealed class SyncProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
