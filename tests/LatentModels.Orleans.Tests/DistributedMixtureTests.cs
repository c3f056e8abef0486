using LatentModels.Distributions;
using LatentModels.Mixtures;
using LatentModels.Statistics;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>Distributed Gaussian EM (every covariance type, ML and MAP) against one machine (Bernoulli and categorical: <see cref="DistributedDiscreteMixtureTests"/>).</summary>
[Collection(SharedClusterCollection.Name)]
public class DistributedMixtureTests(ThreeSiloCluster cluster)
{
    // For K = 3, d = 3 the Gaussian E-step's block is 1024 rows (GaussianMixtureEngine.BlockSizeFor).
    private const int GaussianBlock = 1024;
    private const int N = 12 * GaussianBlock;

    public static TheoryData<CovarianceType, bool> Cases()
    {
        var data = new TheoryData<CovarianceType, bool>();
        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
        {
            data.Add(type, false);
            data.Add(type, true);
        }

        return data;
    }

    private static GaussianMixtureModel Start(CovarianceType type)
    {
        double[,] means = { { 99, 1, 0.2 }, { 105, 2, 0 }, { 102, 6, 0.5 } };
        double[] covariances = type switch
        {
            CovarianceType.Full => [2, 0.3, 0, 0.3, 2, 0.1, 0, 0.1, 1, /**/ 1, 0, 0, 0, 1, 0, 0, 0, 1, /**/ 3, -0.5, 0, -0.5, 2, 0, 0, 0, 1],
            CovarianceType.Tied => [2, 0.3, 0, 0.3, 2, 0.1, 0, 0.1, 1],
            CovarianceType.Diagonal => [2, 2, 1, 1, 1, 1, 3, 2, 1],
            _ => [2, 1, 3],
        };
        return GaussianMixtureModel.Create(type, [0.4, 0.3, 0.3], means, covariances);
    }

    private static double[] Flat(GaussianMixtureModel m) => [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters];

    private static void SameBits(DistributedFitResult<GaussianMixtureModel> result, FitResult<GaussianMixtureModel> local)
    {
        result.Iterations.Should().Be(local.Report.Iterations);
        result.Converged.Should().Be(local.Report.Converged);
        result.ObjectiveName.Should().Be(local.Report.ObjectiveName);
        Bits(result.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(local.Model)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Gaussian_EM_on_block_shards_is_GaussianMixture_bit_for_bit(CovarianceType type, bool map)
    {
        double[,] x = Blobs(N, 5);
        var o = new GaussianMixtureOptions { Components = 3, Covariance = type, Prior = map ? GaussianMixturePrior.Default : null, MaxIterations = 6, Tolerance = 1e-3 };
        var fit = new DistributedFit(cluster.Client, Shards(x, EvenCuts(N, GaussianBlock)));
        DistributedFitResult<GaussianMixtureModel> result = await fit.FitGaussianMixtureAsync(Start(type), o);

        // The core estimator from the same start: its engine centres on the data mean, which the shards' first pass gives.
        SameBits(result, new GaussianMixture(o with { InitialModel = Start(type) }).Fit(x));
        result.ObjectiveName.Should().Be(map ? "meanLogPosterior" : "meanLogLikelihood");
    }

    [Fact]
    public async Task Gaussian_EM_on_superblock_aligned_weighted_shards_is_GaussianMixture_bit_for_bit_and_repairs_an_empty_component_alike()
    {
        const int n = (2 * 65536) + 9000;
        double[,] x = Blobs(n, 13);
        double[] w = Enumerable.Range(0, n).Select(i => 0.5 + (i % 7 * 0.25)).ToArray();

        // A third component far from every row: it wins no weight and the engine re-seeds it at the worst-explained row.
        GaussianMixtureModel start = GaussianMixtureModel.Create(CovarianceType.Diagonal, [0.4, 0.4, 0.2], new double[,] { { 100, 0, 0 }, { 106, 3, 0 }, { 1e4, 1e4, 1e4 } },
            [1, 1, 1, 1, 1, 1, 1e-2, 1e-2, 1e-2]);
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, MaxIterations = 5, Tolerance = 0 };
        int[] cuts = [0, KMeansStatistics.SuperblockRows, 2 * KMeansStatistics.SuperblockRows, n];
        ShardSource[] shards = [.. Enumerable.Range(0, 3).Select(s => new RowsShardSource(Slice(x, cuts[s], cuts[s + 1]), w[cuts[s]..cuts[s + 1]], $"shard {s}"))];
        DistributedFitResult<GaussianMixtureModel> result = await new DistributedFit(cluster.Client, shards).FitGaussianMixtureAsync(start, o);

        FitResult<GaussianMixtureModel> local = new GaussianMixture(o with { InitialModel = start }).Fit(x, w);
        SameBits(result, local);
        result.Model.Means[2, 0].Should().BeLessThan(1000, "the empty component was re-seeded at a row");
    }

    [Fact]
    public async Task Gaussian_EM_of_data_far_from_the_origin_with_large_weights_is_fitted_in_the_range_frame_of_one_machine_bit_for_bit()
    {
        // 1e4 from the origin with a spread of about 7: one machine centres the data (RangeFrame), and divides weights above 2^20.
        double[,] x = Blobs(N, 14);
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                x[i, j] += 1e4;
            }
        }

