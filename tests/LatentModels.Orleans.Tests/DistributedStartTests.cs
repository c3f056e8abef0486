using LatentModels.Clustering;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>The starts of K-Means computed through the shards against the in-memory seedings on the concatenated rows.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class DistributedStartTests(ThreeSiloCluster cluster)
{
    private const int Block = KMeansSeeding.PotentialBlockRows;

    [Fact]
    public async Task K_means_plus_plus_through_the_shards_is_the_in_memory_start_and_the_fit_is_KMeans()
    {
        // Shards of whole 2048-row blocks (the last shorter): the candidates' potentials are the single pass's bits.
        const int n = (3 * Block) + 500;
        double[,] x = Blobs(n, 41);
        var fit = new DistributedFit(cluster.Client, Shards(x, 0, Block, 2 * Block, 3 * Block, n));
        foreach ((int k, int seed) in new[] { (1, 3), (3, 0), (5, 7) })
        {
            KMeansModel start = await fit.KMeansStartAsync(k, seed: seed);
            Bits(start.Centers).Should().Equal(Bits(KMeansSeeding.PlusPlus(x, k, new Random(seed))), $"k = {k}, seed {seed}");
        }

        // The whole default fit: KMeans (k-means++, seed 7, one start) on one machine and the distributed fit from the
        // distributed start, with the same stopping rule.
        KMeansModel local = new KMeans(new KMeansOptions { Clusters = 3, Seed = 7, Starts = 1 }).Fit(x).Model;
        DistributedFitResult<KMeansModel> distributed = await fit.FitKMeansAsync(await fit.KMeansStartAsync(3, seed: 7));
        MaxAbsDiff(Flat(distributed.Model.Centers), Flat(local.Centers)).Should().BeLessThan(1e-9);
        distributed.Model.Inertia.Should().BeApproximately(local.Inertia, 1e-9 * local.Inertia);
    }

    [Fact]
    public async Task Uneven_and_weighted_shards_draw_the_in_memory_rows_and_random_and_first_rows_are_the_in_memory_rows()
    {
        const int n = 3000;
        double[,] x = Blobs(n, 42);
        int[] cuts = UnevenCuts(n, 5);
        var uneven = new DistributedFit(cluster.Client, Shards(x, cuts));
        Bits((await uneven.KMeansStartAsync(6, seed: 11)).Centers).Should().Equal(Bits(KMeansSeeding.PlusPlus(x, 6, new Random(11))),
            "block sums cut at the shards agree to rounding, which does not move a choice here");
        Bits((await uneven.KMeansStartAsync(6, KMeansInit.RandomRows, seed: 5)).Centers).Should().Equal(Bits(KMeansSeeding.RandomRows(x, 6, new Random(5))));
        Bits((await uneven.KMeansStartAsync(4, KMeansInit.First)).Centers).Should().Equal(Bits(Slice(x, 0, 4)));

        double[] w = [.. Enumerable.Range(0, n).Select(i => i % 7 == 0 ? 0.0 : 1 + (i % 3))];
        ShardSource[] weighted = [.. Enumerable.Range(0, cuts.Length - 1).Select(s => (ShardSource)new RowsShardSource(Slice(x, cuts[s], cuts[s + 1]), w[cuts[s]..cuts[s + 1]]))];
        KMeansModel start = await new DistributedFit(cluster.Client, weighted).KMeansStartAsync(5, seed: 2);
        Bits(start.Centers).Should().Equal(Bits(KMeansSeeding.PlusPlus(x, 5, new Random(2), w)));

        await FluentActions.Awaiting(() => uneven.KMeansStartAsync(n + 1)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => uneven.KMeansStartAsync(3, KMeansInit.Explicit)).Should().ThrowAsync<ArgumentException>().WithParameterName("init");
    }
}
