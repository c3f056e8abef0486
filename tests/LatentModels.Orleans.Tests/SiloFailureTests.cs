using LatentModels.Clustering;
using LatentModels.Statistics;
using Orleans.TestingHost;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>
/// A silo killed mid-fit costs retries and reloads of its shards on the other silos, not the fit or its answer. The
/// shards here are row groups of a Parquet file (reloaded from the file); the Gaussian test reloads pushed rows.
/// </summary>
public sealed class SiloFailureTests(ThreeSiloCluster cluster) : IClassFixture<ThreeSiloCluster>, IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Kills (no graceful stop: a crash) a secondary silo that hosts shards, once, after the given iteration.</summary>
    private SyncProgress<DistributedFitProgress> KillAfter(int iteration, List<string> killed) => new(p =>
    {
        if (p.Iteration != iteration || killed.Count > 0)
        {
            return;
        }

        InProcessSiloHandle primary = cluster.Cluster.Silos[0];
        InProcessSiloHandle victim = cluster.Cluster.Silos.Skip(1).First(s => p.ShardSilos.Contains(s.SiloAddress.ToString()));
        killed.Add(victim.SiloAddress.ToString());
        cluster.Cluster.KillSiloAsync(victim).GetAwaiter().GetResult();
    });

    [Fact]
    public async Task KMeans_on_Parquet_shards_survives_a_silo_killed_after_iteration_two_with_the_same_bits()
    {
        const int N = 12 * KMeansStatistics.ChunkSize;
        double[,] x = Blobs(N, 4);
        var start = new KMeansModel(new double[,] { { 99, 1, 0 }, { 104, 1, 0 }, { 102, 5, 0 } });
        var options = new DistributedFitOptions { ShardTimeout = TimeSpan.FromSeconds(5), RetryDelay = TimeSpan.FromMilliseconds(250), MaxRetriesPerShard = 40 };
        IReadOnlyList<ParquetShardSource> shards = ParquetShardSource.PartitionByRowGroup(_files.Parquet(x, [.. Enumerable.Repeat(KMeansStatistics.ChunkSize, 12)]), ["a", "b", "c"]);
        shards.Should().HaveCount(12);
        var fit = new DistributedFit(cluster.Client, shards, options);
        var killed = new List<string>();
        DistributedFitResult<KMeansModel> result = await fit.FitKMeansAsync(start, maxIterations: 6, tolerance: 0, KillAfter(2, killed));

        killed.Should().HaveCount(1);
        (result.Retries + result.Reloads).Should().BeGreaterThan(0, "the killed silo's shards were retried");
        result.Reloads.Should().BeGreaterThan(0, "the shards reactivated elsewhere and reloaded their row groups from the file");
        result.Silos.Should().Contain(killed[0]);
        result.ShardSilos.Should().NotContain(killed[0], "every shard ends on a silo that is alive");

        // The undisturbed answer of one machine: the same bits.
        KMeansModel model = start;
        int iterations = 0;
        while (iterations < 6)
        {
            KMeansModel next = KMeansStatistics.Compute(model, x).ToModel();
            iterations++;
            bool fixedPoint = Bits(next.Centers).SequenceEqual(Bits(model.Centers));
            model = next;
            if (fixedPoint)
            {
                break;
            }
        }

        result.Iterations.Should().Be(iterations);
        iterations.Should().BeGreaterThan(2, "the silo dies mid-fit");
        Bits(result.Model.Centers).Should().Equal(Bits(model.Centers));
    }
}