        double[] w = Enumerable.Range(0, N).Select(i => 1e7 * (1 + (i % 3))).ToArray();
        GaussianMixtureModel start = GaussianMixtureModel.Create(CovarianceType.Full, [0.4, 0.3, 0.3], new double[,] { { 10099, 1e4 + 1, 1e4 + 0.2 }, { 10105, 1e4 + 2, 1e4 }, { 10102, 1e4 + 6, 1e4 + 0.5 } },
            [2, 0.3, 0, 0.3, 2, 0.1, 0, 0.1, 1, /**/ 1, 0, 0, 0, 1, 0, 0, 0, 1, /**/ 3, -0.5, 0, -0.5, 2, 0, 0, 0, 1]);
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, MaxIterations = 5, Tolerance = 0 };
        ShardSource[] shards = [.. Enumerable.Range(0, 12).Select(s => new RowsShardSource(Slice(x, s * GaussianBlock, (s + 1) * GaussianBlock),
            w[(s * GaussianBlock)..((s + 1) * GaussianBlock)], $"shard {s}"))];
        var fit = new DistributedFit(cluster.Client, shards);
        DistributedFitResult<GaussianMixtureModel> result = await fit.FitGaussianMixtureAsync(start, o);
        SameBits(result, new GaussianMixture(o with { InitialModel = start }).Fit(x, w));

        // A start computed in the cluster reads the rows through the frame too (k-means++ and the labels' statistics)...
        GaussianMixtureOptions plusPlus = o with { Init = MixtureInit.KMeansPlusPlus, Seed = 4 };
        SameBits(await fit.FitGaussianMixtureAsync(plusPlus), new GaussianMixture(plusPlus).Fit(x, w));

        // ...and so does the default K-Means start: the distributed K-Means on the framed rows, as one machine.
        SameBits(await fit.FitGaussianMixtureAsync(o with { Seed = 4 }), new GaussianMixture(o with { Seed = 4 }).Fit(x, w));
    }

    [Fact]
    public async Task Gaussian_EM_on_uneven_shards_agrees_with_one_machine_to_rounding()
    {
        double[,] x = Blobs(N, 6);
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, MaxIterations = 200, Tolerance = 1e-6 };
        var fit = new DistributedFit(cluster.Client, Shards(x, UnevenCuts(N, 9)));
        DistributedFitResult<GaussianMixtureModel> result = await fit.FitGaussianMixtureAsync(Start(CovarianceType.Full), o);
        var batch = new GaussianMixture(o with { InitialModel = Start(CovarianceType.Full) }).Fit(x);
        result.Converged.Should().BeTrue();
        result.Iterations.Should().Be(batch.Report.Iterations, "the same stopping rule on the same objective");
        MaxAbsDiff(Flat(result.Model), Flat(batch.Model)).Should().BeLessThan(1e-9);
        MaxAbsDiff(result.Trace, batch.Report.ObjectiveTrace).Should().BeLessThan(1e-12);
    }
}
