using LatentModels.SparseCoding;
using LatentModels.Statistics;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>Distributed dictionary learning against the same statistics and update on one machine.</summary>
[Collection(SharedClusterCollection.Name)]
public class DistributedDictionaryTests(ThreeSiloCluster cluster)
{
    [Fact]
    public async Task Dictionary_learning_on_chunk_shards_gives_the_bits_of_one_machine_and_uneven_shards_agree_to_rounding()
    {
        const int chunk = DictionaryStatistics.ChunkSize, n = 8 * chunk, d = 6;
        var random = new Random(9);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[i, j] = (j == i % d ? 2.0 : 0.0) + (j == (i + 1) % d ? -1.0 : 0.0) + 0.1 * Normal(random);
            }
        }

        var atoms = new double[4, d];
        for (int a = 0; a < 4; a++)
        {
            for (int j = 0; j < d; j++)
            {
                atoms[a, j] = x[a, j] / Math.Sqrt(Enumerable.Range(0, d).Sum(p => x[a, p] * x[a, p]));
            }
        }

        var start = new DictionaryModel(atoms, alpha: 0.1);
        DistributedFitResult<DictionaryModel> aligned = await new DistributedFit(cluster.Client, Shards(x, EvenCuts(n, chunk)))
            .FitDictionaryAsync(start, maxIterations: 5, tolerance: 0);

        DictionaryModel local = start;
        var trace = new List<double>();
        for (int t = 0; t < 5; t++)
        {
            DictionaryStatistics s = local.ComputeStatistics(x);
            local = s.ToModel(local);
            trace.Add(s.Cost(local));
        }

        Bits(aligned.Model.Dictionary).Should().Equal(Bits(local.Dictionary));
        Bits(aligned.Trace).Should().Equal(Bits(trace));
        for (int t = 1; t < trace.Count; t++)
        {
            trace[t].Should().BeLessThanOrEqualTo(trace[t - 1] * (1 + 1e-9), "the surrogate cost does not rise");
        }

        DistributedFitResult<DictionaryModel> uneven = await new DistributedFit(cluster.Client, Shards(x, UnevenCuts(n, 6)))
            .FitDictionaryAsync(start, maxIterations: 5, tolerance: 0);
        MaxAbsDiff(Flat(uneven.Model.Dictionary), Flat(local.Dictionary)).Should().BeLessThan(1e-9);
    }
}
