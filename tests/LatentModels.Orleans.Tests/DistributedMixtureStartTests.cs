using LatentModels.Mixtures;
using LatentModels.Variational;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>
/// The starts of Gaussian and variational mixtures computed in the cluster (<see cref="DistributedFit.FitGaussianMixtureAsync(GaussianMixtureOptions, IProgress{DistributedFitProgress}, CancellationToken)"/>)
/// against <see cref="GaussianMixture"/> and <see cref="VariationalGaussianMixture"/> on the concatenated rows: the start
/// itself (no EM step: MaxIterations = 0) for every init, and whole fits from options.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class DistributedMixtureStartTests(ThreeSiloCluster cluster)
{
    private const int Block = 1024; // the engine's E-step block for K = 3, d = 3: a shard of one block folds as one machine
    private const int N = 12 * Block;

    public static TheoryData<MixtureInit> Inits() => [MixtureInit.KMeans, MixtureInit.KMeansPlusPlus, MixtureInit.RandomRows, MixtureInit.First];

    private static double[] Flat(GaussianMixtureModel m) => [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters];

    private static double[] Flat(VariationalGaussianMixtureModel m) =>
        [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters, .. m.WeightConcentrations, .. m.MeanPrecisions, .. m.DegreesOfFreedom];

    [Theory]
    [MemberData(nameof(Inits))]
    public async Task Each_Gaussian_mixture_start_computed_in_the_cluster_is_the_in_memory_start(MixtureInit init)
    {
        double[,] x = Blobs(N, 21);
        var fit = new DistributedFit(cluster.Client, Shards(x, EvenCuts(N, Block)));
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, Init = init, Seed = 17, MaxIterations = 0 };
        DistributedFitResult<GaussianMixtureModel> start = await fit.FitGaussianMixtureAsync(o);
        GaussianMixtureModel local = new GaussianMixture(o).Fit(x).Model;
        Bits(Flat(start.Model)).Should().Equal(Bits(Flat(local)), $"init {init}");
        start.Iterations.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Inits))]
    public async Task Each_variational_start_computed_in_the_cluster_is_the_in_memory_start(MixtureInit init)
    {
        double[,] x = Blobs(N, 22);
        var fit = new DistributedFit(cluster.Client, Shards(x, EvenCuts(N, Block)));
        var o = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, Init = init, Seed = 5, MaxIterations = 0 };
        DistributedFitResult<VariationalGaussianMixtureModel> start = await fit.FitVariationalGaussianMixtureAsync(o);
        VariationalGaussianMixtureModel local = new VariationalGaussianMixture(o).Fit(x).Model;
        Bits(Flat(start.Model)).Should().Equal(Bits(Flat(local)), $"init {init}");
    }

    [Fact]
    public async Task A_weighted_k_means_plus_plus_start_and_a_default_fit_from_options_with_two_starts_are_one_machine_s()
    {
        double[,] x = Blobs(N, 23);
        double[] w = [.. Enumerable.Range(0, N).Select(i => i % 5 == 0 ? 0.0 : 0.5 + (i % 3))];
        ShardSource[] shards = [.. Enumerable.Range(0, N / Block).Select(s => (ShardSource)new RowsShardSource(Slice(x, s * Block, (s + 1) * Block), w[(s * Block)..((s + 1) * Block)]))];
        var fit = new DistributedFit(cluster.Client, shards);
        var plusPlus = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, Init = MixtureInit.KMeansPlusPlus, Seed = 4, MaxIterations = 0 };
        Bits(Flat((await fit.FitGaussianMixtureAsync(plusPlus)).Model)).Should().Equal(Bits(Flat(new GaussianMixture(plusPlus).Fit(x, w).Model)));

        // The default start (K-Means in the cluster, weighted), two starts, EM to convergence: within 1e-9 of one machine.
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, Seed = 9, Starts = 2, Tolerance = 1e-8 };
        DistributedFitResult<GaussianMixtureModel> result = await fit.FitGaussianMixtureAsync(o);
        FitResult<GaussianMixtureModel> local = new GaussianMixture(o).Fit(x, w);
        result.Iterations.Should().Be(local.Report.Iterations);
        MaxAbsDiff(Flat(result.Model), Flat(local.Model)).Should().BeLessThan(1e-9);
        MaxAbsDiff(result.Trace, local.Report.ObjectiveTrace).Should().BeLessThan(1e-9);
    }

    [Fact]
    public async Task Full_fits_from_options_on_uneven_shards_agree_with_one_machine()
    {
        double[,] x = Blobs(N, 24);
        var fit = new DistributedFit(cluster.Client, Shards(x, UnevenCuts(N, 5)));
        var gmm = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Tied, Seed = 2, Tolerance = 1e-8 };
        DistributedFitResult<GaussianMixtureModel> g = await fit.FitGaussianMixtureAsync(gmm);
        FitResult<GaussianMixtureModel> gLocal = new GaussianMixture(gmm).Fit(x);
        g.Iterations.Should().Be(gLocal.Report.Iterations);
        MaxAbsDiff(Flat(g.Model), Flat(gLocal.Model)).Should().BeLessThan(1e-9);

        var vb = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, Seed = 6, Tolerance = 1e-6 };
        DistributedFitResult<VariationalGaussianMixtureModel> v = await fit.FitVariationalGaussianMixtureAsync(vb);
        VariationalGaussianMixtureModel vLocal = new VariationalGaussianMixture(vb).Fit(x).Model;
        v.Iterations.Should().BeGreaterThan(1);
        MaxAbsDiff(Flat(v.Model), Flat(vLocal)).Should().BeLessThan(1e-9);
        v.Model.Elbo.Should().BeApproximately(vLocal.Elbo, 1e-9 * Math.Abs(vLocal.Elbo));
    }

    [Fact]
    public async Task Random_responsibilities_are_refused_before_any_pass()
    {
        var fit = new DistributedFit(cluster.Client, Shards(Blobs(3000, 25), 0, 1500, 3000));
        await FluentActions.Awaiting(() => fit.FitGaussianMixtureAsync(new GaussianMixtureOptions { Components = 2, Init = MixtureInit.RandomResponsibilities }))
            .Should().ThrowAsync<NotSupportedException>().WithMessage("*RandomResponsibilities*");
        await FluentActions.Awaiting(() => fit.FitVariationalGaussianMixtureAsync(new VariationalGaussianMixtureOptions { Components = 2, Init = MixtureInit.RandomResponsibilities }))
            .Should().ThrowAsync<NotSupportedException>().WithMessage("*RandomResponsibilities*");
    }
}
