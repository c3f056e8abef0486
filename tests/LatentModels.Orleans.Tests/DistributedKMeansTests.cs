using LatentModels.Clustering;
using LatentModels.Statistics;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>Distributed Lloyd on three silos against one machine: the same bits on aligned shards, rounding otherwise.</summary>
[Collection(SharedClusterCollection.Name)]
public class DistributedKMeansTests(ThreeSiloCluster cluster)
{
    private const int N = 12 * KMeansStatistics.ChunkSize;

    private static KMeansModel Start() => new(new double[,] { { 99, 1, 0 }, { 104, 1, 0 }, { 102, 5, 0 } });

    /// <summary>One machine, one partition: the same statistics and update, in-process, on all rows.</summary>
    private static (KMeansModel Model, List<double> Trace) Local(double[,] x, KMeansModel start, int iterations)
    {
        KMeansModel model = start;
        var trace = new List<double>();
        for (int t = 0; t < iterations; t++)
        {
            KMeansStatistics s = KMeansStatistics.Compute(model, x);
            trace.Add(s.Inertia);
            KMeansModel next = s.ToModel();
            bool fixedPoint = Bits(next.Centers).SequenceEqual(Bits(model.Centers));
            model = next;
            if (fixedPoint)
            {
                break;
            }
        }

        return (model, trace);
    }

    [Fact]
    public async Task Shards_of_one_chunk_give_the_bits_of_one_machine_and_KMeans_to_rounding()
    {
        double[,] x = Blobs(N, 1);
        var fit = new DistributedFit(cluster.Client, Shards(x, EvenCuts(N, KMeansStatistics.ChunkSize)));
        DistributedFitResult<KMeansModel> result = await fit.FitKMeansAsync(Start(), maxIterations: 8, tolerance: 0);

        (KMeansModel local, List<double> trace) = Local(x, Start(), 8);
        Bits(result.Model.Centers).Should().Equal(Bits(local.Centers), "shards of one chunk each merge to the single pass's bits");
        Bits(result.Trace).Should().Equal(Bits(trace));
        result.Model.Inertia.Should().Be(KMeansStatistics.Compute(local, x).Inertia);
        result.Retries.Should().Be(0);
        result.Reloads.Should().Be(0);
        result.Silos.Should().HaveCountGreaterThan(1, "twelve randomly placed shards land on more than one of three silos");
        result.ShardSilos.Should().HaveCount(12).And.OnlyContain(s => result.Silos.Contains(s));
        result.Rounds.Should().Be(result.Iterations + 1, "one assignment step per iteration and a last one for the inertia");
        result.StatisticsBytes.Should().BeGreaterThan(12L * result.Rounds * 3 * 3 * 8, "every shard sends K × d means and more each round");
        result.ShardWaitTime.Should().BePositive();
        result.DriverTime.Should().BePositive();

        // The core estimator (its in-memory engine, a client of the same statistics) from the same start: the same bits.
        ClusteringFitResult<KMeansModel> kmeans = new KMeans(new KMeansOptions { Clusters = 3, Init = KMeansInit.Explicit, InitialCenters = Start().Centers, MaxIterations = 8, Tolerance = 0 })
            .Fit(x);
        SameBits(result, kmeans);
    }

