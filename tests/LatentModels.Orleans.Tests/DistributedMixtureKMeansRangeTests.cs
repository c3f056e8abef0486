using LatentModels.Mixtures;
using LatentModels.Variational;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>
/// The default start of the Gaussian and variational mixtures (<see cref="MixtureInit.KMeans"/>, K-Means computed in the
/// cluster) on data one machine fits in a range frame — huge or tiny magnitudes, far from the origin, extreme weights (and both):
/// the distributed K-Means runs on the mixture-framed rows as <see cref="GaussianMixture"/> runs its K-Means start, so the
/// start and the whole fit are one machine's bit for bit on aligned shards.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class DistributedMixtureKMeansRangeTests(ThreeSiloCluster cluster)
{
    private const int Block = 1024; // the engine's E-step block for K = 3, d = 3: a shard of one block folds as one machine
    private const int N = 6 * Block;

    private static double[] Flat(GaussianMixtureModel m) => [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters];

    private static double[] Flat(VariationalGaussianMixtureModel m) =>
        [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters, .. m.WeightConcentrations, .. m.MeanPrecisions, .. m.DegreesOfFreedom];

    /// <summary>Blobs × <paramref name="scale"/> + <paramref name="shift"/>, and weights (1 + i mod 3) × <paramref name="weightScale"/> (none when 1).</summary>
    private static (double[,] X, double[]? W) Data(double scale, double shift, double weightScale, int seed)
    {
        double[,] x = Map(Blobs(N, seed), scale, shift);

        double[]? w = weightScale == 1.0 ? null : [.. Enumerable.Range(0, N).Select(i => weightScale * (1 + (i % 3)))];
        return (x, w);
    }

    private static ShardSource[] Shards(double[,] x, double[]? w, int[] cuts) =>
        [.. Enumerable.Range(0, cuts.Length - 1).Select(s => (ShardSource)new RowsShardSource(Slice(x, cuts[s], cuts[s + 1]), w?[cuts[s]..cuts[s + 1]], $"shard {s}"))];

    // ×1e±150: beyond 2^±200 (so in the range frame) while the covariances (~1e±300) are still doubles. Far from the
    // origin, huge weights (divided to [1, 2) by the mixture), and both.
    [Theory]
    [InlineData(1e150, 0.0, 1.0)]
    [InlineData(1e-150, 0.0, 1.0)]
    [InlineData(1.0, 1e9, 1.0)]
    [InlineData(1.0, 0.0, 1e300)]
    [InlineData(1.0, 1e9, 1e300)]
    public async Task The_default_K_Means_start_and_fit_of_a_Gaussian_mixture_in_the_range_frame_are_one_machine_s_bit_for_bit(double scale, double shift, double weightScale)
    {
        (double[,] x, double[]? w) = Data(scale, shift, weightScale, 31);
        var fit = new DistributedFit(cluster.Client, Shards(x, w, EvenCuts(N, Block)));
        var start = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, Seed = 8, MaxIterations = 0 };
        GaussianMixture Local(GaussianMixtureOptions o) => new(o);
        FitResult<GaussianMixtureModel> localStart = w is null ? Local(start).Fit(x) : Local(start).Fit(x, w);
        Bits(Flat((await fit.FitGaussianMixtureAsync(start)).Model)).Should().Equal(Bits(Flat(localStart.Model)));

        GaussianMixtureOptions whole = start with { MaxIterations = 30, Tolerance = 1e-8 };
        DistributedFitResult<GaussianMixtureModel> result = await fit.FitGaussianMixtureAsync(whole);
        FitResult<GaussianMixtureModel> local = w is null ? Local(whole).Fit(x) : Local(whole).Fit(x, w);
        result.Iterations.Should().Be(local.Report.Iterations);
        Bits(result.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(local.Model)));
    }

    // Weights are counts here: the mixture keeps weights of 1e10, K-Means divides them by 2^33 — inside the mixture's
    // centring frame when the data sit 1e9 from the origin (the two frames composed).
    [Theory]
    [InlineData(1e150, 0.0, 1.0)]
    [InlineData(1e-150, 0.0, 1.0)]
    [InlineData(1.0, 1e9, 1.0)]
    [InlineData(1.0, 1e9, 1e10)]
    public async Task The_default_K_Means_start_and_fit_of_a_variational_mixture_in_the_range_frame_are_one_machine_s_bit_for_bit(double scale, double shift, double weightScale)
    {
        (double[,] x, double[]? w) = Data(scale, shift, weightScale, 32);
        var fit = new DistributedFit(cluster.Client, Shards(x, w, EvenCuts(N, Block)));
        var start = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, Seed = 9, MaxIterations = 0 };
        VariationalGaussianMixture Local(VariationalGaussianMixtureOptions o) => new(o);
        VariationalGaussianMixtureModel localStart = (w is null ? Local(start).Fit(x) : Local(start).Fit(x, w)).Model;
        Bits(Flat((await fit.FitVariationalGaussianMixtureAsync(start)).Model)).Should().Equal(Bits(Flat(localStart)));

        VariationalGaussianMixtureOptions whole = start with { MaxIterations = 30, Tolerance = 1e-8 };
        DistributedFitResult<VariationalGaussianMixtureModel> result = await fit.FitVariationalGaussianMixtureAsync(whole);
        FitResult<VariationalGaussianMixtureModel> local = w is null ? Local(whole).Fit(x) : Local(whole).Fit(x, w);
        result.Iterations.Should().Be(local.Report.Iterations);
        Bits(result.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(local.Model)));
    }

    [Fact]
    public async Task The_default_variational_fit_with_counts_near_1e300_is_one_machine_s_bit_for_bit()
    {
        // Counts up to 1e300: the mixture divides them down to [2^100, 2^101) and K-Means divides those by 2^100 more. Few
        // rows carry the largest, so the total stays within the model format's 2^110 bound on the degrees of freedom.
        (double[,] x, _) = Data(1.0, 1e9, 1.0, 35);
        double[] w = [.. Enumerable.Range(0, N).Select(i => i % 1024 == 7 ? 1e300 : 1e296 * (1 + (i % 3)))];
        var fit = new DistributedFit(cluster.Client, Shards(x, w, EvenCuts(N, Block)));
        var o = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, Seed = 9, MaxIterations = 0 };
        Bits(Flat((await fit.FitVariationalGaussianMixtureAsync(o)).Model)).Should().Equal(Bits(Flat(new VariationalGaussianMixture(o).Fit(x, w).Model)));
        VariationalGaussianMixtureOptions whole = o with { MaxIterations = 30, Tolerance = 1e-8 };
        DistributedFitResult<VariationalGaussianMixtureModel> result = await fit.FitVariationalGaussianMixtureAsync(whole);
        FitResult<VariationalGaussianMixtureModel> local = new VariationalGaussianMixture(whole).Fit(x, w);
        result.Iterations.Should().Be(local.Report.Iterations);
        Bits(result.Trace).Should().Equal(Bits(local.Report.ObjectiveTrace));
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(local.Model)));
    }

    [Fact]
    public async Task On_uneven_shards_the_default_fits_far_from_the_origin_with_large_weights_agree_with_one_machine_to_rounding()
    {
        (double[,] x, double[]? w) = Data(1.0, 1e9, 1e300, 33);
        var fit = new DistributedFit(cluster.Client, Shards(x, w, UnevenCuts(N, 5)));
        var o = new GaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, Seed = 8, MaxIterations = 30, Tolerance = 1e-8 };
        DistributedFitResult<GaussianMixtureModel> gmm = await fit.FitGaussianMixtureAsync(o);
        FitResult<GaussianMixtureModel> gLocal = new GaussianMixture(o).Fit(x, w!);
        gmm.Iterations.Should().Be(gLocal.Report.Iterations);
        MaxAbsDiff(gmm.Model.Means.Cast<double>(), gLocal.Model.Means.Cast<double>()).Should().BeLessThan(1e-9 * 1e9, "relative 1e-9 at 1e9 from the origin");
        MaxAbsDiff([.. gmm.Model.Weights, .. gmm.Model.CovarianceParameters], [.. gLocal.Model.Weights, .. gLocal.Model.CovarianceParameters]).Should().BeLessThan(1e-9);

        (x, w) = Data(1.0, 1e9, 1e10, 34);
        fit = new DistributedFit(cluster.Client, Shards(x, w, UnevenCuts(N, 5)));
        var vo = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, Seed = 9, MaxIterations = 30, Tolerance = 1e-8 };
        VariationalGaussianMixtureModel vb = (await fit.FitVariationalGaussianMixtureAsync(vo)).Model;
        VariationalGaussianMixtureModel vLocal = new VariationalGaussianMixture(vo).Fit(x, w!).Model;
        MaxAbsDiff(vb.Means.Cast<double>(), vLocal.Means.Cast<double>()).Should().BeLessThan(1e-9 * 1e9);
        MaxAbsDiff([.. vb.Weights, .. vb.CovarianceParameters], [.. vLocal.Weights, .. vLocal.CovarianceParameters]).Should().BeLessThan(1e-9);
        for (int i = 0; i < vb.WeightConcentrations.Length; i++)
        {
            Math.Abs(vb.WeightConcentrations[i] - vLocal.WeightConcentrations[i]).Should().BeLessThan(1e-9 * Math.Abs(vLocal.WeightConcentrations[i]), "counts of 1e10 agree relatively");
        }
    }
}
