using LatentModels.Clustering;
using LatentModels.Statistics;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>
/// <see cref="DistributedFit.FitKMeansAsync(KMeansOptions, IProgress{DistributedFitProgress}?, CancellationToken)"/>, the
/// distributed twin of <c>new KMeans(options).Fit(x[, w])</c>: every start computed in the fit's range frame, several
/// starts with one machine's draws and rule — checked against the in-memory fit it did not compute.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public class DistributedKMeansOptionsTests(ThreeSiloCluster cluster)
{
    private const int N = 12 * KMeansStatistics.ChunkSize;

    [Theory]
    [InlineData(KMeansInit.KMeansPlusPlus, 1, false, 1.0, 0.0)]
    [InlineData(KMeansInit.RandomRows, 1, false, 1.0, 0.0)]
    [InlineData(KMeansInit.First, 1, false, 1.0, 0.0)]
    [InlineData(KMeansInit.KMeansPlusPlus, 2, false, 1.0, 0.0)]
    [InlineData(KMeansInit.RandomRows, 2, true, 1.0, 0.0)]
    [InlineData(KMeansInit.KMeansPlusPlus, 2, true, 1.0, 0.0)]
    [InlineData(KMeansInit.KMeansPlusPlus, 2, false, 1.0, 1e9)]
    [InlineData(KMeansInit.KMeansPlusPlus, 1, true, 1e200, 0.0)]
    [InlineData(KMeansInit.RandomRows, 2, false, 1e200, 0.0)]
    [InlineData(KMeansInit.Explicit, 1, false, 1.0, 1e9)]
    public async Task On_one_chunk_shards_the_fit_is_KMeans_with_the_same_options_bit_for_bit(KMeansInit init, int starts, bool weighted, double scale, double shift)
    {
        double[,] x = Map(Blobs(N, 13), scale, shift);
        var random = new Random(3);
        double[]? w = weighted ? [.. Enumerable.Range(0, N).Select(i => i % 11 == 0 ? 0.0 : 0.5 + random.NextDouble())] : null;
        int[] cuts = EvenCuts(N, KMeansStatistics.ChunkSize);
        ShardSource[] shards = [.. Enumerable.Range(0, cuts.Length - 1).Select(s => (ShardSource)new RowsShardSource(Slice(x, cuts[s], cuts[s + 1]), w?[cuts[s]..cuts[s + 1]]))];
        var options = new KMeansOptions
        {
            Clusters = 3,
            Init = init,
            Starts = starts,
            Seed = 21,
            InitialCenters = init == KMeansInit.Explicit ? Slice(x, 100, 103) : null,
        };

        var progress = new List<DistributedFitProgress>();
        DistributedFitResult<KMeansModel> result = await new DistributedFit(cluster.Client, shards).FitKMeansAsync(options, new SyncProgress<DistributedFitProgress>(progress.Add));
        ClusteringFitResult<KMeansModel> local = w is null ? new KMeans(options).Fit(x) : new KMeans(options).Fit(x, w);

        result.Iterations.Should().Be(local.Report.Iterations);
        result.Converged.Should().Be(local.Report.Converged);
        result.ObjectiveName.Should().Be(local.Report.ObjectiveName);
        Bits(result.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(result.Model.Centers).Should().Equal(Bits(local.Model.Centers));
        BitConverter.DoubleToInt64Bits(result.Model.Inertia).Should().Be(BitConverter.DoubleToInt64Bits(local.Model.Inertia));
        result.Model.Predict(x).Should().Equal(local.Labels, "the returned model labels the rows as KMeans does");
        if (starts == 1)
        {
            Bits(progress.Select(r => r.Objective)).Should().Equal(Bits(result.Trace), "the progress reports the trace in the caller's units");
        }
        else
        {
            progress.Count.Should().BeGreaterThan(result.Iterations, "every start reports its iterations");
        }
    }

    [Fact]
    public async Task No_iteration_returns_the_start_with_its_inertia_as_KMeans_does()
    {
        double[,] x = Map(Blobs(N, 14), 1.0, 1e9);
        var fit = new DistributedFit(cluster.Client, Shards(x, EvenCuts(N, KMeansStatistics.ChunkSize)));
        var options = new KMeansOptions { Clusters = 4, Seed = 5, MaxIterations = 0 };
        DistributedFitResult<KMeansModel> result = await fit.FitKMeansAsync(options);
        ClusteringFitResult<KMeansModel> local = new KMeans(options).Fit(x);
        result.Iterations.Should().Be(0);
        result.Converged.Should().BeFalse();
        Bits(result.Model.Centers).Should().Equal(Bits(local.Model.Centers));
        BitConverter.DoubleToInt64Bits(result.Model.Inertia).Should().Be(BitConverter.DoubleToInt64Bits(local.Model.Inertia));
    }

    [Fact]
    public async Task Uneven_shards_agree_with_KMeans_to_1e_12_and_bad_options_are_refused()
    {
        double[,] x = Map(Blobs(N, 15), 1.0, 1e9);
        var fit = new DistributedFit(cluster.Client, Shards(x, UnevenCuts(N, 5)));
        var options = new KMeansOptions { Clusters = 3, Seed = 8, Starts = 2 };
        DistributedFitResult<KMeansModel> result = await fit.FitKMeansAsync(options);
        ClusteringFitResult<KMeansModel> local = new KMeans(options).Fit(x);
        result.Iterations.Should().Be(local.Report.Iterations);
        result.Model.Predict(x).Should().Equal(local.Labels);
        double[,] a = result.Model.Centers, b = local.Model.Centers;
        for (int j = 0; j < 3; j++)
        {
            for (int p = 0; p < b.GetLength(1); p++)
            {
                a[j, p].Should().BeApproximately(b[j, p], 1e-12 * Math.Abs(b[j, p]));
            }
        }

        result.Model.Inertia.Should().BeApproximately(local.Model.Inertia, 1e-12 * local.Model.Inertia);
        for (int i = 0; i < local.Report.ObjectiveTrace.Count; i++)
        {
            result.Trace[i].Should().BeApproximately(local.Report.ObjectiveTrace[i], 1e-12 * local.Report.ObjectiveTrace[i]);
        }

        await FluentActions.Awaiting(() => fit.FitKMeansAsync((KMeansOptions)null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(() => fit.FitKMeansAsync(options with { Clusters = N + 1 })).Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName("options");
        await FluentActions.Awaiting(() => fit.FitKMeansAsync(options with { Init = KMeansInit.Explicit, InitialCenters = new double[3, 7] }))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("options");
    }
}
