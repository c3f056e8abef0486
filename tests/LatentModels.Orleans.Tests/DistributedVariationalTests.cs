using LatentModels.Mixtures;
using LatentModels.Statistics;
using LatentModels.Variational;
using static LatentModels.Orleans.Tests.TestData;

namespace LatentModels.Orleans.Tests;

/// <summary>Distributed variational Bayes of a Gaussian mixture against one machine and <see cref="VariationalGaussianMixture"/>.</summary>
[Collection(SharedClusterCollection.Name)]
public class DistributedVariationalTests(ThreeSiloCluster cluster)
{
    private const int Block = 1024; // the E-step block for K = 3, d = 3
    private const int N = 12 * Block;

    public static TheoryData<CovarianceType, WeightPrior> Cases() => new()
    {
        { CovarianceType.Full, WeightPrior.DirichletDistribution },
        { CovarianceType.Diagonal, WeightPrior.DirichletDistribution },
        { CovarianceType.Spherical, WeightPrior.DirichletDistribution },
        { CovarianceType.Tied, WeightPrior.DirichletDistribution },
        { CovarianceType.Full, WeightPrior.DirichletProcess },
    };

    private static double[] Flat(VariationalGaussianMixtureModel m) =>
        [.. m.Weights, .. m.Means.Cast<double>(), .. m.CovarianceParameters, .. m.WeightConcentrations, .. m.MeanPrecisions, .. m.DegreesOfFreedom, m.Elbo];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Variational_fit_on_block_shards_is_VariationalGaussianMixture_bit_for_bit(CovarianceType type, WeightPrior prior)
    {
        double[,] x = Blobs(N, 10);
        var o = new VariationalGaussianMixtureOptions { Components = 3, Covariance = type, WeightPrior = prior, MaxIterations = 6, Tolerance = 0, Seed = 3 };
        VariationalGaussianMixtureModel start = new VariationalGaussianMixture(o with { MaxIterations = 1 }).Fit(Slice(x, 0, 900)).Model;
        DistributedFitResult<VariationalGaussianMixtureModel> result = await new DistributedFit(cluster.Client, Shards(x, EvenCuts(N, Block)))
            .FitVariationalGaussianMixtureAsync(start, o);

        // The core estimator warm-started from the same posterior: the same engine, prior defaults, centre and blocks.
        var batch = new VariationalGaussianMixture(o with { InitialModel = start }).Fit(x);
        result.Iterations.Should().Be(batch.Report.Iterations).And.Be(6);
        Bits(result.Trace).Should().Equal(Bits(batch.Report.ObjectiveTrace));
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(batch.Model)));
        result.Model.LowerBound.Should().Be(batch.Model.LowerBound);
    }

    [Fact]
    public async Task Variational_fit_of_data_beyond_1e60_with_counts_beyond_2_to_the_100_is_fitted_in_the_frame_of_one_machine_bit_for_bit()
    {
        double[,] x = Blobs(N, 15);
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                x[i, j] *= 1e70; // beyond 2^200: one machine fits in units of a power of two
            }
        }

        // A count beyond 2^100: one machine divides the counts by a power of two and scales the bound back. (Not all of
        // them: a posterior whose counts pass 2^110 cannot travel — the model format's bound on degrees of freedom.)
        double[] w = Enumerable.Range(0, N).Select(i => i == 5000 ? 1e31 : 1 + (i % 3)).ToArray();
        var o = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, WeightPrior = WeightPrior.DirichletProcess, MaxIterations = 5, Tolerance = 0, Seed = 5 };
        VariationalGaussianMixtureModel start = new VariationalGaussianMixture(o with { MaxIterations = 1 }).Fit(Slice(x, 0, 900)).Model;
        ShardSource[] shards = [.. Enumerable.Range(0, 12).Select(s => new RowsShardSource(Slice(x, s * Block, (s + 1) * Block), w[(s * Block)..((s + 1) * Block)], $"shard {s}"))];
        var fit = new DistributedFit(cluster.Client, shards);
        DistributedFitResult<VariationalGaussianMixtureModel> result = await fit.FitVariationalGaussianMixtureAsync(start, o);
        var batch = new VariationalGaussianMixture(o with { InitialModel = start }).Fit(x, w);
        Bits(result.Trace).Should().Equal(Bits(batch.Report.ObjectiveTrace));
        Bits(Flat(result.Model)).Should().Equal(Bits(Flat(batch.Model)));

        // A random-rows start computed in the cluster, in the same frame.
        VariationalGaussianMixtureOptions rows = o with { Init = MixtureInit.RandomRows };
        DistributedFitResult<VariationalGaussianMixtureModel> fromRows = await fit.FitVariationalGaussianMixtureAsync(rows);
        var batchFromRows = new VariationalGaussianMixture(rows).Fit(x, w);
        Bits(fromRows.Trace).Should().Equal(Bits(batchFromRows.Report.ObjectiveTrace));
        Bits(Flat(fromRows.Model)).Should().Equal(Bits(Flat(batchFromRows.Model)));
    }

    [Fact]
    public async Task Variational_fit_on_uneven_shards_stops_where_the_estimator_stops()
    {
        double[,] x = Blobs(N, 11);
        var o = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Full, MaxIterations = 200, Tolerance = 1e-6, Seed = 4 };
        VariationalGaussianMixtureModel start = new VariationalGaussianMixture(o with { MaxIterations = 1 }).Fit(Slice(x, 0, 900)).Model;
        DistributedFitResult<VariationalGaussianMixtureModel> result = await new DistributedFit(cluster.Client, Shards(x, UnevenCuts(N, 8)))
            .FitVariationalGaussianMixtureAsync(start, o);
        var batch = new VariationalGaussianMixture(o with { InitialModel = start }).Fit(x);
        result.Converged.Should().BeTrue();
        result.Iterations.Should().Be(batch.Report.Iterations);
        MaxAbsDiff(Flat(result.Model), Flat(batch.Model)).Should().BeLessThan(1e-9 * Math.Abs(batch.Model.Elbo));
        MaxAbsDiff(result.Trace, batch.Report.ObjectiveTrace).Should().BeLessThan(1e-12 * Math.Abs(batch.Model.Elbo));
        for (int t = 1; t < result.Trace.Count; t++)
        {
            result.Trace[t].Should().BeGreaterThanOrEqualTo(result.Trace[t - 1] - 1e-9 * Math.Abs(result.Trace[t - 1]), "coordinate ascent never lowers the ELBO");
        }
    }

    [Fact]
    public async Task A_posterior_beyond_the_payload_format_fails_at_once_naming_its_cause_not_as_a_retried_fault()
    {
        // Every row counts 1e300: the posterior's counts pass the model format's 2^110 bound, so the model
        // cannot travel to the shards (one machine fits it). The shard's ModelFormatException arrives as a FormatException
        // with its message, at the first attempt, instead of an Orleans serialization fault retried until "failed N times".
        double[,] x = Blobs(3 * Block, 16);
        double[] w = Enumerable.Repeat(1e300, 3 * Block).ToArray();
        var shards = Enumerable.Range(0, 3).Select(s => (ShardSource)new RowsShardSource(Slice(x, s * Block, (s + 1) * Block), w[(s * Block)..((s + 1) * Block)])).ToArray();
        var fit = new DistributedFit(cluster.Client, shards);
        var o = new VariationalGaussianMixtureOptions { Components = 3, Covariance = CovarianceType.Diagonal, Init = MixtureInit.First, MaxIterations = 3, Tolerance = 0 };
        (await FluentActions.Awaiting(() => fit.FitVariationalGaussianMixtureAsync(o)).Should().ThrowAsync<FormatException>())
            .Which.Message.Should().Contain("at most 2^110").And.NotContain("failed");
        new VariationalGaussianMixture(o).Fit(x, w).Model.DegreesOfFreedom.Should().OnlyContain(v => double.IsFinite(v) && v > 0, "one machine fits it");
    }
}
