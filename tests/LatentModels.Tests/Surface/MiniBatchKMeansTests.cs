using System.Text.Json.Nodes;
using LatentModels.Clustering;
using LatentModels.Persistence;
using LatentModels.Tests.Clustering;
using static LatentModels.Tests.Persistence.PersistenceAssert;

namespace LatentModels.Tests.Surface;

/// <summary>Weighted partial fits of <see cref="OnlineKMeans"/> and mini-batch K-Means over epochs with early stopping.</summary>
public class MiniBatchKMeansTests
{
    private static double[,] Rows(double[,] x, int start, int count)
    {
        var result = new double[count, x.GetLength(1)];
        x.AsSpan().Slice(start * x.GetLength(1), result.Length).CopyTo(result.AsWritableSpan());
        return result;
    }

    private static OnlineKMeansOptions Online(double reassignment = 0) => new()
    {
        Clusters = 4,
        Init = KMeansInit.Explicit,
        InitialCenters = new double[,] { { 0, 0, 0 }, { 5, 5, 5 }, { -5, 0, 5 }, { 10, -10, 0 } },
        ReassignmentRatio = reassignment,
        Seed = 3,
    };

    [Fact]
    public void Integer_weights_equal_repeated_rows_and_unit_weights_change_nothing()
    {
        (double[,] x, _, _) = ClusteringTestData.Blobs(600, 3, 4, 2.0, seed: 1);
        var random = new Random(4);
        int[] counts = [.. Enumerable.Range(0, 600).Select(_ => random.Next(4))]; // 0 … 3 copies
        var weighted = new OnlineKMeans(Online());
        var repeated = new OnlineKMeans(Online());
        var unit = new OnlineKMeans(Online());
        var plain = new OnlineKMeans(Online());
        for (int start = 0; start < 600; start += 100)
        {
            double[,] batch = Rows(x, start, 100);
            weighted.Update(batch, [.. counts.Skip(start).Take(100).Select(c => (double)c)]);
            var copies = new List<int>();
            for (int i = 0; i < 100; i++)
            {
                copies.AddRange(Enumerable.Repeat(start + i, counts[start + i]));
            }

            var expanded = new double[copies.Count, 3];
            for (int r = 0; r < copies.Count; r++)
            {
                for (int j = 0; j < 3; j++)
                {
                    expanded[r, j] = x[copies[r], j];
                }
            }

            repeated.Update(expanded);
            unit.Update(batch, [.. Enumerable.Repeat(1.0, 100)]);
            plain.Update(batch);
        }

        double[,] a = weighted.Snapshot().Centers, b = repeated.Snapshot().Centers;
        for (int c = 0; c < 4; c++)
        {
            for (int j = 0; j < 3; j++)
            {
                a[c, j].Should().BeApproximately(b[c, j], 1e-12 * Math.Max(1, Math.Abs(b[c, j])));
            }
        }

        weighted.ClusterWeights.Should().Equal(repeated.ClusterCounts.Select(c => (double)c));
        Bits(unit.Snapshot().Centers).Should().Equal(Bits(plain.Snapshot().Centers));
        unit.ClusterWeights.Should().Equal(plain.ClusterCounts.Select(c => (double)c));

        // A single weighted point moves its center by w / W (here the center's weight becomes w).
        var single = new OnlineKMeans(Online());
        single.Update([1.0, 1.0, 1.0], 2.5);
        single.Snapshot()[0, 0].Should().Be(1.0);
        single.ClusterWeights[0].Should().Be(2.5);
        single.Update([0.0, 0.0, 0.0], 0.5);
        single.Snapshot()[0, 0].Should().BeApproximately(1.0 - 0.5 / 3.0, 1e-15);
        single.Update([100.0, 100.0, 100.0], 0); // weight 0: nothing moves
        single.Snapshot()[1, 0].Should().Be(5);
        single.Count.Should().Be(3);
    }

