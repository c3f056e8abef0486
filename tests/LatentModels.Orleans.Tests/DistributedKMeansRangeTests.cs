using LatentModels.Clustering;
using LatentModels.Statistics;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>
/// Distributed K-Means on data of extreme range or position (docs/reliability.md, "Range"; docs/scale-out.md): the shards'
/// load replies give the range frame of all their rows, every call computes in it, and the fit is <see cref="KMeans"/>'s on
/// one machine — the start, the iterations and the inertia bit for bit on aligned shards, to rounding on other cuts.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class DistributedKMeansRangeTests(ThreeSiloCluster cluster)
{
    private const int N = 12 * KMeansStatistics.ChunkSize;

    private static void SameInertia(double actual, double expected)
    {
        if (double.IsPositiveInfinity(expected))
        {
            actual.Should().Be(double.PositiveInfinity, "an inertia beyond the largest double saturates, as on one machine");
        }
        else
        {
            actual.Should().BeApproximately(expected, 1e-12 * expected);
        }
    }

    [Theory]
    [InlineData(1e200, 0.0, 1.0)]
    [InlineData(1e300, 0.0, 1.0)]
    [InlineData(1e-200, 0.0, 1.0)]
    [InlineData(1.0, 1e9, 1.0)]
    [InlineData(1e150, 1e159, 1.0)]
    [InlineData(1.0, 1e9, 1e300)]
    [InlineData(1e200, 0.0, 1e-300)]
    public async Task Start_and_fit_on_one_chunk_shards_are_KMeans_bit_for_bit(double scale, double shift, double weightScale)
    {
        double[,] x = Map(Blobs(N, 4), scale, shift);
        var random = new Random(5);
        double[]? w = weightScale == 1.0 ? null : [.. Enumerable.Range(0, N).Select(_ => (0.5 + random.NextDouble()) * weightScale)];
        int[] cuts = EvenCuts(N, KMeansStatistics.ChunkSize);
        ShardSource[] shards = [.. Enumerable.Range(0, cuts.Length - 1).Select(s => (ShardSource)new RowsShardSource(Slice(x, cuts[s], cuts[s + 1]), w?[cuts[s]..cuts[s + 1]]))];
        var fit = new DistributedFit(cluster.Client, shards);

        // The start: k-means++ drawn in the frame, mapped back — the in-memory fit's start (its centers after no iteration).
        var options = new KMeansOptions { Clusters = 3, Seed = 7 };
        KMeansModel start = await fit.KMeansStartAsync(3, seed: 7);
        FitResult<KMeansModel> noIteration = w is null ? new KMeans(options with { MaxIterations = 0 }).Fit(x) : new KMeans(options with { MaxIterations = 0 }).Fit(x, w);
        Bits(start.Centers).Should().Equal(Bits(noIteration.Model.Centers), "the start is drawn in the in-memory fit's frame");

        // From that start: KMeans with the start given, bit for bit (the inertia too: the returned centers' on the caller's
        // rows, summed row by row in KMeans' global blocks, the open block continued from shard to shard).
        DistributedFitResult<KMeansModel> result = await fit.FitKMeansAsync(start);
        var explicitStart = options with { Init = KMeansInit.Explicit, InitialCenters = start.Centers };
        ClusteringFitResult<KMeansModel> local = w is null ? new KMeans(explicitStart).Fit(x) : new KMeans(explicitStart).Fit(x, w);
        result.Iterations.Should().Be(local.Report.Iterations);
        result.Converged.Should().Be(local.Report.Converged);
        Bits(result.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(result.Model.Centers).Should().Equal(Bits(local.Model.Centers));
        BitConverter.DoubleToInt64Bits(result.Model.Inertia).Should().Be(BitConverter.DoubleToInt64Bits(local.Model.Inertia));
        result.Model.Predict(x).Should().Equal(local.Labels);

        // The default fit on one machine clusters the rows the same way.
        ClusteringFitResult<KMeansModel> kmeans = w is null ? new KMeans(options).Fit(x) : new KMeans(options).Fit(x, w);
        result.Model.Predict(x).Should().Equal(kmeans.Labels);
        SameInertia(result.Model.Inertia, kmeans.Model.Inertia);
    }

    [Fact]
    public async Task Uneven_shards_of_shifted_and_scaled_data_agree_with_KMeans_to_1e_12_and_give_its_labels()
    {
        // Cuts off the block boundaries: the statistics are summed in other pieces (rounding), the frame is the same.
        double[,] x = Map(Blobs(N, 9), 1e150, 1e159);
        var fit = new DistributedFit(cluster.Client, Shards(x, UnevenCuts(N, 5)));
        KMeansModel start = await fit.KMeansStartAsync(3, seed: 2);
        DistributedFitResult<KMeansModel> result = await fit.FitKMeansAsync(start);
        ClusteringFitResult<KMeansModel> local = new KMeans(new KMeansOptions { Clusters = 3, Init = KMeansInit.Explicit, InitialCenters = start.Centers }).Fit(x);
        result.Iterations.Should().Be(local.Report.Iterations);
        result.Model.Predict(x).Should().Equal(local.Labels);
        double[,] a = result.Model.Centers, b = local.Model.Centers;
        for (int j = 0; j < 3; j++)
        {
            for (int p = 0; p < 3; p++)
            {
                a[j, p].Should().BeApproximately(b[j, p], 1e-12 * Math.Abs(b[j, p]));
            }
        }

        SameInertia(result.Model.Inertia, local.Model.Inertia);

        // The inertia pass continues each global block's sum across the cuts: the returned centers' inertia on one machine
        // (KMeansModel.InertiaOf sums as KMeans does) to the bit.
        BitConverter.DoubleToInt64Bits(result.Model.Inertia).Should().Be(BitConverter.DoubleToInt64Bits(result.Model.InertiaOf(x)));
    }
}