    private static void SameBits(DistributedFitResult<KMeansModel> distributed, FitResult<KMeansModel> local)
    {
        distributed.Iterations.Should().Be(local.Report.Iterations);
        distributed.Converged.Should().Be(local.Report.Converged);
        Bits(distributed.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(distributed.Model.Centers).Should().Equal(Bits(local.Model.Centers));
        BitConverter.DoubleToInt64Bits(distributed.Model.Inertia).Should().Be(BitConverter.DoubleToInt64Bits(local.Model.Inertia));
    }

    [Fact]
    public async Task Superblock_aligned_shards_are_KMeans_bit_for_bit_with_weights_and_an_empty_cluster_and_other_cuts_agree_to_1e_12()
    {
        // Three shards over 150,000 rows cut at the superblock boundaries (65,536 and 131,072): each shard's statistics
        // come in parts cut at the same boundaries, so the driver's merge is the single pass's fold. A fourth center far
        // from every row wins nothing and is re-seeded at the farthest row (a round of KMeansFarRows).
        const int n = 150_000;
        double[,] x = Blobs(n, 7);
        var random = new Random(3);
        double[] w = Enumerable.Range(0, n).Select(_ => random.Next(5) == 0 ? 0.0 : 0.5 + random.NextDouble()).ToArray();
        var start = new KMeansModel(new double[,] { { 99, 1, 0 }, { 104, 1, 0 }, { 102, 5, 0 }, { 1e4, 1e4, 1e4 } });
        var options = new KMeansOptions { Clusters = 4, Init = KMeansInit.Explicit, InitialCenters = start.Centers, MaxIterations = 30, Tolerance = 1e-6 };
        ClusteringFitResult<KMeansModel> local = new KMeans(options).Fit(x, w);
        local.Report.Iterations.Should().BeGreaterThan(2);

        int[] aligned = [0, KMeansStatistics.SuperblockRows, 2 * KMeansStatistics.SuperblockRows, n];
        ShardSource[] shards = Enumerable.Range(0, 3).Select(s => (ShardSource)new RowsShardSource(Slice(x, aligned[s], aligned[s + 1]), w[aligned[s]..aligned[s + 1]])).ToArray();
        DistributedFitResult<KMeansModel> result = await new DistributedFit(cluster.Client, shards).FitKMeansAsync(start, options.MaxIterations, options.Tolerance);
        SameBits(result, local);
        result.Model[3, 0].Should().BeLessThan(200, "the empty cluster was re-seeded at a row");
        result.Rounds.Should().BeGreaterThan(result.Iterations + 1, "the re-seeding took a round of far rows");

        int[] uneven = UnevenCuts(n, 5);
        ShardSource[] other = Enumerable.Range(0, 5).Select(s => (ShardSource)new RowsShardSource(Slice(x, uneven[s], uneven[s + 1]), w[uneven[s]..uneven[s + 1]])).ToArray();
        DistributedFitResult<KMeansModel> unaligned = await new DistributedFit(cluster.Client, other).FitKMeansAsync(start, options.MaxIterations, options.Tolerance);
        unaligned.Iterations.Should().Be(local.Report.Iterations);
        MaxAbsDiff(Flat(unaligned.Model.Centers), Flat(local.Model.Centers)).Should().BeLessThan(1e-12 * 200, "centers of size ~100, 1e-12 relative");
        unaligned.Model.Inertia.Should().BeApproximately(local.Model.Inertia, 1e-12 * local.Model.Inertia);
    }

    [Fact]
    public async Task Uneven_shards_agree_with_one_machine_to_rounding_and_the_tolerance_stops_the_fit()
    {
        double[,] x = Blobs(N, 2);
        var fit = new DistributedFit(cluster.Client, Shards(x, UnevenCuts(N, 7)));
        DistributedFitResult<KMeansModel> result = await fit.FitKMeansAsync(Start(), maxIterations: 100, tolerance: 1e-4);
        KMeansModel kmeans = new KMeans(new KMeansOptions { Clusters = 3, Init = KMeansInit.Explicit, InitialCenters = Start().Centers, MaxIterations = 100, Tolerance = 1e-4 })
            .Fit(x).Model;
        result.Converged.Should().BeTrue();
        result.Iterations.Should().BeLessThan(100);
        MaxAbsDiff(Flat(result.Model.Centers), Flat(kmeans.Centers)).Should().BeLessThan(1e-9);
        for (int i = 1; i < result.Trace.Count; i++)
        {
            result.Trace[i].Should().BeLessThanOrEqualTo(result.Trace[i - 1] * (1 + 1e-12), "a Lloyd step never raises the inertia");
        }
    }

    [Fact]
    public async Task Errors_of_the_data_are_not_retried_and_faults_are_retried_a_bounded_number_of_times()
    {
        double[,] x = Blobs(600, 5);
        var wrongWidth = new ShardSource[] { new RowsShardSource(Slice(x, 0, 300)), new RowsShardSource(new double[300, 2]) };
        await FluentActions.Awaiting(() => new DistributedFit(cluster.Client, wrongWidth).FitKMeansAsync(Start(), 3))
            .Should().ThrowAsync<ArgumentException>("a shard whose rows do not match the model fails the same way on every silo");

        var impatient = new DistributedFitOptions { ShardTimeout = TimeSpan.FromTicks(1), MaxRetriesPerShard = 2, RetryDelay = TimeSpan.Zero };
        (await FluentActions.Awaiting(() => new DistributedFit(cluster.Client, Shards(x, 0, 300, 600), impatient).FitKMeansAsync(Start(), 3))
            .Should().ThrowAsync<DistributedFitException>()).Which.Message.Should().Contain("failed 3 times").And.Contain("the limit is 2 retries");

        FluentActions.Invoking(() => new DistributedFit(cluster.Client, [])).Should().Throw<ArgumentException>().WithParameterName("shards");
        FluentActions.Invoking(() => new DistributedFit(cluster.Client, Shards(x, 0, 600), new DistributedFitOptions { MaxRetriesPerShard = -1 }))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Csv_shards_give_the_bits_of_pushed_rows()
    {
        double[,] x = Blobs(3000, 3);
        string path = Path.Combine(Path.GetTempPath(), $"latent-orleans-{Guid.NewGuid():N}.csv");
        try
        {
            using (var writer = new StreamWriter(path))
            {
                writer.WriteLine("a,b,c");
                for (int i = 0; i < x.GetLength(0); i++)
                {
                    writer.WriteLine(string.Join(',', Enumerable.Range(0, 3).Select(j => x[i, j].ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
                }
            }

            IReadOnlyList<CsvShardSource> csv = CsvShardSource.Partition(path, 1024);
            csv.Should().HaveCount(3);
            csv[2].RowCount.Should().Be(3000 - 2048);
            DistributedFitResult<KMeansModel> fromFile = await new DistributedFit(cluster.Client, csv).FitKMeansAsync(Start(), maxIterations: 5, tolerance: 0);
            DistributedFitResult<KMeansModel> pushed = await new DistributedFit(cluster.Client, Shards(x, 0, 1024, 2048, 3000)).FitKMeansAsync(Start(), maxIterations: 5, tolerance: 0);
            Bits(fromFile.Model.Centers).Should().Equal(Bits(pushed.Model.Centers));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