    [Fact]
    public void Bad_weights_are_rejected_naming_the_row()
    {
        var online = new OnlineKMeans(Online());
        double[,] batch = new double[,] { { 1, 2, 3 }, { 4, 5, 6 } };
        FluentActions.Invoking(() => online.Update(batch, [1.0])).Should().Throw<ArgumentException>().WithParameterName("sampleWeights");
        FluentActions.Invoking(() => online.Update(batch, [1.0, -2.0])).Should().Throw<ArgumentException>().WithParameterName("sampleWeights").WithMessage("*row 1*");
        FluentActions.Invoking(() => online.Update([1.0, 2, 3], double.NaN)).Should().Throw<ArgumentException>().WithParameterName("weight");
        var custom = new OnlineKMeans(Online() with { LearningRate = n => 0.5 });
        FluentActions.Invoking(() => custom.Update(batch, [1.0, 2.0])).Should().Throw<ArgumentException>().WithMessage("*LearningRate*");
        online.Count.Should().Be(0, "a rejected call changes nothing");
    }

    [Theory]
    [InlineData(KMeansInit.First, 0)]
    [InlineData(KMeansInit.First, 7)]
    [InlineData(KMeansInit.KMeansPlusPlus, 20)]
    [InlineData(KMeansInit.KMeansPlusPlus, 500)]
    public void Weighted_state_round_trips_mid_stream(KMeansInit init, int savedAfter)
    {
        (double[,] x, _, _) = ClusteringTestData.Blobs(900, 3, 4, 2.0, seed: 2);
        var random = new Random(8);
        double[] weights = [.. Enumerable.Range(0, 900).Select(_ => random.NextDouble() * 2)];
        var options = new OnlineKMeansOptions { Clusters = 4, Init = init, InitializationSize = init == KMeansInit.KMeansPlusPlus ? 30 : null, ReassignmentRatio = 0.5, Seed = 5 };
        void Feed(OnlineKMeans e, int start, int end)
        {
            for (int i = start; i < end;)
            {
                int m = Math.Min(i % 3 == 0 ? 1 : 13, end - i);
                if (m == 1)
                {
                    e.Update(x.Row(i), weights[i]);
                }
                else
                {
                    e.Update(Rows(x, i, m), weights[i..(i + m)]);
                }

                i += m;
            }
        }

        var uninterrupted = new OnlineKMeans(options);
        Feed(uninterrupted, 0, savedAfter);
        OnlineKMeans loaded = RoundTrip(uninterrupted, "LatentModels.OnlineKMeans");
        Feed(uninterrupted, savedAfter, 900);
        Feed(loaded, savedAfter, 900);
        ModelJson.Serialize(loaded).Should().Be(ModelJson.Serialize(uninterrupted));
        Bits(loaded.Snapshot().Centers).Should().Equal(Bits(uninterrupted.Snapshot().Centers));
        loaded.ClusterWeights.Should().Equal(uninterrupted.ClusterWeights);
    }

