using LatentModels.Clustering;

namespace LatentModels.Tests.Clustering;

public class OnlineKMeansTests
{
    [Fact]
    public void Default_step_keeps_each_center_at_the_mean_of_the_points_it_won()
    {
        // First two points seed the centers; then 1 → c0 = (0+1)/2, 11 → c1 = (10+11)/2, 2 → c0 = (0+1+2)/3.
        var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 2 });
        foreach (double v in new[] { 0.0, 10, 1, 11, 2 })
        {
            online.Update([v]);
        }

        online.Count.Should().Be(5);
        online.Snapshot().Centers.Should().BeEquivalentTo(new double[,] { { 1 }, { 10.5 } });
        online.ClusterCounts.Should().Equal(3L, 2L);
    }

    [Fact]
    public void Mini_batch_is_assigned_against_the_centers_it_found()
    {
        // Against centers 0 and 10, both 4 and 6 go to their nearer center before either center moves.
        var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 2, ReassignmentRatio = 0 });
        online.Update(new double[,] { { 0 }, { 10 } });
        online.Update(new double[,] { { 4 }, { 6 }, { 5 } });
        // 4 → c0 (0,4 → 2), 6 → c1 (10,6 → 8), 5 → tie at distance 5 → first center: (0,4,5) → 3.
        online.Snapshot().Centers.Should().BeEquivalentTo(new double[,] { { 3 }, { 8 } });
    }

    [Fact]
    public void User_schedule_and_explicit_centers()
    {
        var online = new OnlineKMeans(new OnlineKMeansOptions
        {
            Clusters = 2,
            Init = KMeansInit.Explicit,
            InitialCenters = new double[,] { { 0, 0 }, { 10, 10 } },
            LearningRate = _ => 0.5,
            ReassignmentRatio = 0,
        });
        online.IsInitialized.Should().BeTrue();
        online.Update([2.0, 2.0]);
        online.Update([2.0, 2.0]);
        online.Update([12.0, 8.0]);
        online.Snapshot().Centers.Should().BeEquivalentTo(new double[,] { { 1.5, 1.5 }, { 11, 9 } });
    }

    [Fact]
    public void Center_that_wins_nothing_is_reseeded_at_a_batch_point()
    {
        var online = new OnlineKMeans(new OnlineKMeansOptions
        {
            Clusters = 2,
            Init = KMeansInit.Explicit,
            InitialCenters = new double[,] { { 0 }, { 1000 } },
            Seed = 3,
        });
        var batch = new double[,] { { 1 }, { 2 }, { 3 }, { 4 } };
        online.Update(batch);
        double moved = online.Snapshot()[1, 0];
        new[] { 1.0, 2, 3, 4 }.Should().Contain(moved);
        online.ClusterCounts[1].Should().Be(4, "a re-seeded center takes the smallest count among the others");
    }

    [Fact]
    public void Recovers_well_separated_blob_centers()
    {
        var (x, centers, _) = ClusteringTestData.Blobs(6000, 2, 5, 20.0, seed: 12);
        var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 5, Init = KMeansInit.KMeansPlusPlus, InitializationSize = 200, Seed = 1 });
        online.UpdateAll(x, batchSize: 100);
        double[,] fitted = online.Snapshot().Centers;
        for (int j = 0; j < 5; j++)
        {
            double nearest = double.PositiveInfinity;
            for (int q = 0; q < 5; q++)
            {
                nearest = Math.Min(nearest, Math.Sqrt(Math.Pow(fitted[q, 0] - centers[j, 0], 2) + Math.Pow(fitted[q, 1] - centers[j, 1], 2)));
            }

            nearest.Should().BeLessThan(0.15, $"true center {j}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void One_pass_is_within_two_percent_of_converged_batch_kmeans_from_the_same_centers(int seed)
    {
        // A small analogue of the 200,000 × 16, K = 32 comparison file (same generator). Both start from the same
        // k-means++ centers: from the first K rows, both methods land in different poor local optima (the gap then
        // swings by ±30 % with the seed), which says nothing about the online update itself. Re-seeding is off: explicit
        // centers start with zero counts, and scikit-learn's rule would re-seed every center that wins nothing in the
        // first mini-batch (with it on, seed 5 ends 35 % above batch).
        double[,] x = ClusteringTestData.CompareLike(20000, 16, 32, seed);
        double[,] start = KMeansSeeding.PlusPlus(x, 32, new Random(seed));
        var batch = new KMeans(new KMeansOptions { Clusters = 32, Init = KMeansInit.Explicit, InitialCenters = start, Tolerance = 0 }).Fit(x);
        var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 32, Init = KMeansInit.Explicit, InitialCenters = start, ReassignmentRatio = 0 });
        online.UpdateAll(x, batchSize: 256);
        double onlineInertia = online.Snapshot().InertiaOf(x);
        onlineInertia.Should().BeLessThan(1.02 * batch.Model.Inertia);
    }

    [Fact]
    public void Same_seed_gives_identical_centers_for_one_and_two_threads()
    {
        var (x, _, _) = ClusteringTestData.Blobs(5000, 3, 6, 3.0, seed: 5);
        double[,] Run(int dop)
        {
            var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 6, Init = KMeansInit.KMeansPlusPlus, Seed = 9, MaxDegreeOfParallelism = dop });
            online.UpdateAll(x, batchSize: 2500);
            return online.Snapshot().Centers;
        }

        Run(2).Should().BeEquivalentTo(Run(1));
    }

    [Fact]
    public void A_mini_batch_is_read_in_place_not_copied()
    {
        var (x, _, _) = ClusteringTestData.Blobs(4000, 16, 8, 3.0, seed: 6);
        double[,] copy = (double[,])x.Clone();
        var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 8, Init = KMeansInit.Explicit, InitialCenters = ClusteringTestData.Blobs(8, 16, 8, 3.0, seed: 7).Item1, ReassignmentRatio = 0, MaxDegreeOfParallelism = 1 });
        online.Update(x); // warm-up: JIT and the label buffers sized for this batch
        long before = GC.GetAllocatedBytesForCurrentThread();
        online.Update(x);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.Should().BeLessThan(4000 * 16 * 8 / 8, "the 512,000-byte batch is not copied (only per-block scratch is allocated)");
        x.Should().BeEquivalentTo(copy, o => o.WithStrictOrdering(), "the caller's batch is not modified");
        online.Count.Should().Be(8000);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        new Action(() => _ = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 0 })).Should().Throw<ArgumentOutOfRangeException>().And.ParamName.Should().Be("options");
        new Action(() => _ = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 2, ReassignmentRatio = -1 })).Should().Throw<ArgumentOutOfRangeException>();
        new Action(() => _ = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 2, Init = KMeansInit.Explicit })).Should().Throw<ArgumentException>().WithMessage("*InitialCenters is null*");

        var online = new OnlineKMeans(new OnlineKMeansOptions { Clusters = 2 });
        online.Update([1.0, 2.0]);
        new Action(() => online.Snapshot()).Should().Throw<InvalidOperationException>().WithMessage("*needs 2*");
        new Action(() => online.Update([1.0])).Should().Throw<ArgumentException>().And.ParamName.Should().Be("point");
        new Action(() => online.Update([1.0, double.NaN])).Should().Throw<ArgumentException>().WithMessage("*column 1*");
        new Action(() => online.Update(new double[,] { { 1, 2, 3 } })).Should().Throw<ArgumentException>().And.ParamName.Should().Be("batch");
    }
}
