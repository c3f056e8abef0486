using LatentModels.Mixtures;
using Orleans.TestingHost;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>The same for MAP EM of a full-covariance mixture, on a cluster of its own, with the silo killed after iteration 3.</summary>
public class GaussianSiloFailureTests(ThreeSiloCluster cluster) : IClassFixture<ThreeSiloCluster>
{
    [Fact]
    public async Task Map_EM_survives_a_silo_killed_after_iteration_three_with_the_same_bits()
    {
        const int block = 1024, n = 12 * block; // the Gaussian E-step's block for K = 3, d = 3
        double[,] x = Blobs(n, 12);
        GaussianMixtureModel start = GaussianMixtureModel.Create(CovarianceType.Full, [0.4, 0.3, 0.3], new double[,] { { 99, 1, 0.2 }, { 105, 2, 0 }, { 102, 6, 0.5 } },
            [2, 0.3, 0, 0.3, 2, 0.1, 0, 0.1, 1, /**/ 1, 0, 0, 0, 1, 0, 0, 0, 1, /**/ 3, -0.5, 0, -0.5, 2, 0, 0, 0, 1]);
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, Prior = GaussianMixturePrior.Default, MaxIterations = 8, Tolerance = 0 };
        var options = new DistributedFitOptions { ShardTimeout = TimeSpan.FromSeconds(5), RetryDelay = TimeSpan.FromMilliseconds(250), MaxRetriesPerShard = 40 };
        string? killed = null;
        var progress = new SyncProgress<DistributedFitProgress>(p =>
        {
            if (p.Iteration == 3 && killed is null)
            {
                InProcessSiloHandle victim = cluster.Cluster.Silos.Skip(1).First(s => p.ShardSilos.Contains(s.SiloAddress.ToString()));
                killed = victim.SiloAddress.ToString();
                cluster.Cluster.KillSiloAsync(victim).GetAwaiter().GetResult();
            }
        });
        DistributedFitResult<GaussianMixtureModel> result = await new DistributedFit(cluster.Client, Shards(x, EvenCuts(n, block)), options)
            .FitGaussianMixtureAsync(start, o, progress);

        FitResult<GaussianMixtureModel> local = new GaussianMixture(o with { InitialModel = start }).Fit(x);
        killed.Should().NotBeNull();
        result.Iterations.Should().Be(8);
        result.Reloads.Should().BeGreaterThan(0);
        result.ShardSilos.Should().NotContain(killed);
        double[] Flat(GaussianMixtureModel m) => [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters];
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(local.Model)));
        Bits(result.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
    }
}