    [Fact]
    public void A_version_1_state_without_weights_loads_with_unit_weights()
    {
        (double[,] x, _, _) = ClusteringTestData.Blobs(300, 3, 4, 2.0, seed: 3);
        var estimator = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 4, Seed = 1 });
        estimator.Update(Rows(x, 0, 200));
        ModelJson.FormatVersion(estimator).Should().Be(2);
        string old = Tamper(estimator, root =>
        {
            root.Remove("clusterWeights");
            root.Remove("bufferedWeights");
            root["version"] = 1;
        });
        var loaded = ModelJson.Deserialize<OnlineKMeans>(old);
        loaded.ClusterWeights.Should().Equal(estimator.ClusterCounts.Select(c => (double)c));
        estimator.Update(Rows(x, 200, 100));
        loaded.Update(Rows(x, 200, 100));
        Bits(loaded.Snapshot().Centers).Should().Equal(Bits(estimator.Snapshot().Centers));

        // Buffering (before initialisation) in version 1: the buffered points count with weight 1.
        var buffering = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 4, Init = KMeansInit.KMeansPlusPlus, Seed = 1 });
        buffering.Update(Rows(x, 0, 5));
        string oldBuffering = Tamper(buffering, root =>
        {
            root.Remove("clusterWeights");
            root.Remove("bufferedWeights");
            root["version"] = 1;
        });
        var loadedBuffering = ModelJson.Deserialize<OnlineKMeans>(oldBuffering);
        buffering.Update(Rows(x, 5, 100));
        loadedBuffering.Update(Rows(x, 5, 100));
        Bits(loadedBuffering.Snapshot().Centers).Should().Equal(Bits(buffering.Snapshot().Centers));
        JsonNode.Parse(ModelJson.Serialize(loadedBuffering))!["clusterWeights"]!.AsArray().Should().HaveCount(4);
    }

    private static MiniBatchKMeansOptions Options() => new() { Clusters = 5, BatchSize = 100, Seed = 7 };

    [Fact]
    public void One_full_batch_from_zero_weights_is_one_lloyd_step()
    {
        // Centers start with zero weight, so a single mini-batch holding every row moves each center to the (weighted)
        // mean of the rows it won: exactly one Lloyd iteration from the same centers.
        (double[,] x, double[,] truth, _) = ClusteringTestData.Blobs(400, 3, 5, 1.0, seed: 6);
        var random = new Random(1);
        double[] w = [.. Enumerable.Range(0, 400).Select(_ => 0.5 + random.NextDouble())];
        var options = new MiniBatchKMeansOptions { Clusters = 5, BatchSize = 400, MaxEpochs = 1, Init = KMeansInit.Explicit, InitialCenters = truth, ReassignmentRatio = 0 };
        ClusteringFitResult<KMeansModel> mini = new MiniBatchKMeans(options).Fit(x, w);
        ClusteringFitResult<KMeansModel> lloyd = new KMeans(new KMeansOptions { Clusters = 5, Init = KMeansInit.Explicit, InitialCenters = truth, MaxIterations = 1, Algorithm = KMeansAlgorithm.Lloyd })
            .Fit(x, w);
        double[,] a = mini.Model.Centers, b = lloyd.Model.Centers;
        for (int c = 0; c < 5; c++)
        {
            for (int j = 0; j < 3; j++)
            {
                a[c, j].Should().BeApproximately(b[c, j], 1e-12 * Math.Max(1, Math.Abs(b[c, j])));
            }
        }

        mini.Report.Iterations.Should().Be(1);
        mini.Labels.Should().Equal(lloyd.Labels);
        mini.Model.Inertia.Should().BeApproximately(lloyd.Model.Inertia, 1e-10 * lloyd.Model.Inertia);
    }

    [Fact]
    public void No_improvement_stops_exactly_where_the_smoothed_inertia_rule_says()
    {
        (double[,] x, _, _) = ClusteringTestData.Blobs(3000, 4, 5, 1.5, seed: 9);
        ClusteringFitResult<KMeansModel> fit = new MiniBatchKMeans(Options() with { MaxNoImprovement = 5 }).Fit(x);
        fit.Report.Converged.Should().BeTrue();
        int steps = fit.Report.Iterations;
        steps.Should().BeLessThan(100 * 30);
        IReadOnlyList<double> trace = fit.Report.ObjectiveTrace;
        trace.Should().HaveCount(steps);

        // Replay scikit-learn's rule on the trace (entries from the second step on are the smoothed values).
        double min = double.PositiveInfinity;
        int noImprovement = 0, stoppedAt = -1;
        for (int s = 1; s < trace.Count && stoppedAt < 0; s++)
        {
            if (trace[s] < min)
            {
                min = trace[s];
                noImprovement = 0;
            }
            else if (++noImprovement >= 5)
            {
                stoppedAt = s + 1;
            }
        }

        stoppedAt.Should().Be(steps);

        // Without early stopping every epoch runs: 100 epochs × 30 batches.
        ClusteringFitResult<KMeansModel> full = new MiniBatchKMeans(Options() with { MaxNoImprovement = null, MaxEpochs = 3 }).Fit(x);
        full.Report.Iterations.Should().Be(90);
        full.Report.Converged.Should().BeFalse();

        // The result is a good clustering; its labels and inertia are those of the final centers on all rows.
        double batchKMeans = new KMeans(new KMeansOptions { Clusters = 5, Seed = 7 }).Fit(x).Model.Inertia;
        fit.Model.Inertia.Should().BeLessThan(1.1 * batchKMeans, "mini-batch K-Means is approximate (here 5.6 % above batch K-Means)");
        fit.Labels.Should().Equal(fit.Model.Predict(x));
        fit.Model.Inertia.Should().BeApproximately(fit.Model.InertiaOf(x), 1e-9 * fit.Model.Inertia);
    }

    [Fact]
    public void Center_tolerance_stops_early_and_runs_are_reproducible()
    {
        (double[,] x, _, _) = ClusteringTestData.Blobs(3000, 4, 5, 1.5, seed: 9);
        var options = Options() with { MaxNoImprovement = null, MaxEpochs = 20 };
        ClusteringFitResult<KMeansModel> loose = new MiniBatchKMeans(options with { Tolerance = 1e-3 }).Fit(x);
        loose.Report.Converged.Should().BeTrue();
        loose.Report.Iterations.Should().BeLessThan(600);

        ClusteringFitResult<KMeansModel> one = new MiniBatchKMeans(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
        ClusteringFitResult<KMeansModel> four = new MiniBatchKMeans(options with { MaxDegreeOfParallelism = 4 }).Fit(x);
        Bits(four.Model.Centers).Should().Equal(Bits(one.Model.Centers));
        four.Report.ObjectiveTrace.Should().Equal(one.Report.ObjectiveTrace);
        ClusteringFitResult<KMeansModel> otherSeed = new MiniBatchKMeans(options with { Seed = 8 }).Fit(x);
        Bits(otherSeed.Model.Centers).Should().NotEqual(Bits(one.Model.Centers), "the seed drives the order of every epoch");

        ClusteringFitResult<KMeansModel> none = new MiniBatchKMeans(options with { MaxEpochs = 0, Init = KMeansInit.First }).Fit(x);
        none.Report.Iterations.Should().Be(0);
        none.Model.Centers.Should().BeEquivalentTo(Rows(x, 0, 5));
        FluentActions.Invoking(() => new MiniBatchKMeans(options with { BatchSize = 0 }).Fit(x)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new MiniBatchKMeans(options with { MaxNoImprovement = 0 }).Fit(x)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new MiniBatchKMeans(options with { MaxEpochs = -1 }).Fit(x)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaxEpochs*");
        FluentActions.Invoking(() => new MiniBatchKMeans(options with { Clusters = 3001 }).Fit(x)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Clusters*");
    }

    [Fact]
    public void Weighted_fit_counts_weights_as_copies()
    {
        (double[,] x, _, _) = ClusteringTestData.Blobs(1000, 2, 3, 1.0, seed: 12);
        double[] w = [.. Enumerable.Range(0, 1000).Select(i => i % 4 == 0 ? 0.0 : 1.0)];
        var options = new MiniBatchKMeansOptions { Clusters = 3, BatchSize = 50, Seed = 1, MaxEpochs = 5 };
        ClusteringFitResult<KMeansModel> fit = new MiniBatchKMeans(options).Fit(x, w);
        double expected = Enumerable.Range(0, 1000).Sum(i => w[i] * Enumerable.Range(0, 2).Sum(j => Math.Pow(x[i, j] - fit.Model[fit.Labels[i], j], 2)));
        fit.Model.Inertia.Should().BeApproximately(expected, 1e-9 * expected);
        fit.Labels.Should().Equal(fit.Model.Predict(x));
        FluentActions.Invoking(() => new MiniBatchKMeans(options).Fit(x, [1.0])).Should().Throw<ArgumentException>().WithParameterName("sampleWeights");
    }
}
